import CSQLite

/// SQLite's "copy this value now" destructor sentinel, which Swift cannot import as a macro.
nonisolated(unsafe) private let transientDestructor = unsafeBitCast(OpaquePointer(bitPattern: -1),
                                                                    to: sqlite3_destructor_type.self)

/// A prepared SQLite statement: the sole owner of its `sqlite3_stmt*`.
///
/// Ownership: `handle` is finalized only in `deinit`. The statement holds a strong reference to its
/// `SQLiteConnection`, so it is always finalized before the connection is closed. Bound text and
/// blobs are copied by SQLite (SQLITE_TRANSIENT), so no Swift buffer has to outlive a bind call.
final class SQLiteStatement {
    /// The owned `sqlite3_stmt*`.
    let handle: OpaquePointer
    /// The connection this statement belongs to; kept alive by this reference.
    let connection: SQLiteConnection

    init(handle: OpaquePointer, connection: SQLiteConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds a 64-bit integer to the 1-based parameter `index`.
    @inline(__always)
    func bind(_ index: Int32, _ value: Int64) throws {
        try connection.check(sqlite3_bind_int64(handle, index, value), "binding a parameter for")
    }

    /// Binds UTF-8 text to the 1-based parameter `index`.
    @inline(__always)
    func bind(_ index: Int32, _ value: String) throws {
        var value = value
        let rc = value.withUTF8 { utf8 in
            sqlite3_bind_text(handle, index, utf8.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                              Int32(utf8.count), transientDestructor)
        }
        try connection.check(rc, "binding a parameter for")
    }

    /// Binds a blob to the 1-based parameter `index` (an empty array binds a zero-length blob).
    @inline(__always)
    func bind(_ index: Int32, _ value: [UInt8]) throws {
        let rc = value.withUnsafeBytes { raw in
            raw.isEmpty ? sqlite3_bind_zeroblob(handle, index, 0)
                : sqlite3_bind_blob(handle, index, raw.baseAddress, Int32(raw.count), transientDestructor)
        }
        try connection.check(rc, "binding a parameter for")
    }

    /// Steps once; returns true when a row is available, false when done.
    @inline(__always)
    func step(_ operation: @autoclosure () -> String) throws -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw connection.error(rc, operation())
    }

    /// Steps a statement that returns no rows, then resets it for reuse.
    @inline(__always)
    func run(_ operation: @autoclosure () -> String) throws {
        defer { reset() }
        _ = try step(operation())
    }

    /// Resets the statement for reuse (bindings are kept until rebound; values are SQLite's copies).
    @inline(__always)
    func reset() {
        sqlite3_reset(handle)
    }

    /// Column `index` (0-based) as an integer.
    @inline(__always)
    func int64(_ index: Int32) -> Int64 {
        sqlite3_column_int64(handle, index)
    }

    /// Column `index` (0-based) as a string (NULL reads as "").
    @inline(__always)
    func string(_ index: Int32) -> String {
        guard let text = sqlite3_column_text(handle, index) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// Calls `body` with column `index` (0-based) as raw bytes, valid only during the call.
    @inline(__always)
    func withBlob<R>(_ index: Int32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let pointer = sqlite3_column_blob(handle, index)
        let count = Int(sqlite3_column_bytes(handle, index))
        return try body(UnsafeRawBufferPointer(start: count > 0 ? pointer : nil, count: count))
    }

    /// Column `index` (0-based) as a byte array (NULL reads as empty).
    func bytes(_ index: Int32) -> [UInt8] {
        withBlob(index) { Array($0) }
    }
}
