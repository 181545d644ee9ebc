import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One open SQLite database connection: the sole owner of its `sqlite3*` handle.
///
/// Ownership: `handle` is created in `init` and closed only in `deinit`. Every `SQLiteStatement`
/// keeps a strong reference to its connection, so all statements are finalized before the
/// connection can be closed. Not thread-safe: opened in SQLite's multi-thread mode (NOMUTEX) and
/// used by one owner at a time.
///
/// This type is also the single place where SQLite result codes enter Swift: `check(_:_:)` and
/// `error(_:_:)` turn them into `StoreError`s that name the database path.
final class SQLiteConnection {
    /// The owned `sqlite3*`; never nil after a successful init.
    let handle: OpaquePointer
    /// The database file.
    let path: String
    /// The state directory holding it, named in "not writable" messages.
    let directory: String

    /// Opens the database at `path`: read-only, or read-write creating the file when missing.
    init(path: String, directory: String, readOnly: Bool) throws {
        self.path = path
        self.directory = directory
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
            | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            // sqlite3_open_v2 may allocate a handle even on failure; read its message, then close it.
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            let systemErrno = db.map { sqlite3_system_errno($0) } ?? 0
            if let db { sqlite3_close(db) }
            throw Self.makeError(code: rc, sqliteMessage: message, systemErrno: systemErrno,
                                 operation: "opening", path: path, directory: directory)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        // All statements are already finalized (each one retains this connection), so a plain
        // close succeeds; an open transaction is rolled back by SQLite.
        sqlite3_close(handle)
    }

    /// Throws the `StoreError` for `code` unless it is OK, ROW or DONE.
    @inline(__always)
    func check(_ code: Int32, _ operation: @autoclosure () -> String) throws {
        if code != SQLITE_OK && code != SQLITE_ROW && code != SQLITE_DONE {
            throw error(code, operation())
        }
    }

    /// The `StoreError` for a failed call on this connection.
    func error(_ code: Int32, _ operation: String) -> StoreError {
        Self.makeError(code: code, sqliteMessage: String(cString: sqlite3_errmsg(handle)),
                       systemErrno: sqlite3_system_errno(handle),
                       operation: operation, path: path, directory: directory)
    }

    /// Runs one or more SQL statements that return no rows.
    func execute(_ sql: String, _ operation: @autoclosure () -> String) throws {
        try check(sqlite3_exec(handle, sql, nil, nil, nil), operation())
    }

    /// Compiles `sql` into a reusable statement.
    func prepare(_ sql: String) throws -> SQLiteStatement {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        try check(rc, "preparing `\(sql)` on")
        guard let statement else {
            throw StoreError(kind: .invalidRequest, path: path, message: "empty SQL statement `\(sql)` for \(path)")
        }
        return SQLiteStatement(handle: statement, connection: self)
    }

    /// Whether no transaction is open.
    var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    /// Whether the main database was opened (or downgraded to) read-only.
    var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    /// Limits the database size in pages; tests use it to provoke SQLITE_FULL.
    func setMaxPageCount(_ pages: Int) throws {
        try execute("PRAGMA max_page_count = \(pages)", "limiting the size of")
    }

    /// Maps a SQLite failure to a `StoreError` with a message naming the path and the cause.
    static func makeError(code: Int32, sqliteMessage: String, systemErrno: Int32,
                          operation: String, path: String, directory: String) -> StoreError {
        let primary = code & 0xFF
        let system = systemErrno != 0 ? " (\(String(cString: strerror(systemErrno))))" : ""
        let detail = "\(sqliteMessage)\(system)"
        switch primary {
        case SQLITE_FULL:
            return StoreError(kind: .diskFull, path: path,
                              message: "disk full while \(operation) \(path): \(detail)", sqliteCode: code)
        case SQLITE_IOERR where systemErrno == ENOSPC:
            return StoreError(kind: .diskFull, path: path,
                              message: "disk full while \(operation) \(path): \(detail)", sqliteCode: code)
        case SQLITE_READONLY:
            return StoreError(kind: .notWritable, path: directory,
                              message: "state directory \(directory) is not writable: \(detail)", sqliteCode: code)
        case SQLITE_CANTOPEN, SQLITE_PERM:
            let kind: StoreError.Kind = [EACCES, EPERM, EROFS].contains(systemErrno) ? .notWritable : .cannotOpen
            return StoreError(kind: kind, path: path,
                              message: "cannot open state database \(path) (is the state directory \(directory) "
                                  + "writable?): \(detail)", sqliteCode: code)
        case SQLITE_IOERR:
            return StoreError(kind: .ioError, path: path,
                              message: "I/O error while \(operation) \(path): \(detail)", sqliteCode: code)
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            return StoreError(kind: .corrupt, path: path,
                              message: "state database \(path) is corrupt or not a StreamCRM store: \(detail)",
                              sqliteCode: code)
        case SQLITE_BUSY, SQLITE_LOCKED:
            return StoreError(kind: .locked, path: path,
                              message: "state database \(path) is locked while \(operation) it "
                                  + "(is another daemon using state directory \(directory)?): \(detail)",
                              sqliteCode: code)
        default:
            return StoreError(kind: .sqlite, path: path,
                              message: "SQLite error while \(operation) \(path): \(detail) (code \(code))",
                              sqliteCode: code)
        }
    }
}
