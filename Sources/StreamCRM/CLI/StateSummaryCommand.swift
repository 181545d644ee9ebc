import CRMModel
import Foundation

/// `streamcrm state-summary --state-dir DIR [--config F] [--set k=v]`: opens a daemon's state
/// store read-only, restores it into an engine (with the configuration the daemon ran with) and
/// prints one JSON object that a verifier can compare between runs:
///
/// - `offsets`: checkpointed next offset per `topic/partition`
/// - `stats`: the engine's event counters
/// - `customers`: count, total orders, total monetary value
/// - `per_customer`: `{user: [orders, monetary, state_digest, profile_digest]}` where
///   `state_digest` hashes the stored customer blob (everything, segment and last recommendation
///   included) and `profile_digest` hashes only what depends on the customer's own events (the
///   profile and the remembered event ids), which is the same under any interleaving of customers
/// - `similarity`: tracked items, pairs, and the sums of stored occurrence and co-occurrence counts
/// - `centroids`: k-means weights, their sum and a digest of the centroids
/// - `globals`: a digest of each stored global blob
///
/// Numbers are written in shortest round-trip form, so equal doubles print equal. Digests are
/// 64-bit FNV-1a in hex (a comparison aid, not a cryptographic hash).
enum StateSummaryCommand {
    static func main(_ args: [String]) throws -> Int32 {
        let parsed = try Arguments(args, command: "state-summary")
        guard let dir = parsed.value("state-dir") else { throw UsageError("state-summary needs --state-dir DIR") }
        let config = try Configuration.load(file: parsed.value("config"), overrides: parsed.values("set"))
        var out = try StateSummary(directory: dir, engineConfig: EngineConfig(config)).json()
        out.append(0x0A)
        let output = BufferedOutput(fd: 1)
        try output.write(out)
        try output.flush()
        return 0
    }
}

/// A comparable summary of a state store (see `StateSummaryCommand`).
struct StateSummary {
    struct Customer: Equatable {
        var orders: Int
        var monetary: Double
        var stateDigest: UInt64
        var profileDigest: UInt64
    }

    var offsets: [String: Int64] = [:]
    var stats = EngineStats()
    var customers: [String: Customer] = [:]
    var similarityItems = 0
    var similarityPairs = 0
    var occurrenceTotal = 0.0
    var coOccurrenceTotal = 0.0
    var centroidWeights: [Double] = []
    var centroidDigest: UInt64 = 0
    var globals: [String: UInt64] = [:]

    /// Reads the store in `directory` (read-only) and restores it into an engine.
    init(directory: String, engineConfig: EngineConfig) throws {
        let store = try StateStore(directory: directory, mode: .readOnly)
        for (key, next) in try store.offsets() { offsets["\(key.topic)/\(key.partition)"] = next }
        let engine = CRMEngine(config: engineConfig)
        try engine.restoreGlobals { try store.loadGlobal($0) }
        for key in CRMEngine.globalKeys {
            if let blob = try store.loadGlobal(key) { globals[key] = FNV.hash(blob) }
        }
        let partitions = try Self.customerPartitions(store)
        let profileEncoder = JSONEncoder()
        profileEncoder.outputFormatting = [.sortedKeys]
        try store.loadCustomers(partitions: partitions) { partition, userID, blob in
            try engine.restoreCustomer(userID: userID, partition: partition, from: blob)
            let c = engine.customers[userID]!
            let own = try profileEncoder.encode(ProfileDigestInput(profile: c.profile, recentEventIDs: c.recentEventIDs))
            customers[userID] = Customer(orders: c.profile.orderCount, monetary: c.profile.monetary,
                                         stateDigest: FNV.hash(blob), profileDigest: FNV.hash(own))
        }
        stats = engine.stats
        centroidWeights = engine.kmeans.weights
        var centroidBytes: [UInt8] = []
        for centroid in engine.kmeans.centroids {
            for v in centroid { withUnsafeBytes(of: v.bitPattern.littleEndian) { centroidBytes.append(contentsOf: $0) } }
        }
        centroidDigest = FNV.hash(centroidBytes)
        let snapshot = try JSONDecoder().decode(SimilarityMirror.self, from: JSONEncoder().encode(engine.similarity.snapshot()))
        similarityItems = snapshot.nodes.count
        for item in snapshot.nodes.keys.sorted() {
            let node = snapshot.nodes[item]!
            occurrenceTotal += node.count
            for partner in node.pairs.keys.sorted() {
                coOccurrenceTotal += node.pairs[partner]!
                similarityPairs += 1
            }
        }
    }

    /// Every partition that holds customers.
    private static func customerPartitions(_ store: StateStore) throws -> [Int32] {
        let statement = try store.connection.prepare("SELECT DISTINCT partition FROM customers ORDER BY partition")
        var result: [Int32] = []
        while try statement.step("listing partitions of") { result.append(Int32(truncatingIfNeeded: statement.int64(0))) }
        statement.reset()
        return result
    }

    /// The summary as one JSON object (customers in sorted order).
    func json() -> [UInt8] {
        var o: [UInt8] = []
        o.reserveCapacity(128 + customers.count * 80)
        JSONWriter.appendRaw("{\"offsets\":{", to: &o)
        for (i, key) in offsets.keys.sorted().enumerated() {
            if i > 0 { o.append(0x2C) }
            JSONWriter.appendString(key, to: &o); o.append(0x3A); JSONWriter.appendInt(offsets[key]!, to: &o)
        }
        JSONWriter.appendRaw("},\"stats\":{", to: &o)
        let counters: [(String, Int)] = [
            ("clicks", stats.clicks), ("orders", stats.orders), ("cancels", stats.cancels), ("refunds", stats.refunds),
            ("catalog_records", stats.catalogRecords), ("forgotten", stats.forgotten), ("duplicates", stats.duplicates),
            ("late_events", stats.lateEvents), ("rejected", stats.rejected), ("recommendations", stats.recommendations),
            ("churn_alerts", stats.churnAlerts), ("reactivations", stats.reactivations),
            ("segment_changes", stats.segmentChanges), ("churn_refits", stats.churnRefits),
        ]
        for (i, (name, value)) in counters.enumerated() {
            if i > 0 { o.append(0x2C) }
            JSONWriter.appendString(name, to: &o); o.append(0x3A); JSONWriter.appendInt(Int64(value), to: &o)
        }
        let ids = customers.keys.sorted()
        var orders = 0, monetary = 0.0
        for id in ids { orders += customers[id]!.orders; monetary += customers[id]!.monetary }
        JSONWriter.appendRaw("},\"customers\":{\"count\":", to: &o)
        JSONWriter.appendInt(Int64(ids.count), to: &o)
        JSONWriter.appendRaw(",\"orders\":", to: &o)
        JSONWriter.appendInt(Int64(orders), to: &o)
        JSONWriter.appendRaw(",\"monetary\":", to: &o)
        JSONWriter.appendDouble(monetary, to: &o)
        JSONWriter.appendRaw("},\"similarity\":{\"items\":", to: &o)
        JSONWriter.appendInt(Int64(similarityItems), to: &o)
        JSONWriter.appendRaw(",\"pairs\":", to: &o)
        JSONWriter.appendInt(Int64(similarityPairs), to: &o)
        JSONWriter.appendRaw(",\"occurrence_total\":", to: &o)
        JSONWriter.appendDouble(occurrenceTotal, to: &o)
        JSONWriter.appendRaw(",\"co_occurrence_total\":", to: &o)
        JSONWriter.appendDouble(coOccurrenceTotal, to: &o)
        JSONWriter.appendRaw("},\"centroids\":{\"weights\":[", to: &o)
        for (i, w) in centroidWeights.enumerated() {
            if i > 0 { o.append(0x2C) }
            JSONWriter.appendDouble(w, to: &o)
        }
        JSONWriter.appendRaw("],\"sum\":", to: &o)
        JSONWriter.appendDouble(centroidWeights.reduce(0, +), to: &o)
        JSONWriter.appendRaw(",\"digest\":", to: &o)
        JSONWriter.appendString(FNV.hex(centroidDigest), to: &o)
        JSONWriter.appendRaw("},\"globals\":{", to: &o)
        for (i, key) in globals.keys.sorted().enumerated() {
            if i > 0 { o.append(0x2C) }
            JSONWriter.appendString(key, to: &o); o.append(0x3A); JSONWriter.appendString(FNV.hex(globals[key]!), to: &o)
        }
        JSONWriter.appendRaw("},\"per_customer\":{", to: &o)
        for (i, id) in ids.enumerated() {
            let c = customers[id]!
            if i > 0 { o.append(0x2C) }
            JSONWriter.appendString(id, to: &o)
            JSONWriter.appendRaw(":[", to: &o)
            JSONWriter.appendInt(Int64(c.orders), to: &o); o.append(0x2C)
            JSONWriter.appendDouble(c.monetary, to: &o); o.append(0x2C)
            JSONWriter.appendString(FNV.hex(c.stateDigest), to: &o); o.append(0x2C)
            JSONWriter.appendString(FNV.hex(c.profileDigest), to: &o)
            o.append(0x5D)
        }
        JSONWriter.appendRaw("}}", to: &o)
        return o
    }
}

/// What the profile digest covers: only state that depends on the customer's own events.
private struct ProfileDigestInput: Encodable {
    var profile: UserProfile
    var recentEventIDs: [String]
}

/// The parts of `ItemSimilarity.Snapshot` the summary sums (decoded from its Codable form).
private struct SimilarityMirror: Decodable {
    struct Node: Decodable {
        var count: Double
        var pairs: [String: Double]
    }
    var nodes: [String: Node]
}

/// 64-bit FNV-1a.
enum FNV {
    static func hash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
