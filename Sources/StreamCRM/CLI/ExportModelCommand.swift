import CRMModel

/// `streamcrm export-model --state-dir DIR OUT_DIR`: copies the global models of a state directory
/// (``ModelSeed``: similarity, popularity, categories, sessions, segments, churn, catalog; no
/// customers, offsets, clock or counters) into a new state directory, which `model.seed` can then
/// start other instances or a fresh deployment from. Reads DIR read-only, so a running daemon's
/// state directory can be exported.
enum ExportModelCommand {
    static func main(_ args: [String]) throws -> Int32 {
        let parsed = try Arguments(args, command: "export-model")
        guard let dir = parsed.value("state-dir") else { throw UsageError("export-model needs --state-dir DIR") }
        guard parsed.positional.count == 1, let out = parsed.positional.first else {
            throw UsageError("export-model needs one OUT_DIR (a new state directory)")
        }
        let blobs = try ModelSeed.load(from: dir)
        if let problem = CRMEngine().seedProblem(blobs, checkSegmentCount: false) {
            throw UsageError("\(dir) cannot be exported: \(problem)")
        }
        try ModelSeed.export(blobs, to: out)
        let bytes = blobs.values.reduce(0) { $0 + $1.count }
        StandardError.write("export-model: \(blobs.count) model blobs (\(bytes) bytes: \(blobs.keys.sorted().joined(separator: ", "))) from \(dir) to \(out)\n")
        return 0
    }
}
