#if canImport(Glibc)
import Glibc
#endif
import Foundation
import CRMModel
import StreamCRM

/// One customer's checkpoint record.
struct CustomerBlob {
    var partition: Int32
    var userID: String
    var state: [UInt8]
}

/// An estimate of a customer's serialized size from what its state holds: ids as length + bytes,
/// numbers as 8 bytes, plus a fixed header. Used when this build has no customer codec.
func estimatedStateSize(_ c: CustomerState, at now: EventTime) -> Int {
    let p = c.profile
    var n = 96  // counters, times, segment, partition, versions
    for (id, _) in p.topItems(at: now) { n += 2 + id.utf8.count + 8 }
    for (id, _) in p.topCategories(at: now) { n += 2 + id.utf8.count + 8 }
    for r in p.recent { n += 2 + r.itemID.utf8.count + 8 + 1 }
    for (id, _) in p.bought { n += 2 + id.string.utf8.count + 8 }
    for o in p.appliedOrders { n += 2 + o.orderID.utf8.count + 8 * 3 + 2 }
    for id in c.recentEventIDs { n += 2 + id.utf8.count }
    if c.lastRecommendationDigest != nil { n += 1 + 10 }
    return n
}

/// Collects every customer's checkpoint record: the engine's encoding when this build has one
/// (`real` true), else pseudo-random bytes of the estimated size.
func collectBlobs(_ engine: CRMEngine, partitions: Int32) -> (blobs: [CustomerBlob], real: Bool, encodeSeconds: Double) {
    var blobs: [CustomerBlob] = []
    blobs.reserveCapacity(engine.customers.count)
    let now = engine.watermark.current ?? 0
    let t0 = wallNanos()
    var real = true
    for (userID, _) in engine.customers {
        guard let encoded = engine.encodeCustomer(userID) else { real = false; break }
        blobs.append(CustomerBlob(partition: encoded.partition, userID: userID, state: encoded.state))
    }
    let encodeSeconds = Double(wallNanos() - t0) / 1e9
    if real { return (blobs, true, encodeSeconds) }
    blobs.removeAll(keepingCapacity: true)
    var rng = FastRandom(seed: 99)
    for (userID, c) in engine.customers {
        let size = estimatedStateSize(c, at: now)
        var state = [UInt8](repeating: 0, count: size)
        for i in stride(from: 0, to: size, by: 8) { state[i] = UInt8(truncatingIfNeeded: rng.next()) }
        var h: UInt32 = 2166136261
        for b in userID.utf8 { h = (h ^ UInt32(b)) &* 16777619 }
        blobs.append(CustomerBlob(partition: Int32(h % UInt32(partitions)), userID: userID, state: state))
    }
    return (blobs, false, 0)
}

struct CheckpointResult {
    var customers = 0
    var real = false
    var averageBlob = 0.0
    var encodeSeconds = 0.0
    var writeSeconds = 0.0
    var restoreSeconds = 0.0
    var databaseBytes = 0
}

/// Writes all customers as one checkpoint into a fresh StateStore, then restores them all
/// (partition by partition) into a fresh engine, or, without a codec, into copied buffers.
func checkpointAndRestore(blobs: [CustomerBlob], real: Bool, encodeSeconds: Double, partitions: Int32) throws -> CheckpointResult {
    let dir = "/tmp/streamcrm-bench-store-\(getpid())"
    _ = try? FileManager.default.removeItem(atPath: dir)
    defer { _ = try? FileManager.default.removeItem(atPath: dir) }
    var r = CheckpointResult()
    r.customers = blobs.count
    r.real = real
    r.encodeSeconds = encodeSeconds
    r.averageBlob = Double(blobs.reduce(0) { $0 + $1.state.count }) / Double(max(blobs.count, 1))
    do {
        let store = try StateStore(directory: dir)
        var batch = CheckpointBatch()
        batch.customers.reserveCapacity(blobs.count)
        for b in blobs { batch.upsertCustomer(partition: b.partition, userID: b.userID, state: b.state) }
        batch.setOffset(topic: "shop.clickstream", partition: 0, nextOffset: Int64(blobs.count))
        let t0 = wallNanos()
        try store.write(batch)
        r.writeSeconds = Double(wallNanos() - t0) / 1e9 + encodeSeconds
    }
    let attrs = try? FileManager.default.attributesOfItem(atPath: dir + "/" + StateStore.databaseFileName)
    r.databaseBytes = (attrs?[.size] as? Int) ?? 0
    let store = try StateStore(directory: dir)
    let engine = CRMEngine()
    var restored = 0
    var kept: [[UInt8]] = []
    if !real { kept.reserveCapacity(blobs.count) }
    let t1 = wallNanos()
    try store.loadCustomers(partitions: Array(0..<partitions)) { partition, userID, state in
        if real {
            try engine.restoreCustomer(userID: userID, partition: partition, from: state)
        } else {
            kept.append([UInt8](state))
        }
        restored += 1
    }
    r.restoreSeconds = Double(wallNanos() - t1) / 1e9
    if restored != blobs.count { throw BenchError("restored \(restored) customers of \(blobs.count)") }
    return r
}
