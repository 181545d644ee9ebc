/// The single error type of the state store: every SQLite failure and every problem with the state
/// directory becomes one of these, with a message that names the path and the underlying cause.
///
/// The daemon treats any `StoreError` as fatal (DESIGN.md §6): it logs `message` and exits non-zero.
public struct StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The broad class of failure, for callers and tests that branch on it.
    public enum Kind: String, Equatable, Sendable {
        /// The parent of the state directory does not exist (or is not a directory).
        case missingParent
        /// The state directory path exists but is not a directory.
        case notADirectory
        /// The state directory or database cannot be written (permissions, read-only file system or mode).
        case notWritable
        /// The state database could not be opened or created.
        case cannotOpen
        /// The disk (or the database's size limit) is full.
        case diskFull
        /// The operating system reported an I/O error.
        case ioError
        /// The file is damaged or is not a StreamCRM state database.
        case corrupt
        /// The database was written by a newer StreamCRM with a schema this build does not know.
        case unsupportedSchema
        /// Another connection (probably another daemon) holds the database lock.
        case locked
        /// The caller asked for something the store cannot do (for example an invalid batch).
        case invalidRequest
        /// The database file was removed or replaced while the store had it open (a deleted state
        /// directory): writing on would checkpoint into a file nobody will ever read.
        case replaced
        /// Any other SQLite failure.
        case sqlite
    }

    /// The broad class of failure.
    public let kind: Kind
    /// The file or directory concerned.
    public let path: String
    /// A complete, human-readable message naming the path and the cause.
    public let message: String
    /// SQLite's extended result code when the failure came from SQLite.
    public let sqliteCode: Int32?

    /// Creates an error; the store builds these in `SQLiteConnection.error(_:_:)` and `StateDirectory`.
    public init(kind: Kind, path: String, message: String, sqliteCode: Int32? = nil) {
        self.kind = kind
        self.path = path
        self.message = message
        self.sqliteCode = sqliteCode
    }

    public var description: String { message }
}
