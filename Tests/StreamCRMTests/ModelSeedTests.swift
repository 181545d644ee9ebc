import CRMModel
import Foundation
import Kafka
import XCTest
@testable import StreamCRM

/// `streamcrm export-model`, `model.seed` and `model.frozen`: a state directory's models copied
/// without its customers, offsets, clock or counters; a daemon starting from them only while its
/// own store has no models; and, with the models frozen, a partition handover between two
/// daemons that emits exactly the outputs of one daemon reading everything.
final class ModelSeedTests: XCTestCase {
    func trainedEngine() -> CRMEngine {
        let engine = CRMEngine()
        var outputs: [ModelOutput] = []
        for (i, e) in GuaranteeTests.shopEvents().enumerated() {
            engine.process(e, at: SourcePosition(topic: "train", partition: 0, offset: Int64(i)), into: &outputs)
        }
        return engine
    }

    /// A state directory holding `engine` as a daemon's checkpoint would (customers, offsets, every global).
    func checkpointedStore(_ engine: CRMEngine) throws -> String {
        let dir = try makeStoreTempDirectory(self) + "/daemon"
        let store = try StateStore(directory: dir)
        var batch = CheckpointBatch()
        for id in engine.customers.keys.sorted() {
            let (p, state) = engine.encodeCustomer(id)!
            batch.upsertCustomer(partition: p, userID: id, state: state)
        }
        for (key, state) in engine.encodeGlobals() { batch.setGlobal(key, state: state) }
        batch.setOffset(topic: "shop.orders", partition: 0, nextOffset: 99)
        try store.write(batch)
        return dir
    }

    func testExportCopiesTheModelsAndNothingOfTheStream() throws {
        let engine = trainedEngine()
        XCTAssertGreaterThan(engine.similarity.itemCount, 0)
        let source = try checkpointedStore(engine)
        let out = try makeStoreTempDirectory(self) + "/model"
        try ModelSeed.export(ModelSeed.load(from: source), to: out)

        let exported = try StateStore(directory: out, mode: .readOnly)
        let original = Dictionary(uniqueKeysWithValues: engine.encodeGlobals().map { ($0.key, $0.state) })
        for key in CRMEngine.modelKeys { XCTAssertEqual(try exported.loadGlobal(key), original[key], key) }
        XCTAssertNil(try exported.loadGlobal("clock"))
        XCTAssertNil(try exported.loadGlobal("stats"))
        XCTAssertEqual(try exported.customerCount(), 0)
        XCTAssertTrue(try exported.offsets().isEmpty)

        // An engine restored from the export has the trained models and no customers.
        let blobs = try ModelSeed.load(from: out)
        let fresh = CRMEngine()
        try fresh.restoreGlobals { blobs[$0] }
        XCTAssertTrue(fresh.customers.isEmpty)
        XCTAssertNil(fresh.watermark.current)
        for item in ["i1", "i2", "i3", "i10"] {
            XCTAssertEqual(fresh.similarity.neighbours(of: item), engine.similarity.neighbours(of: item), item)
        }
        XCTAssertEqual(fresh.kmeans.centroids, engine.kmeans.centroids)
        XCTAssertEqual(fresh.segmentNames, engine.segmentNames)
    }

    func testBadSeedsAreRefusedNamingThePath() throws {
        let parent = try makeStoreTempDirectory(self)
        XCTAssertThrowsError(try ModelSeed.load(from: parent + "/missing")) { XCTAssertTrue("\($0)".contains(parent + "/missing"), "\($0)") }
        // A plain directory (writable, but no store in it) is named as holding no store.
        let plain = parent + "/plain"
        try FileManager.default.createDirectory(atPath: plain, withIntermediateDirectories: false)
        XCTAssertThrowsError(try ModelSeed.load(from: plain)) { error in
            XCTAssertEqual("\(error)".contains("no state store in \(plain): \(plain)/state.sqlite does not exist"), true, "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: plain + "/state.sqlite"), "a read-only open must create nothing")
        let empty = parent + "/empty"
        _ = try StateStore(directory: empty)
        XCTAssertThrowsError(try ModelSeed.load(from: empty)) { error in
            XCTAssertTrue("\(error)".contains("\(empty) holds no global models"), "\(error)")
        }
        let source = try checkpointedStore(trainedEngine())
        XCTAssertThrowsError(try ModelSeed.export(ModelSeed.load(from: source), to: source)) { error in
            XCTAssertTrue("\(error)".contains("\(source) already holds a state store"), "\(error)")
        }
    }

    func testADaemonWithABadSeedStopsAtStartNamingIt() throws {
        let missing = try makeStoreTempDirectory(self) + "/no-such-model"
        let h = try DaemonHarness(partitions: 1)
        XCTAssertThrowsError(try h.runDaemon(overrides: ["model.seed=\(missing)"])) { error in
            XCTAssertTrue("\(error)".contains(missing), "\(error)")
        }
    }

    /// Found by the attack round: a seed trained with another k was dropped silently (no segments
    /// at all when frozen), a damaged blob was reported without naming the seed or the model, an
    /// empty model was accepted.
    func testASeedIsCheckedAgainstTheRunningConfiguration() throws {
        let source = try checkpointedStore(trainedEngine())
        let seed = try makeStoreTempDirectory(self) + "/seed"
        try ModelSeed.export(ModelSeed.load(from: source), to: seed)
        XCTAssertNoThrow(try ModelSeed.load(from: seed, config: EngineConfig()))
        var k3 = EngineConfig()
        k3.segmentCount = 3
        XCTAssertThrowsError(try ModelSeed.load(from: seed, config: k3)) { error in
            XCTAssertTrue(error is ConfigError, "\(error)")
            XCTAssertTrue("\(error)".contains("model.seed"), "\(error)")
            XCTAssertTrue("\(error)".contains("trained with k=5 (model.segments.k is 3)"), "\(error)")
        }

        // A damaged segments blob is named.
        var blobs = try ModelSeed.load(from: seed)
        blobs["segments"] = Array(blobs["segments"]!.prefix(100))
        let damaged = try makeStoreTempDirectory(self) + "/damaged"
        try ModelSeed.export(blobs, to: damaged)
        XCTAssertThrowsError(try ModelSeed.load(from: damaged, config: EngineConfig())) { error in
            XCTAssertTrue("\(error)".contains("model seed \(damaged): its 'segments' model is damaged"), "\(error)")
        }

        // Models that learned nothing: refused as a seed, and export-model refuses them too.
        let untrained = try checkpointedStore(CRMEngine())
        let empty = try makeStoreTempDirectory(self) + "/empty"
        try ModelSeed.export(ModelSeed.load(from: untrained), to: empty)
        XCTAssertThrowsError(try ModelSeed.load(from: empty, config: EngineConfig())) { error in
            XCTAssertTrue("\(error)".contains("its models are empty"), "\(error)")
        }
        let out = try makeStoreTempDirectory(self) + "/out"
        XCTAssertEqual(StreamCRMCommand.main(["streamcrm", "export-model", "--state-dir", untrained, out]), 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    /// Output event ids of every output topic (tombstones excluded).
    func outputIDs(_ h: DaemonHarness) throws -> (ids: Set<String>, byKind: [String: Int], copies: Int) {
        var ids = Set<String>(), byKind: [String: Int] = [:], copies = 0
        for (topic, messages) in try h.outputs() where topic != h.topics.deadLetter {
            for m in messages {
                guard let id = m.json?["event_id"] as? String else { continue }
                copies += 1
                if ids.insert(id).inserted { byKind[topic, default: 0] += 1 }
            }
        }
        return (ids, byKind, copies)
    }

    func testAHandoverWithFrozenModelsEmitsExactlyTheOutputsOfASingleDaemon() throws {
        let events = GuaranteeTests.shopEvents()
        let seed = try makeStoreTempDirectory(self) + "/seed"
        try ModelSeed.export(ModelSeed.load(from: checkpointedStore(trainedEngine())), to: seed)
        // Clicks and orders on one topic, as in scripts/fault-test: a customer's events then keep
        // their order. (On two topics, Kafka orders a customer's clicks against their orders
        // differently from one read to the next, and so would any consumer.)
        let frozen = ["model.seed=\(seed)", "model.frozen=true", "topic.clickstream=shop.events", "topic.orders=shop.events"]
        let encoder = EventEncoder()
        let records = events.map { (topic: "shop.events", key: $0.userID ?? "", value: encoder.encode($0)) }

        // The reference: one daemon reads all 4 partitions.
        let single = try DaemonHarness(partitions: 4)
        try single.broker.ensure(topics: ["shop.events"])
        try single.produce(records)
        XCTAssertEqual(try single.runDaemon(group: "single", overrides: frozen).1, 0)
        let reference = try outputIDs(single)

        // A reads the first third, B (another state directory) takes every partition over through
        // the changelog for the second, A comes back for the last.
        let h = try DaemonHarness(partitions: 4)
        try h.broker.ensure(topics: ["shop.events"])
        let dirA = h.stateDir + "-a", dirB = h.stateDir + "-b"
        defer { for d in [dirA, dirB] { try? FileManager.default.removeItem(atPath: d) } }
        let thirds = [0, events.count / 3, 2 * events.count / 3, events.count]
        for (i, dir) in [dirA, dirB, dirA].enumerated() {
            try h.produce(Array(records[thirds[i]..<thirds[i + 1]]))
            XCTAssertEqual(try h.runDaemon(group: "g", stateDir: dir, overrides: frozen).1, 0)
        }
        let handed = try outputIDs(h)
        XCTAssertGreaterThan(reference.byKind[single.topics.recommendations] ?? 0, 100)
        XCTAssertGreaterThan(reference.byKind[single.topics.segments] ?? 0, 10)
        XCTAssertEqual(reference.byKind, handed.byKind)
        XCTAssertEqual(reference.ids.subtracting(handed.ids).sorted().prefix(5), [], "missing after the handover")
        XCTAssertEqual(handed.ids.subtracting(reference.ids).sorted().prefix(5), [], "not in the single run")
    }
}
