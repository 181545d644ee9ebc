import CRMModel
import Foundation
import Kafka
import XCTest
@testable import StreamCRM

/// Restarts, partition handover between instances, erasure and an unusable state directory
/// (DESIGN.md §5–7), against the in-process mock cluster.
final class GuaranteeTests: XCTestCase {
    /// A small shop: 120 customers over 40 days, with orders, cancels and refunds.
    func shopEvents() -> [ShopEvent] { Self.shopEvents() }

    static func shopEvents() -> [ShopEvent] {
        var config = ShopTrafficConfig()
        config.customerCount = 120
        config.itemCount = 80
        config.days = 40
        config.seed = 7
        return ShopTrafficGenerator(config: config).events()
    }

    /// Per-customer order count and monetary total, from a reference engine fed every event in
    /// time order (these depend only on the customer's own orders, not on interleaving).
    static func reference(_ events: [ShopEvent]) -> [String: (Int, Double)] {
        let engine = CRMEngine()
        var outputs: [ModelOutput] = []
        for (i, e) in events.enumerated() {
            engine.process(e, at: SourcePosition(topic: "ref", partition: 0, offset: Int64(i)), into: &outputs)
        }
        return engine.customers.mapValues { ($0.profile.orderCount, $0.profile.monetary) }
    }

    /// The same quantities from a daemon's state directory.
    static func stored(_ dir: String) throws -> [String: (Int, Double)] {
        try StoredEngine.load(directory: dir).customers.mapValues { ($0.profile.orderCount, $0.profile.monetary) }
    }

    static func assertSame(_ a: [String: (Int, Double)], _ b: [String: (Int, Double)], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(Set(a.keys), Set(b.keys), "customers differ", file: file, line: line)
        var mismatches = 0
        for (user, x) in a {
            guard let y = b[user] else { continue }
            if x.0 != y.0 || abs(x.1 - y.1) > 1e-6 {
                mismatches += 1
                if mismatches <= 5 { print("mismatch \(user): \(x) vs reference \(y)") }
            }
        }
        XCTAssertEqual(mismatches, 0, "customers with a different order count or monetary total", file: file, line: line)
    }

    func testRestartResumesFromTheCheckpointAndCountsEveryOrderOnce() throws {
        let events = shopEvents()
        let half = events.count / 2
        let h = try DaemonHarness(partitions: 4)
        try h.produce(events: Array(events[..<half]))
        XCTAssertEqual(try h.runDaemon().1, 0)
        try h.produce(events: Array(events[half...]))
        let (second, status) = try h.runDaemon()
        XCTAssertEqual(status, 0)
        // The second run processed only the second half.
        XCTAssertEqual(second.processor.counts.events, events.count - half)
        Self.assertSame(try Self.stored(h.stateDir), Self.reference(events))
    }

    /// Found by scripts/fault-test's outage scenario: the commit of the checkpoint that ended a
    /// broker outage was lost with the partitions, the daemon was killed and restarted with no new
    /// input, and Kafka's committed offsets stayed behind the checkpoint (lag monitoring, and a
    /// producer pacing itself by them, waited forever). A restore now commits the offsets it
    /// resumes at. Here the state directory meets a group that has committed nothing.
    func testARestoreCommitsTheOffsetsItResumesAt() throws {
        let events = Array(shopEvents().prefix(400))
        let h = try DaemonHarness(partitions: 4)
        try h.produce(events: events)
        XCTAssertEqual(try h.runDaemon(group: "first").1, 0)
        let stored = try StateStore(directory: h.stateDir, mode: .readOnly).offsets()
            .filter { h.topics.customerKeyedInputs.contains($0.key.topic) }
        XCTAssertEqual(stored.count, 8, "clickstream and orders × 4 partitions (the control topic had no message)")
        XCTAssertEqual(stored.filter { [h.topics.clickstream, h.topics.orders].contains($0.key.topic) }.values.reduce(0, +),
                       Int64(events.count))
        // A running daemon with no new input: its restore must commit (a graceful stop would commit
        // at the revoke anyway, a kill -9 would not).
        let live = LiveDaemonHarness(broker: h.broker)
        try live.start(overrides: ["state.dir=\(h.stateDir)", "group.id=second"])
        let watcher = try KafkaConsumer(config: KafkaConfig([("bootstrap.servers", h.broker.bootstrapServers), ("group.id", "second")]))
        let partitions = stored.keys.map { TopicPartition($0.topic, $0.partition) }
        var committed: [TopicPartitionKey: Int64] = [:]
        XCTAssertTrue(try eventually(timeout: 30) {
            committed = Dictionary(uniqueKeysWithValues: try watcher.committed(partitions: partitions, timeoutMs: 5_000)
                .map { (TopicPartitionKey(topic: $0.topic, partition: $0.partition), $0.offset) })
            return committed == stored
        }, "committed \(committed), checkpointed \(stored)")
        XCTAssertEqual(live.daemon.processor.counts.events, 0)
        guard case .success(0)? = live.stopAndWait() else { return XCTFail("the daemon did not stop cleanly") }
    }

    func testPartitionsMoveBetweenInstancesThroughTheChangelog() throws {
        let events = shopEvents()
        let thirds = [0, events.count / 3, 2 * events.count / 3, events.count]
        let h = try DaemonHarness(partitions: 4)
        let dirA = h.stateDir + "-a", dirB = h.stateDir + "-b"
        defer { for d in [dirA, dirB] { try? FileManager.default.removeItem(atPath: d) } }
        // A processes the first third; B (another machine: another state directory) takes over
        // the partitions and processes the second; A comes back with its stale local store.
        try h.produce(events: Array(events[thirds[0]..<thirds[1]]))
        XCTAssertEqual(try h.runDaemon(group: "g", stateDir: dirA).1, 0)
        try h.produce(events: Array(events[thirds[1]..<thirds[2]]))
        let (b, statusB) = try h.runDaemon(group: "g", stateDir: dirB)
        XCTAssertEqual(statusB, 0)
        XCTAssertEqual(b.processor.counts.events, thirds[2] - thirds[1])
        Self.assertSame(try Self.stored(dirB), Self.reference(Array(events[..<thirds[2]])))
        try h.produce(events: Array(events[thirds[2]...]))
        let (a, statusA) = try h.runDaemon(group: "g", stateDir: dirA)
        XCTAssertEqual(statusA, 0)
        XCTAssertEqual(a.processor.counts.events, thirds[3] - thirds[2])
        Self.assertSame(try Self.stored(dirA), Self.reference(events))
    }

    func testForgetUserErasesStateAndPublishesTombstones() throws {
        let h = try DaemonHarness(partitions: 2)
        let t0: Int64 = 1_764_755_200_000
        var events: [ShopEvent] = []
        for (i, user) in ["u1", "u2"].enumerated() {
            events.append(.order(OrderEvent(eventID: "o\(i)", type: .order, orderID: "o\(i)", userID: user, ts: t0 + Int64(i),
                                            items: [OrderLine(itemID: "i\(i)", quantity: 1, price: 10)], total: 10)))
        }
        try h.produce(events: events)
        XCTAssertEqual(try h.runDaemon().1, 0)
        XCTAssertEqual(Set(try Self.stored(h.stateDir).keys), ["u1", "u2"])
        try h.produce(events: [.forgetUser(userID: "u1")])
        XCTAssertEqual(try h.runDaemon().1, 0)
        XCTAssertEqual(Set(try Self.stored(h.stateDir).keys), ["u2"])
        let tombstones = try h.outputs()[h.topics.segments, default: []].filter { $0.value == nil }
        XCTAssertEqual(tombstones.map(\.keyText), ["u1"])
        // Later events for u1 start fresh.
        try h.produce(events: [.order(OrderEvent(eventID: "o9", type: .order, orderID: "o9", userID: "u1", ts: t0 + 10,
                                                  items: [OrderLine(itemID: "i9", quantity: 2, price: 4)], total: 8))])
        XCTAssertEqual(try h.runDaemon().1, 0)
        let after = try Self.stored(h.stateDir)
        XCTAssertEqual(after["u1"]?.0, 1)
        XCTAssertEqual(after["u1"]?.1, 8)
    }

    func testAForgetReadBeforeTheCustomersBacklogStillErasesThem() throws {
        // The customer's events sit behind 3 000 others on their partition; the forget, produced
        // after them all, is on the control topic, which a fresh consumer reads at once.
        let h = try DaemonHarness(partitions: 1)
        let t0: Int64 = 1_764_755_200_000
        var events: [ShopEvent] = (0..<3_000).map { i in
            .click(ClickEvent(eventID: "f\(i)", type: .view, userID: "filler\(i % 50)", sessionID: nil, itemID: "i\(i % 40)",
                              category: nil, price: nil, query: nil, ts: t0 + Int64(i)))
        }
        events.append(.order(OrderEvent(eventID: "bob-o", type: .order, orderID: "bob-o", userID: "bob", ts: t0 + 5_000,
                                        items: [OrderLine(itemID: "i1", quantity: 1, price: 7)], total: 7)))
        try h.produce(events: events)
        try h.produce(events: [.forgetUser(userID: "bob")])
        // Small fetches: the event partition comes in many pieces, the forget in the first.
        XCTAssertEqual(try h.runDaemon(overrides: ["kafka.consumer.max.partition.fetch.bytes=2048"]).1, 0)
        let after = try Self.stored(h.stateDir)
        XCTAssertNil(after["bob"], "bob's order, read after the forget, recreated him")
        XCTAssertEqual(after.count, 50)
        XCTAssertEqual(try h.outputs()[h.topics.segments, default: []].filter { $0.value == nil }.map(\.keyText), ["bob"])
    }

    func testUnusableStateDirectoryIsAFatalErrorNamingThePath() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-dir-\(UUID().uuidString)").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let config = try Configuration.load(file: nil, environment: [:], overrides: [
            "kafka.bootstrap.servers=127.0.0.1:9", "state.dir=\(file)/state", "http.port=-1",
        ])
        XCTAssertThrowsError(try CRMDaemon(configuration: config, logger: Logger(level: .error), stopSignal: StopSignal())) { error in
            XCTAssertTrue("\(error)".contains("\(file)/state"), "\(error)")
        }
    }
}

/// A daemon running on its own thread until stopped (outage tests).
final class BackgroundDaemon: @unchecked Sendable {
    let daemon: CRMDaemon
    let stop = StopSignal()
    private let done = DispatchSemaphore(value: 0)
    private(set) var status: Int32 = -1
    private(set) var error: Error?

    init(harness: DaemonHarness, overrides: [String] = []) throws {
        let config = try Configuration.load(file: nil, environment: [:], overrides: [
            "kafka.bootstrap.servers=\(harness.broker.bootstrapServers)",
            "kafka.consumer.session.timeout.ms=6000",
            "kafka.reconnect.backoff.max.ms=500",
            "group.id=bg", "state.dir=\(harness.stateDir)", "http.port=-1",
            "checkpoint.interval.ms=200",
        ] + overrides)
        try harness.broker.ensure(topics: TopicNames(config).all)
        daemon = try CRMDaemon(configuration: config, logger: Logger(level: .error), stopSignal: stop)
    }

    func start() {
        let thread = Thread { [self] in
            do { status = try daemon.run() } catch { self.error = error }
            done.signal()
        }
        thread.start()
    }

    /// Requests a stop and waits for the run loop to return.
    func stopAndWait(timeout: Double = 60) -> Bool {
        stop.requestStop()
        return done.wait(timeout: .now() + timeout) == .success
    }
}

extension GuaranteeTests {
    /// Polls the group's committed offsets until they reach the end of every input partition.
    private func waitUntilCommitted(_ h: DaemonHarness, group: String, timeout: Double) throws -> Bool {
        let probe = try KafkaConsumer(config: KafkaConfig([("bootstrap.servers", h.broker.bootstrapServers), ("group.id", group)]))
        defer { try? probe.close() }
        let parts = h.topics.inputs.flatMap { t in (0..<h.partitions).map { TopicPartition(t, Int32($0)) } }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let committed = try? probe.committed(partitions: parts, timeoutMs: 2000) {
                let done = try committed.allSatisfy { c in
                    let high = try probe.watermarks(for: c.topicPartition, timeoutMs: 2000).high
                    return high == 0 || c.offset >= high
                }
                if done { return true }
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return false
    }

    func testBrokerOutageLosesNothingAndTheDaemonResumes() throws {
        let events = shopEvents()
        let half = events.count / 2
        let h = try DaemonHarness(partitions: 2)
        try h.produce(events: Array(events[..<half]))
        let bg = try BackgroundDaemon(harness: h)
        bg.start()
        // All brokers go down while the daemon is working; more input is queued meanwhile.
        try h.broker.cluster.setBrokerDown(1)
        let late = try KafkaProducer(config: KafkaConfig([("bootstrap.servers", h.broker.bootstrapServers),
                                                          ("message.timeout.ms", "0")]))
        let encoder = EventEncoder()
        for e in events[half...] {
            try late.produce(topic: h.topics.topic(for: e), key: Array((e.userID ?? "").utf8), value: encoder.encode(e))
        }
        Thread.sleep(forTimeInterval: 3)   // the outage itself
        try h.broker.cluster.setBrokerUp(1)
        try late.flush(timeoutMs: 60_000)
        XCTAssertTrue(try waitUntilCommitted(h, group: "bg", timeout: 90), "the daemon did not catch up after the outage")
        XCTAssertTrue(bg.stopAndWait())
        XCTAssertNil(bg.error)
        XCTAssertEqual(bg.status, 0)
        Self.assertSame(try Self.stored(h.stateDir), Self.reference(events))
        XCTAssertEqual(bg.daemon.processor.counts.deadLetters, 0)
    }
}
