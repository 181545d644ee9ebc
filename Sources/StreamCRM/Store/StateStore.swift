import Foundation
import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The daemon's durable state: customer and global state blobs plus the input offsets they reflect,
/// kept in one SQLite database (`state.sqlite`) inside the configured state directory.
///
/// A checkpoint (`write(_:)`) applies changed customers, erasures, global blobs and offsets in ONE
/// transaction, so the store always holds a state together with exactly the offsets it reflects:
/// after any crash, restoring the state and seeking to `offsets()` applies every event exactly once.
///
/// Durability: WAL journal mode. With `.processCrash` (the default, `synchronous=NORMAL`) a commit
/// appends to the WAL without fsync; a killed process (kill -9) loses no committed checkpoint because
/// the data is already in the OS page cache, and an OS crash or power loss may lose the most recent
/// checkpoint(s) but never leaves a half-written or corrupt store. Because state and offsets commit
/// together, losing a checkpoint only rolls both back to an earlier consistent pair: the daemon replays
/// those events, re-emitting outputs with the same ids (allowed: outputs are at-least-once).
/// `.powerLoss` (`synchronous=FULL`) fsyncs the WAL on every commit for callers who want the last
/// checkpoint to survive power loss too.
///
/// Threading: not thread-safe and not `Sendable`; one owner (the pipeline) uses it. Statements are
/// prepared once and reused. Every failure is thrown as a `StoreError` naming the path.
public final class StateStore {
    /// How hard a commit pushes data to stable storage.
    public enum Durability: Sendable {
        /// `synchronous=NORMAL`: survives process crashes; power loss may drop the last checkpoint(s).
        case processCrash
        /// `synchronous=FULL`: also survives power loss, at the cost of an fsync per checkpoint.
        case powerLoss
    }

    /// Whether the store may write.
    public enum Mode: Sendable {
        /// Creates the directory and database when missing; the daemon's mode.
        case readWrite
        /// Opens an existing store for inspection (verifiers, tools); every write fails.
        case readOnly
    }

    /// The schema version this build writes and understands.
    public static let schemaVersion: Int64 = 1
    /// The database file name inside the state directory.
    public static let databaseFileName = "state.sqlite"

    /// The state directory.
    public let directory: String
    /// The database file.
    public let databasePath: String

    /// Test hook: called at fixed points inside `write(_:)`; a throw aborts the checkpoint.
    var checkpointHook: ((CheckpointPhase) throws -> Void)?

    /// Points inside a checkpoint transaction where `checkpointHook` runs.
    enum CheckpointPhase: Sendable {
        case afterCustomers
        case beforeCommit
        case afterCommit
    }

    // Ownership: `connection` owns the sqlite3*; each statement in `statements` owns its
    // sqlite3_stmt* and retains the connection, so whatever order Swift releases these properties in,
    // every statement is finalized before the connection closes.
    let connection: SQLiteConnection
    private let statements: Statements
    /// Owned descriptor of `state.lock` holding the directory's exclusive flock; -1 in read-only mode.
    private let lockDescriptor: Int32
    /// Device and inode of the database file when opened: a checkpoint first checks that the path
    /// still names that file.
    private let fileIdentity: (dev: UInt64, ino: UInt64)?

    /// Opens the store in `directory`, creating the directory (when its parent exists) and the schema.
    ///
    /// Throws `StoreError` when the parent is missing, the path is not a directory, the directory or
    /// database is not writable, the disk is full, the file is not a StreamCRM store, or its schema
    /// version is newer than `StateStore.schemaVersion`.
    public init(directory: String, mode: Mode = .readWrite, durability: Durability = .processCrash) throws {
        self.directory = directory
        self.databasePath = StateDirectory.join(directory, Self.databaseFileName)
        try StateDirectory.prepare(directory, create: mode == .readWrite)
        if mode == .readOnly && !FileManager.default.fileExists(atPath: databasePath) {
            throw StoreError(kind: .cannotOpen, path: databasePath,
                             message: "no state store in \(directory): \(databasePath) does not exist")
        }
        let lockDescriptor = mode == .readWrite ? try StateDirectory.lock(directory) : -1
        do {
            let connection = try SQLiteConnection(path: databasePath, directory: directory,
                                                  readOnly: mode == .readOnly)
            if mode == .readWrite {
                if connection.isReadOnly {
                    throw StoreError(kind: .notWritable, path: directory,
                                     message: "state directory \(directory) is not writable: \(databasePath) "
                                         + "opened read-only")
                }
                try Self.configure(connection, durability: durability)
                try Self.migrate(connection)
            } else {
                try Self.checkVersion(connection, requireExisting: true)
            }
            statements = try Statements(connection)
            self.connection = connection
        } catch {
            // Not every stored property is set, so deinit will not run: release the lock here.
            if lockDescriptor >= 0 { close(lockDescriptor) }
            throw error
        }
        self.lockDescriptor = lockDescriptor
        fileIdentity = Self.identity(of: databasePath)
    }

    private static func identity(of path: String) -> (dev: UInt64, ino: UInt64)? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return (UInt64(st.st_dev), UInt64(st.st_ino))
    }

    /// Throws `.replaced` when the database path no longer names the file opened at start (the
    /// state directory was deleted, moved or replaced while running).
    public func checkStillInPlace() throws {
        guard let opened = fileIdentity else { return }
        let now = Self.identity(of: databasePath)
        guard let now, now.dev == opened.dev, now.ino == opened.ino else {
            throw StoreError(kind: .replaced, path: databasePath,
                             message: "state database \(databasePath) was removed or replaced while running "
                                 + "(state directory \(directory) deleted or moved?); stopping without a checkpoint "
                                 + "so that no offset moves past state nobody can restore")
        }
    }

    deinit {
        if lockDescriptor >= 0 { close(lockDescriptor) }
    }

    // MARK: Checkpoint

    /// Writes a checkpoint atomically: deletions, customer upserts, globals and offsets all commit
    /// together or not at all. On any failure the transaction is rolled back, the previous checkpoint
    /// stays intact, and the `StoreError` is rethrown.
    public func write(_ batch: CheckpointBatch) throws {
        try checkStillInPlace()
        let s = statements
        try s.beginImmediate.run("starting a checkpoint in")
        do {
            for userID in batch.deletedUsers {
                try s.deleteCustomer.bind(1, userID)
                try s.deleteCustomer.run("checkpointing to")
            }
            for customer in batch.customers {
                try s.upsertCustomer.bind(1, Int64(customer.partition))
                try s.upsertCustomer.bind(2, customer.userID)
                try s.upsertCustomer.bind(3, customer.state)
                try s.upsertCustomer.run("checkpointing to")
            }
            try checkpointHook?(.afterCustomers)
            for key in batch.deletedGlobals {
                try s.deleteGlobal.bind(1, key)
                try s.deleteGlobal.run("checkpointing to")
            }
            for global in batch.globals {
                try s.upsertGlobal.bind(1, global.key)
                try s.upsertGlobal.bind(2, global.state)
                try s.upsertGlobal.run("checkpointing to")
            }
            for offset in batch.offsets {
                try s.upsertOffset.bind(1, offset.topic)
                try s.upsertOffset.bind(2, Int64(offset.partition))
                try s.upsertOffset.bind(3, offset.nextOffset)
                try s.upsertOffset.run("checkpointing to")
            }
            try checkpointHook?(.beforeCommit)
            try s.commit.run("committing a checkpoint to")
        } catch {
            rollback()
            throw error
        }
        try checkpointHook?(.afterCommit)
    }

    /// Rolls back the open transaction, if SQLite has not already done so (it does after SQLITE_FULL).
    private func rollback() {
        if !connection.isAutocommit {
            statements.rollback.reset()
            _ = try? statements.rollback.step("rolling back a checkpoint in")
            statements.rollback.reset()
        }
    }

    /// Runs `body` inside one transaction (a consistent snapshot for reads, atomic for writes).
    private func inTransaction<R>(immediate: Bool, _ operation: String, _ body: () throws -> R) throws -> R {
        try (immediate ? statements.beginImmediate : statements.beginDeferred).run(operation)
        do {
            let result = try body()
            try statements.commit.run(operation)
            return result
        } catch {
            rollback()
            throw error
        }
    }

    // MARK: Reads

    /// The checkpointed next offset for every topic partition the store knows.
    public func offsets() throws -> [TopicPartitionKey: Int64] {
        let statement = statements.selectOffsets
        defer { statement.reset() }
        var result: [TopicPartitionKey: Int64] = [:]
        while try statement.step("reading offsets from") {
            result[TopicPartitionKey(topic: statement.string(0), partition: Int32(truncatingIfNeeded: statement.int64(1)))]
                = statement.int64(2)
        }
        return result
    }

    /// Streams every stored customer of `partitions` to `body`, partition by partition, from one
    /// consistent snapshot. The state buffer is valid only during the call; copy what you keep.
    public func loadCustomers(partitions: [Int32],
                              _ body: (_ partition: Int32, _ userID: String, _ state: UnsafeRawBufferPointer) throws -> Void)
        throws {
        let statement = statements.selectCustomersOfPartition
        try inTransaction(immediate: false, "loading customers from") {
            for partition in partitions {
                defer { statement.reset() }
                try statement.bind(1, Int64(partition))
                while try statement.step("loading customers from") {
                    let userID = statement.string(0)
                    try statement.withBlob(1) { try body(partition, userID, $0) }
                }
            }
        }
    }

    /// The stored state of one customer, or nil.
    public func loadCustomer(_ userID: String) throws -> (partition: Int32, state: [UInt8])? {
        let statement = statements.selectCustomer
        defer { statement.reset() }
        try statement.bind(1, userID)
        guard try statement.step("reading a customer from") else { return nil }
        return (Int32(truncatingIfNeeded: statement.int64(0)), statement.bytes(1))
    }

    /// The stored global blob for `key`, or nil.
    public func loadGlobal(_ key: String) throws -> [UInt8]? {
        let statement = statements.selectGlobal
        defer { statement.reset() }
        try statement.bind(1, key)
        guard try statement.step("reading a global from") else { return nil }
        return statement.bytes(0)
    }

    /// The number of stored customers.
    public func customerCount() throws -> Int {
        let statement = statements.countCustomers
        defer { statement.reset() }
        _ = try statement.step("counting customers in")
        return Int(statement.int64(0))
    }

    /// The partition numbers the store holds customers of.
    public func customerPartitions() throws -> Set<Int32> {
        let statement = statements.selectCustomerPartitions
        defer { statement.reset() }
        var result: Set<Int32> = []
        while try statement.step("reading partitions from") { result.insert(Int32(truncatingIfNeeded: statement.int64(0))) }
        return result
    }

    // MARK: Direct writes (each its own transaction)

    /// Deletes one customer immediately; returns whether a row was removed. Checkpoints normally carry
    /// erasures in `CheckpointBatch.deletedUsers` instead, so that they commit with their offsets.
    @discardableResult
    public func deleteCustomer(_ userID: String) throws -> Bool {
        try statements.deleteCustomer.bind(1, userID)
        try statements.deleteCustomer.run("deleting a customer from")
        return sqlite3_changes(connection.handle) > 0
    }

    /// Removes the customers of `partitions` and the offsets of `topics` for them, in one
    /// transaction, for partitions this daemon no longer owns. Afterwards a re-assigned partition
    /// starts from the committed Kafka offset with no local state, so call it only when that is
    /// acceptable. `topics`: the customer-keyed inputs (the catalog's offsets belong to this
    /// instance, whoever owns the customers). Returns the number of customers removed.
    @discardableResult
    public func dropPartitions(_ partitions: [Int32], offsetsOf topics: [String]) throws -> Int {
        try inTransaction(immediate: true, "dropping partitions from") {
            var removed = 0
            for partition in partitions {
                try statements.deleteCustomersOfPartition.bind(1, Int64(partition))
                try statements.deleteCustomersOfPartition.run("dropping partitions from")
                removed += Int(sqlite3_changes(connection.handle))
                for topic in topics {
                    try statements.deleteOffsetsOfPartition.bind(1, Int64(partition))
                    try statements.deleteOffsetsOfPartition.bind(2, topic)
                    try statements.deleteOffsetsOfPartition.run("dropping partitions from")
                }
            }
            return removed
        }
    }

    /// The metadata value for `key`, or nil.
    public func meta(_ key: String) throws -> String? {
        let statement = statements.selectMeta
        defer { statement.reset() }
        try statement.bind(1, key)
        guard try statement.step("reading metadata from") else { return nil }
        return statement.string(0)
    }

    /// Sets a metadata value (for example the input topics or partition count the store was built for).
    public func setMeta(_ key: String, _ value: String) throws {
        try statements.upsertMeta.bind(1, key)
        try statements.upsertMeta.bind(2, value)
        try statements.upsertMeta.run("writing metadata to")
    }
}
