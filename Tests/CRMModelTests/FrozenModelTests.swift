import XCTest
@testable import CRMModel

/// `model.frozen` (``EngineConfig/freezeGlobalModels``): with the global models frozen, each
/// customer's outputs and state depend only on that customer's events, so two instances that read
/// the same partitions in any interleaving (a consumer group before and after a rebalance) emit the
/// same outputs with the same ids. The learning engine, fed the same interleavings, does not (the
/// control: the comparison can fail).
final class FrozenModelTests: XCTestCase {
    typealias Stream = [(ShopEvent, SourcePosition)]

    /// The first fifth of EngineStateTests' seeded stream trains the models; the rest (without its
    /// `forget_user`s, which by design edit the shared similarity) is then served. Users 0..<15 go
    /// silent after the first third, inside the served part: their churn timers fire mid-stream.
    func split() -> (warm: ArraySlice<(ShopEvent, SourcePosition)>, serve: Stream) {
        let all = EngineStateTests.stream(count: 3_000)
        let half = all.count / 5
        let serve = all[half...].filter { if case .forgetUser = $0.0 { return false } else { return true } }
        return (all[..<half], Array(serve))
    }

    /// The same events, each partition's in its own order, the partitions interleaved by a seeded
    /// random choice of the next partition (0 = the order given).
    func interleaved(_ events: Stream, seed: UInt64) -> Stream {
        guard seed != 0 else { return events }
        var queues: [Int32: ArraySlice<(ShopEvent, SourcePosition)>] = [:]
        for p in Set(events.map(\.1.partition)).sorted() { queues[p] = events.filter { $0.1.partition == p }[...] }
        var rng = EngineStateTests.LCG(state: seed)
        var out: Stream = []
        while !queues.isEmpty {
            let keys = queues.keys.sorted()
            let p = keys[rng.next(keys.count)]
            // Runs of up to 60 events from one partition: far enough apart in event time that
            // the watermark (the largest time on any partition) runs days ahead of the others.
            for _ in 0..<(1 + rng.next(60)) {
                guard let e = queues[p]?.popFirst() else { break }
                out.append(e)
            }
            if queues[p]?.isEmpty == true { queues[p] = nil }
        }
        precondition(out.count == events.count)
        return out
    }

    func serve(globals: [String: [UInt8]], frozen: Bool, _ events: Stream) throws -> (outputs: [String: [String]], engine: CRMEngine) {
        var c = EngineStateTests.config()
        c.freezeGlobalModels = frozen
        let engine = CRMEngine(config: c)
        try engine.restoreGlobals { globals[$0] }
        var outputs: [ModelOutput] = []
        for (e, p) in events { engine.process(e, at: p, into: &outputs) }
        // Time moves to the end on every engine alike (the end of a replay).
        engine.advance(to: events.map { $0.0.ts ?? 0 }.max()!, into: &outputs)
        var byCustomer: [String: [String]] = [:]
        for o in outputs { byCustomer[o.userID, default: []].append("\(o)") }
        return (byCustomer.mapValues { $0.sorted() }, engine)
    }

    func testFrozenModelsGiveTheSameOutputsAndStateInAnyInterleavingOfPartitions() throws {
        let (warm, served) = split()
        let trainer = CRMEngine(config: EngineStateTests.config())
        _ = EngineStateTests.feed(trainer, warm)
        XCTAssertTrue(trainer.kmeans.isInitialized)
        XCTAssertGreaterThan(trainer.similarity.itemCount, 0)
        let globals = Dictionary(uniqueKeysWithValues: trainer.encodeGlobals().map { ($0.key, $0.state) })
        let modelBlobs = { (e: CRMEngine) in
            e.encodeGlobals().filter { CRMEngine.modelKeys.contains($0.key) }.map(\.state)
        }

        let reference = try serve(globals: globals, frozen: true, served)
        let kinds = reference.outputs.values.joined()
        XCTAssertTrue(kinds.contains { $0.hasPrefix("recommendation") }, "the frozen models still recommend")
        XCTAssertTrue(kinds.contains { $0.hasPrefix("segmentChange") })
        XCTAssertTrue(kinds.contains { $0.hasPrefix("churnAlert") }, "silent customers are still alerted")
        XCTAssertEqual(modelBlobs(reference.engine), modelBlobs(trainer), "nothing learned while frozen")
        for seed: UInt64 in [3, 11, 2024] {
            let other = try serve(globals: globals, frozen: true, interleaved(served, seed: seed))
            let users = Set(other.outputs.keys).union(reference.outputs.keys).sorted()
            XCTAssertEqual(users.filter { other.outputs[$0] != reference.outputs[$0] }, [],
                           "customers whose outputs differ, interleaving \(seed)")
            let a = EngineStateTests.customerBlobs(other.engine), b = EngineStateTests.customerBlobs(reference.engine)
            XCTAssertEqual(Set(a.keys).union(b.keys).sorted().filter { a[$0] != b[$0] }, [],
                           "customers whose state differs, interleaving \(seed)")
            XCTAssertEqual(modelBlobs(other.engine), modelBlobs(trainer))
        }
    }

    func testLearningModelsDependOnTheInterleaving() throws {
        // The control: the same comparison with learning on differs, so the test above can fail.
        let (warm, served) = split()
        let trainer = CRMEngine(config: EngineStateTests.config())
        _ = EngineStateTests.feed(trainer, warm)
        let globals = Dictionary(uniqueKeysWithValues: trainer.encodeGlobals().map { ($0.key, $0.state) })
        let a = try serve(globals: globals, frozen: false, served)
        let b = try serve(globals: globals, frozen: false, interleaved(served, seed: 3))
        XCTAssertNotEqual(a.outputs, b.outputs)
    }

    /// Found by the attack round: erasure subtracted the forgotten customer's recent pairs from
    /// the frozen co-occurrence, although their events had added nothing to it (it came from the
    /// seed), so another customer's erasure changed everyone's recommendations.
    func testErasureLeavesAFrozenSimilarityAlone() throws {
        let (warm, served) = split()
        let trainer = CRMEngine(config: EngineStateTests.config())
        _ = EngineStateTests.feed(trainer, warm)
        let globals = Dictionary(uniqueKeysWithValues: trainer.encodeGlobals().map { ($0.key, $0.state) })
        var c = EngineStateTests.config()
        c.freezeGlobalModels = true
        let engine = CRMEngine(config: c)
        try engine.restoreGlobals { globals[$0] }
        var outputs: [ModelOutput] = []
        for (e, p) in served.prefix(400) { engine.process(e, at: p, into: &outputs) }
        let user = try XCTUnwrap(engine.customers.keys.sorted().first { !(engine.customers[$0]?.profile.recent.isEmpty ?? true) })
        engine.process(.forgetUser(userID: user), at: SourcePosition(topic: "control", partition: 0, offset: 0), into: &outputs)
        XCTAssertNil(engine.customers[user])
        let similarity = { (e: CRMEngine) in e.encodeGlobals().first { $0.key == "similarity" }!.state }
        XCTAssertEqual(similarity(engine), similarity(trainer))
    }
}
