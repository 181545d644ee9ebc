import CRMModel

/// The global models of a state directory, taken without its customers, offsets, clock or counters
/// (``CRMEngine/modelKeys``): what `model.seed` starts a fresh state directory from and what
/// `streamcrm export-model` writes. A seed is itself a state directory, so a daemon's own state
/// directory can serve as one, read-only, while that daemon runs.
public enum ModelSeed {
    /// The model blobs of the state directory `path`, by key. Throws ``StoreError`` naming the path
    /// when it cannot be opened, is not a StreamCRM store, or holds no model at all.
    public static func load(from path: String) throws -> [String: [UInt8]] {
        let store = try StateStore(directory: path, mode: .readOnly)
        var blobs: [String: [UInt8]] = [:]
        for key in CRMEngine.modelKeys {
            if let bytes = try store.loadGlobal(key) { blobs[key] = bytes }
        }
        guard !blobs.isEmpty else {
            throw StoreError(kind: .invalidRequest, path: path,
                             message: "model seed \(path) holds no global models (no checkpoint has been written there)")
        }
        return blobs
    }

    /// The model blobs of `path` (``load(from:)``), checked against the running configuration
    /// (``CRMEngine/seedProblem(_:)``): every problem is a ``ConfigError`` on `model.seed` naming
    /// the path, so that `run`, `replay` and `check-config` refuse it with exit status 78.
    public static func load(from path: String, config: EngineConfig) throws -> [String: [UInt8]] {
        let blobs: [String: [UInt8]]
        do {
            blobs = try load(from: path)
        } catch let error as StoreError {
            throw ConfigError(key: "model.seed", value: path, problem: "cannot serve as a model seed: \(error.message)")
        }
        if let problem = CRMEngine(config: config).seedProblem(blobs) {
            throw ConfigError(key: "model.seed", value: path, problem: "model seed \(path): \(problem)")
        }
        return blobs
    }

    /// Whether the store holds any global state (a state directory that has been checkpointed).
    public static func hasGlobals(_ store: StateStore) throws -> Bool {
        for key in CRMEngine.globalKeys where try store.loadGlobal(key) != nil { return true }
        return false
    }

    /// Writes `blobs` (model keys only) as the only content of a new state directory `path`.
    /// Refuses (``StoreError``, kind `invalidRequest`) a directory that already holds a store.
    public static func export(_ blobs: [String: [UInt8]], to path: String) throws {
        let store = try StateStore(directory: path)
        guard try !hasGlobals(store), try store.customerCount() == 0, try store.offsets().isEmpty else {
            throw StoreError(kind: .invalidRequest, path: path,
                             message: "\(path) already holds a state store; export-model writes a new one")
        }
        var batch = CheckpointBatch()
        for key in CRMEngine.modelKeys { if let bytes = blobs[key] { batch.setGlobal(key, state: bytes) } }
        try store.write(batch)
    }
}
