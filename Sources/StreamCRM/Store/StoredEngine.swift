import CRMModel

/// Loads an engine from a state directory (read-only): the global models and every customer.
/// For tools and tests that look at what a daemon checkpointed.
public enum StoredEngine {
    /// Reads `directory` without taking the daemon's lock.
    public static func load(directory: String, config: EngineConfig = EngineConfig(), maxPartitions: Int32 = 4096) throws -> CRMEngine {
        let store = try StateStore(directory: directory, mode: .readOnly)
        let engine = CRMEngine(config: config)
        try engine.restoreGlobals { try store.loadGlobal($0) }
        try store.loadCustomers(partitions: Array(0..<maxPartitions)) { partition, userID, bytes in
            try engine.restoreCustomer(userID: userID, partition: partition, from: bytes)
        }
        return engine
    }
}
