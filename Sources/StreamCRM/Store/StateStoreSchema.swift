import CSQLite

extension StateStore {
    /// The version-1 schema. `WITHOUT ROWID` is avoided for `customers` because state blobs can be
    /// large; the partition index serves restores and `dropPartitions`.
    static let schemaV1 = """
        CREATE TABLE schema_version(id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
        CREATE TABLE offsets(topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
                             PRIMARY KEY(topic, partition)) WITHOUT ROWID;
        CREATE TABLE customers(partition INTEGER NOT NULL, user_id TEXT NOT NULL, state BLOB NOT NULL,
                               PRIMARY KEY(user_id));
        CREATE INDEX customers_by_partition ON customers(partition);
        CREATE TABLE globals(key TEXT NOT NULL PRIMARY KEY, state BLOB NOT NULL);
        CREATE TABLE meta(key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL);
        """

    /// Sets the per-connection pragmas: WAL, the synchronous level, a 64 MiB page cache.
    static func configure(_ connection: SQLiteConnection, durability: Durability) throws {
        let journal = try connection.prepare("PRAGMA journal_mode = WAL")
        guard try journal.step("enabling WAL in"), journal.string(0).lowercased() == "wal" else {
            throw StoreError(kind: .cannotOpen, path: connection.path,
                             message: "cannot enable WAL journal mode on \(connection.path): "
                                 + "journal mode is '\(journal.string(0))'")
        }
        journal.reset()
        let synchronous = durability == .powerLoss ? "FULL" : "NORMAL"
        try connection.execute("""
            PRAGMA synchronous = \(synchronous);
            PRAGMA cache_size = -65536;
            PRAGMA temp_store = MEMORY;
            PRAGMA foreign_keys = OFF;
            """, "configuring")
    }

    /// Creates the schema in a new database, or checks the version of an existing one, then records
    /// the open in `meta` — a real write, so an unwritable store fails here and not at the first
    /// checkpoint.
    static func migrate(_ connection: SQLiteConnection) throws {
        try connection.execute("BEGIN IMMEDIATE", "opening")
        do {
            if try checkVersion(connection, requireExisting: false) == nil {
                try connection.execute(schemaV1, "creating the schema in")
                try connection.execute("INSERT INTO schema_version(id, version) VALUES (1, \(schemaVersion))",
                                       "creating the schema in")
            }
            try connection.execute("""
                INSERT INTO meta(key, value) VALUES ('open_count', '1')
                ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
                """, "opening")
            try connection.execute("COMMIT", "opening")
        } catch {
            if !connection.isAutocommit { try? connection.execute("ROLLBACK", "opening") }
            throw error
        }
    }

    /// Returns the stored schema version (nil for an empty database), or throws for a foreign file,
    /// a missing schema when `requireExisting`, or a version newer than this build's.
    @discardableResult
    static func checkVersion(_ connection: SQLiteConnection, requireExisting: Bool) throws -> Int64? {
        let tables = try connection.prepare("""
            SELECT count(*), coalesce(sum(name = 'schema_version'), 0) FROM sqlite_master WHERE type = 'table'
            """)
        _ = try tables.step("reading the schema of")
        let tableCount = tables.int64(0)
        let hasVersionTable = tables.int64(1) > 0
        tables.reset()
        guard hasVersionTable else {
            if tableCount > 0 {
                throw StoreError(kind: .corrupt, path: connection.path,
                                 message: "\(connection.path) is not a StreamCRM state database "
                                     + "(it has \(tableCount) table(s) but no schema_version)")
            }
            if requireExisting {
                throw StoreError(kind: .cannotOpen, path: connection.path,
                                 message: "\(connection.path) holds no StreamCRM state yet")
            }
            return nil
        }
        let select = try connection.prepare("SELECT version FROM schema_version WHERE id = 1")
        guard try select.step("reading the schema version of") else {
            throw StoreError(kind: .corrupt, path: connection.path,
                             message: "state database \(connection.path) has an empty schema_version table")
        }
        let version = select.int64(0)
        select.reset()
        if version > schemaVersion {
            throw StoreError(kind: .unsupportedSchema, path: connection.path,
                             message: "state database \(connection.path) has schema version \(version), newer than "
                                 + "this build supports (\(schemaVersion)); upgrade streamcrm or use another "
                                 + "state directory")
        }
        if version < 1 {
            throw StoreError(kind: .corrupt, path: connection.path,
                             message: "state database \(connection.path) has invalid schema version \(version)")
        }
        return version
    }

    /// The prepared statements the store reuses; each owns its `sqlite3_stmt*` (see `SQLiteStatement`).
    final class Statements {
        let beginImmediate, beginDeferred, commit, rollback: SQLiteStatement
        let upsertCustomer, deleteCustomer, selectCustomer, countCustomers: SQLiteStatement
        let selectCustomersOfPartition, deleteCustomersOfPartition, selectCustomerPartitions: SQLiteStatement
        let upsertGlobal, deleteGlobal, selectGlobal: SQLiteStatement
        let upsertOffset, selectOffsets, deleteOffsetsOfPartition: SQLiteStatement
        let upsertMeta, selectMeta: SQLiteStatement

        init(_ c: SQLiteConnection) throws {
            beginImmediate = try c.prepare("BEGIN IMMEDIATE")
            beginDeferred = try c.prepare("BEGIN DEFERRED")
            commit = try c.prepare("COMMIT")
            rollback = try c.prepare("ROLLBACK")
            upsertCustomer = try c.prepare("""
                INSERT INTO customers(partition, user_id, state) VALUES (?1, ?2, ?3)
                ON CONFLICT(user_id) DO UPDATE SET partition = excluded.partition, state = excluded.state
                """)
            deleteCustomer = try c.prepare("DELETE FROM customers WHERE user_id = ?1")
            selectCustomer = try c.prepare("SELECT partition, state FROM customers WHERE user_id = ?1")
            countCustomers = try c.prepare("SELECT count(*) FROM customers")
            selectCustomersOfPartition = try c.prepare("SELECT user_id, state FROM customers WHERE partition = ?1")
            deleteCustomersOfPartition = try c.prepare("DELETE FROM customers WHERE partition = ?1")
            selectCustomerPartitions = try c.prepare("SELECT DISTINCT partition FROM customers")
            upsertGlobal = try c.prepare("""
                INSERT INTO globals(key, state) VALUES (?1, ?2)
                ON CONFLICT(key) DO UPDATE SET state = excluded.state
                """)
            deleteGlobal = try c.prepare("DELETE FROM globals WHERE key = ?1")
            selectGlobal = try c.prepare("SELECT state FROM globals WHERE key = ?1")
            upsertOffset = try c.prepare("""
                INSERT INTO offsets(topic, partition, next_offset) VALUES (?1, ?2, ?3)
                ON CONFLICT(topic, partition) DO UPDATE SET next_offset = excluded.next_offset
                """)
            selectOffsets = try c.prepare("SELECT topic, partition, next_offset FROM offsets")
            deleteOffsetsOfPartition = try c.prepare("DELETE FROM offsets WHERE partition = ?1 AND topic = ?2")
            upsertMeta = try c.prepare("""
                INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value
                """)
            selectMeta = try c.prepare("SELECT value FROM meta WHERE key = ?1")
        }
    }
}
