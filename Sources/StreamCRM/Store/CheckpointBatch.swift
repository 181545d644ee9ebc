/// Everything one checkpoint writes, applied by `StateStore.write(_:)` in a single transaction.
///
/// Within a batch, deletions are applied before upserts, so a customer who is both deleted and
/// upserted ends up stored with the upserted state (erased, then seen again). Builders should put
/// each customer in one list only, reflecting their final in-memory state.
public struct CheckpointBatch: Sendable {
    /// Customers whose state changed since the last checkpoint: their partition, id and encoded state.
    public var customers: [(partition: Int32, userID: String, state: [UInt8])]
    /// Customers erased since the last checkpoint (`forget_user`).
    public var deletedUsers: [String]
    /// Global (non-customer) state blobs that changed, by key.
    public var globals: [(key: String, state: [UInt8])]
    /// Global keys to remove.
    public var deletedGlobals: [String]
    /// The next input offset to read for each partition, reflecting exactly the state above.
    public var offsets: [(topic: String, partition: Int32, nextOffset: Int64)]

    /// Creates a batch; every part defaults to empty.
    public init(customers: [(partition: Int32, userID: String, state: [UInt8])] = [],
                deletedUsers: [String] = [],
                globals: [(key: String, state: [UInt8])] = [],
                deletedGlobals: [String] = [],
                offsets: [(topic: String, partition: Int32, nextOffset: Int64)] = []) {
        self.customers = customers
        self.deletedUsers = deletedUsers
        self.globals = globals
        self.deletedGlobals = deletedGlobals
        self.offsets = offsets
    }

    /// Whether the batch writes nothing.
    public var isEmpty: Bool {
        customers.isEmpty && deletedUsers.isEmpty && globals.isEmpty && deletedGlobals.isEmpty && offsets.isEmpty
    }

    /// Adds a changed customer.
    public mutating func upsertCustomer(partition: Int32, userID: String, state: [UInt8]) {
        customers.append((partition, userID, state))
    }

    /// Adds an erased customer.
    public mutating func deleteCustomer(_ userID: String) {
        deletedUsers.append(userID)
    }

    /// Adds a changed global blob.
    public mutating func setGlobal(_ key: String, state: [UInt8]) {
        globals.append((key, state))
    }

    /// Records the next offset to read for a topic partition.
    public mutating func setOffset(topic: String, partition: Int32, nextOffset: Int64) {
        offsets.append((topic, partition, nextOffset))
    }
}
