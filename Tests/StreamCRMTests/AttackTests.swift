import CRMModel
import Foundation
import Kafka
import XCTest
@testable import StreamCRM

/// Pre-release attack findings (branch `attack`). Each test reproduces one problem; the comment
/// on each says whether it is fixed on this branch or still fails.
final class AttackTests: XCTestCase {

    // MARK: helpers

    private func view(_ n: Int, user: String, ts: Int64 = 1_796_119_200_000) -> [UInt8] {
        Array(#"{"event_id":"a\#(n)","type":"view","user_id":"\#(user)","item_id":"i\#(n % 7)","ts":\#(ts + Int64(n) * 1000)}"#.utf8)
    }

    /// A 300 kB message (well under Kafka's 1 MB default) of unescaped control characters inside
    /// a JSON string: invalid JSON, so it becomes a dead letter whose `original` escapes every
    /// byte as `\u0001` (6x): 1.8 MB, over the producer's and broker's message.max.bytes.
    private func controlCharacterBomb(bytes: Int = 300_000) -> [UInt8] {
        Array(#"{"event_id":"big","type":"view","user_id":"u1","x":""#.utf8) + [UInt8](repeating: 1, count: bytes) + Array(#""}"#.utf8)
    }

    // MARK: F1 — poison pill: one oversized dead letter stops the daemon for good (FIXED)

    /// FIXED on this branch (DeadLetterEncoder caps `original`). Before: 1.8 MB dead letter.
    func testDeadLetterOfALargeMessageStaysUnderTheKafkaMessageLimit() throws {
        let encoded = DeadLetterEncoder().encode(reason: "invalid JSON", source: SourcePosition(topic: "shop.clickstream", partition: 0, offset: 1),
                                                 original: controlCharacterBomb())
        XCTAssertLessThan(encoded.count, 1_000_000, "dead letter is \(encoded.count) bytes: the producer refuses it (MSG_SIZE_TOO_LARGE)")
        let object = try JSONSerialization.jsonObject(with: Data(encoded)) as? [String: Any]
        XCTAssertNotNil(object?["reason"])
        // Invalid UTF-8 goes base64 (4/3): 800 kB of 0xFF is over 1 MB too.
        let binary = DeadLetterEncoder().encode(reason: "x", source: SourcePosition(topic: "t", partition: 0, offset: 0),
                                                original: [UInt8](repeating: 0xFF, count: 800_000))
        XCTAssertLessThan(binary.count, 1_000_000)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(binary)))
    }

    /// FIXED on this branch. Before: `run` threw MSG_SIZE_TOO_LARGE (fatal, exit 1), and after a
    /// restart read the same message again: a crash loop that stops every partition.
    func testAnOversizedBadMessageIsDeadLetteredAndTheDaemonCarriesOn() throws {
        let h = try DaemonHarness(partitions: 1)
        try h.produce([(topic: h.topics.clickstream, key: "u1", value: controlCharacterBomb()),
                       (topic: h.topics.clickstream, key: "u1", value: view(1, user: "u1"))])
        let (daemon, status) = try h.runDaemon()
        XCTAssertEqual(status, 0)
        XCTAssertEqual(daemon.processor.counts.deadLetters, 1)
        XCTAssertEqual(daemon.processor.counts.events, 1)
    }

    func testProduceRawTopicFeedsBadLinesToTheDaemonsDeadLetters() throws {
        let h = try DaemonHarness(partitions: 1)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("raw-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let good = String(decoding: view(1, user: "u1"), as: UTF8.self)
        try (["{not json", #"{"event_id":"e","type":"view","user_id":"u","item_id":"i","ts":1764755200}"#, good, ""]
            .joined(separator: "\n")).write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(StreamCRMCommand.main(["streamcrm", "produce", "--bootstrap", h.broker.bootstrapServers, "--quiet",
                                              "--raw-topic", h.topics.clickstream, file]), 0)
        let (daemon, status) = try h.runDaemon()
        XCTAssertEqual(status, 0)
        XCTAssertEqual(daemon.processor.counts.deadLetters, 2, "the two bad lines reach the daemon and are dead-lettered")
        XCTAssertEqual(daemon.processor.counts.events, 1)
        let reasons = try h.outputs()[h.topics.deadLetter, default: []].compactMap { m -> String? in
            guard let v = m.value, let o = try JSONSerialization.jsonObject(with: Data(v)) as? [String: Any] else { return nil }
            return o["reason"] as? String
        }
        XCTAssertEqual(reasons.count, 2)
        XCTAssertTrue(reasons.contains { $0.contains("seconds mistaken for milliseconds") }, "\(reasons)")
    }

    // MARK: F2 — a fatal restore error exits 0 (FIXED)

    /// FIXED on this branch. Before: "cannot restore state" requested a normal stop and `run`
    /// returned 0 ("stopped clean=true"), so systemd's Restart=on-failure did not restart it and
    /// the service looked cleanly stopped. Reproduced here with a changelog topic that does not exist.
    /// (The missing changelog topic gets auto-created by the broker with fewer partitions than
    /// the inputs, so the read of partition 4+ fails: `_UNKNOWN_PARTITION`; needs 8 partitions.)
    func testRestoreFailureExitsNonZero() throws {
        let h = try DaemonHarness(partitions: 8)
        try h.produce([(topic: h.topics.clickstream, key: "u1", value: view(1, user: "u1"))])
        let config = try Configuration.load(file: nil, environment: [:], overrides: [
            "kafka.bootstrap.servers=\(h.broker.bootstrapServers)", "kafka.consumer.session.timeout.ms=3000",
            "group.id=restorefail", "state.dir=\(h.stateDir)", "http.port=-1",
            "topic.changelog=missing.changelog",
        ])
        var options = DaemonOptions()
        options.stopWhenCaughtUp = true
        let daemon = try CRMDaemon(configuration: config, logger: Logger(level: .error), stopSignal: StopSignal(), options: options)
        let status = try daemon.run()
        XCTAssertNotEqual(status, 0, "a daemon that could not restore its state exited 0")
    }

    func testADamagedGlobalBlobIsNamedWithTheStore() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamcrm-blob-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let store = try StateStore(directory: dir)
            var batch = CheckpointBatch()
            batch.setGlobal("churn", state: [222, 1, 2])
            try store.write(batch)
        }
        let config = try Configuration.load(file: nil, environment: [:], overrides: [
            "kafka.bootstrap.servers=127.0.0.1:9", "state.dir=\(dir)", "http.port=-1"])
        XCTAssertThrowsError(try CRMDaemon(configuration: config, logger: Logger(level: .error), stopSignal: StopSignal())) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("cannot restore the global models of \(dir)/state.sqlite"), text)
            XCTAssertTrue(text.contains("global state 'churn' (3 bytes)"), text)
            XCTAssertTrue(text.contains("unknown global state version 222"), text)
        }
    }

    func testSegmentsTrainedWithAnotherKAreReportedWhenDiscarded() throws {
        let trained = CRMEngine(config: EngineConfig())
        var out: [ModelOutput] = []
        for i in 0..<200 {
            let o = OrderEvent(eventID: "e\(i)", type: .order, orderID: "o\(i)", userID: "u\(i % 60)", ts: 1_764_755_200_000 + Int64(i) * 3_600_000,
                               items: [OrderLine(itemID: "i\(i % 7)", quantity: 1, price: Double(5 + i % 90))])
            _ = trained.process(.order(o), at: SourcePosition(topic: "o", partition: 0, offset: Int64(i)), into: &out)
        }
        XCTAssertTrue(trained.kmeans.isInitialized)
        let blobs = Dictionary(uniqueKeysWithValues: trained.encodeGlobals().map { ($0.key, $0.state) })
        var three = EngineConfig()
        three.segmentCount = 3
        let notes = try CRMEngine(config: three).restoreGlobals { blobs[$0] }
        XCTAssertEqual(notes.count, 1)
        XCTAssertTrue(notes[0].hasPrefix("the stored segments (k=5) do not fit model.segments.k=3"), notes[0])
        XCTAssertEqual(try CRMEngine(config: EngineConfig()).restoreGlobals { blobs[$0] }, [])
    }

    // MARK: F3 — SIGTERM during a broker outage overruns shutdown.deadline.s (FIXED)

    /// A daemon on a background thread whose brokers all go down right after it has processed
    /// `outageAfter` events (from the loop itself, so the outage always starts between the
    /// processing of those events and their checkpoint).
    final class OutageDaemon: @unchecked Sendable {
        let daemon: CRMDaemon
        let stop = StopSignal()
        let broker: DevBroker
        private let done = DispatchSemaphore(value: 0)
        private(set) var status: Int32 = -1
        private(set) var error: Error?
        private final class Box: @unchecked Sendable { var daemon: CRMDaemon?; var down = false }

        init(harness h: DaemonHarness, outageAfter: Int, overrides: [String]) throws {
            broker = h.broker
            let config = try Configuration.load(file: nil, environment: [:], overrides: [
                "kafka.bootstrap.servers=\(h.broker.bootstrapServers)", "kafka.consumer.session.timeout.ms=6000",
                "kafka.reconnect.backoff.max.ms=500", "group.id=outage", "state.dir=\(h.stateDir)", "http.port=-1",
            ] + overrides)
            try h.broker.ensure(topics: TopicNames(config).all)
            let box = Box()
            let cluster = h.broker.cluster
            var options = DaemonOptions()
            options.onIteration = { [box] in
                guard !box.down, let d = box.daemon, d.processor.counts.events >= outageAfter else { return }
                box.down = true
                try? cluster.setBrokerDown(1)
            }
            daemon = try CRMDaemon(configuration: config, logger: Logger(level: .error), stopSignal: stop, options: options)
            box.daemon = daemon
        }

        func start() {
            Thread { [self] in
                do { status = try daemon.run() } catch { self.error = error }
                done.signal()
            }.start()
        }

        func stopAndWait(timeout: Double) -> Bool {
            stop.requestStop()
            return done.wait(timeout: .now() + timeout) == .success
        }
    }

    /// FIXED on this branch. Before: the shutdown checkpoint gave up at the deadline, then
    /// `consumer.close()` revoked the partitions and the revoke handler ran another checkpoint with
    /// its own 30 s deadline: exit after deadline + 30 s (60 s with the default 30 s, over the
    /// unit's TimeoutStopSec=45, so systemd SIGKILLs it). And when the outage began after the
    /// outputs were acknowledged, the interval checkpoint waited for the changelog without ever
    /// looking at the stop request: SIGTERM was ignored until the brokers came back.
    func testStopDuringABrokerOutageHonoursTheShutdownDeadline() throws {
        let h = try DaemonHarness(partitions: 1)
        try h.produce((0..<200).map { (topic: h.topics.clickstream, key: "u\($0 % 20)", value: view($0, user: "u\($0 % 20)")) })
        let d = try OutageDaemon(harness: h, outageAfter: 200, overrides: ["shutdown.deadline.s=2", "checkpoint.interval.ms=500"])
        d.start()
        XCTAssertTrue(eventually(timeout: 60) { d.daemon.processor.counts.events >= 200 })
        Thread.sleep(forTimeInterval: 2)   // the interval checkpoint is now waiting for the brokers
        let started = Date()
        let stopped = d.stopAndWait(timeout: 90)
        let took = Date().timeIntervalSince(started)
        try h.broker.cluster.setBrokerUp(1)
        if !stopped { XCTAssertTrue(d.stopAndWait(timeout: 90)) }
        XCTAssertTrue(stopped)
        XCTAssertLessThan(took, 8, "stop took \(took) s with shutdown.deadline.s=2")
        XCTAssertEqual(d.status, 1, "could not checkpoint, so the exit status must be non-zero")
    }

    /// Same, with the outage starting after the outputs were acknowledged (changelog wait).
    func testStopDuringAnOutageInTheChangelogWaitHonoursTheShutdownDeadline() throws {
        let h = try DaemonHarness(partitions: 1)
        // Clicks are not recommendation triggers and produce no output once segmented.
        let clicks = (0..<40).map { n in
            Array(#"{"event_id":"k\#(n)","type":"click","user_id":"u1","item_id":"i\#(n % 3)","ts":\#(1_796_119_200_000 + Int64(n) * 1000)}"#.utf8)
        }
        try h.produce(clicks.map { (topic: h.topics.clickstream, key: "u1", value: $0) })
        let d = try OutageDaemon(harness: h, outageAfter: 40, overrides: ["shutdown.deadline.s=2", "checkpoint.interval.ms=1000"])
        d.start()
        XCTAssertTrue(eventually(timeout: 60) { d.daemon.processor.counts.events >= 40 })
        Thread.sleep(forTimeInterval: 3)
        let started = Date()
        let stopped = d.stopAndWait(timeout: 40)
        let took = Date().timeIntervalSince(started)
        try h.broker.cluster.setBrokerUp(1)
        if !stopped { XCTAssertTrue(d.stopAndWait(timeout: 90)) }
        XCTAssertTrue(stopped, "SIGTERM ignored during the outage")
        XCTAssertLessThan(took, 8, "stop took \(took) s with shutdown.deadline.s=2")
    }

    // MARK: F4 — the processing loop stalls for the whole of a broker outage (NOT FIXED: fails)

    /// FAILS (not fixed). A checkpoint during an outage waits in `Checkpointer.checkpoint` until
    /// brokers return, without returning to the loop: no heartbeat (so /health answers 503
    /// "processing loop stalled"), no WATCHDOG=1 (systemd's WatchdogSec=30 kills and restarts the
    /// daemon during any outage over ~30 s), no consumer poll (max.poll.interval.ms), no queries.
    /// README: "The daemon keeps polling ... and resumes when brokers return".
    func testHealthStaysAliveDuringABrokerOutage() throws {
        let h = try DaemonHarness(partitions: 1)
        try h.produce((0..<50).map { (topic: h.topics.clickstream, key: "u\($0 % 5)", value: view($0, user: "u\($0 % 5)")) })
        let d = try OutageDaemon(harness: h, outageAfter: 50, overrides: ["health.max_stall.s=2", "checkpoint.interval.ms=500"])
        d.start()
        XCTAssertTrue(eventually(timeout: 60) { d.daemon.processor.counts.events >= 50 })
        Thread.sleep(forTimeInterval: 5)
        let health = d.daemon.status.health()
        try h.broker.cluster.setBrokerUp(1)
        XCTAssertTrue(d.stopAndWait(timeout: 90))
        XCTAssertTrue(health.alive, "during the outage: \(health.detail)")
    }

    // MARK: F5 — configuration validation gaps (FIXED: empty bootstrap, exit status 78)

    /// FIXED on this branch. Before: an empty `kafka.bootstrap.servers` passed `check-config` and
    /// `run` started and ran forever against no broker.
    func testEmptyBootstrapServersIsRefused() throws {
        let config = try Configuration.load(file: nil, environment: [:], overrides: ["kafka.bootstrap.servers="])
        XCTAssertThrowsError(try config.requireForDaemon())
        let config2 = try Configuration.load(file: nil, environment: [:], overrides: ["kafka.bootstrap.servers= , "])
        XCTAssertThrowsError(try config2.requireForDaemon())
    }

    /// FIXED on this branch. Before: a value librdkafka refuses (`kafka.acks=banana`) made
    /// `check-config` and `run` exit 1, not 78 as README documents for "a bad value".
    func testLibrdkafkaRefusalIsExitStatus78() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attack-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("c.properties").path
        try "kafka.bootstrap.servers=127.0.0.1:1\nkafka.acks=banana\n".write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(StreamCRMCommand.main(["streamcrm", "check-config", file]), 78)
    }

    /// Found by the attack round: `max.poll.interval.ms` below `session.timeout.ms` passed
    /// check-config, and librdkafka refused the consumer only when `run` created it.
    func testAPollIntervalBelowTheSessionTimeoutIsRefusedByCheckConfig() throws {
        func settings(_ sets: [String]) throws -> KafkaSettings {
            KafkaSettings(try Configuration.load(file: nil, environment: [:], overrides: ["kafka.bootstrap.servers=127.0.0.1:1"] + sets))
        }
        XCTAssertThrowsError(try settings(["kafka.consumer.session.timeout.ms=6000", "kafka.consumer.max.poll.interval.ms=5000"]).validate()) {
            XCTAssertTrue("\($0)".contains("max.poll.interval.ms"), "\($0)")
            XCTAssertTrue("\($0)".contains("session.timeout.ms"), "\($0)")
        }
        XCTAssertThrowsError(try settings(["kafka.max.poll.interval.ms=40000"]).validate(), "below the 45 s default session timeout")
        // Found by the next attack round: librdkafka reads 0x1000 as hex (4096 < 6000), and checks
        // fetch.max.bytes against message.max.bytes only when the client is created.
        XCTAssertThrowsError(try settings(["kafka.consumer.session.timeout.ms=6000", "kafka.consumer.max.poll.interval.ms=0x1000"]).validate())
        XCTAssertThrowsError(try settings(["kafka.consumer.fetch.max.bytes=1000"]).validate()) {
            XCTAssertTrue("\($0)".contains("fetch.max.bytes"), "\($0)")
        }
        XCTAssertNoThrow(try settings(["kafka.consumer.session.timeout.ms=6000", "kafka.consumer.max.poll.interval.ms=6000"]).validate())
        XCTAssertNoThrow(try settings([]).validate())
        // Found by the next round: the throw-away client ran a Kerberos kinit command.
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("kinit-\(UUID().uuidString)").path
        XCTAssertNoThrow(try settings(["kafka.security.protocol=SASL_PLAINTEXT", "kafka.sasl.mechanism=GSSAPI",
                                       "kafka.sasl.kerberos.kinit.cmd=touch \(marker)"]).validate())
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "check-config ran the kinit command")
    }

    /// Found by the catalog attack round: a catalog topic that is also a customer topic (or the
    /// changelog) passed check-config, and every instance then read that topic whole.
    func testACatalogTopicSharedWithAnotherInputIsRefused() {
        XCTAssertThrowsError(try Configuration.load(file: nil, environment: [:], overrides: ["topic.changelog=shop.catalog"]))
        for (key, name) in [("topic.clickstream", "shop.catalog"), ("topic.orders", "shop.catalog"), ("topic.control", "shop.catalog")] {
            XCTAssertThrowsError(try Configuration.load(file: nil, environment: [:], overrides: ["\(key)=\(name)"])) {
                XCTAssertTrue("\($0)".contains("topic.catalog"), "\($0)")
            }
        }
        XCTAssertThrowsError(try Configuration.load(file: nil, environment: [:], overrides: ["group.id=g1", "topic.catalog=g1.changelog"]))
        XCTAssertNoThrow(try Configuration.load(file: nil, environment: [:], overrides: ["topic.catalog="]))
    }

    /// Values that cannot work are refused by validation (found failing; fixed in Configuration.checkCombinations).
    /// - `recommend.triggers=bogus` (no event type has that name: recommendations silently never fire);
    /// - `topic.dead_letter` equal to an input topic (every dead letter is consumed again, refused
    ///   again and re-published: an endless amplification loop);
    /// - `http.address=not-an-ip` passes check-config but `run` dies at start (exit 1).
    func testNonsensicalValuesAreRefused() {
        XCTAssertThrowsError(try Configuration.load(file: nil, environment: [:], overrides: ["recommend.triggers=bogus"]))
        XCTAssertThrowsError(try Configuration.load(file: nil, environment: [:], overrides: ["topic.dead_letter=shop.orders"]))
        XCTAssertThrowsError(try Configuration.load(file: nil, environment: [:], overrides: ["topic.recommendations=shop.clickstream"]))
        XCTAssertThrowsError(try Configuration.load(file: nil, environment: [:], overrides: ["http.address=not-an-ip"]))
    }

    func testOutputsArePartitionedAsJavaClientsPartitionKeys() throws {
        let plain = KafkaSettings(try Configuration.load(file: nil, environment: [:], overrides: ["kafka.bootstrap.servers=127.0.0.1:1"]))
        XCTAssertEqual(plain.producer["partitioner"], "murmur2_random")
        XCTAssertNil(plain.consumer["partitioner"])
        // The operator's choice wins.
        let own = KafkaSettings(try Configuration.load(file: nil, environment: [:],
                                                       overrides: ["kafka.bootstrap.servers=127.0.0.1:1", "kafka.producer.partitioner=consistent_random"]))
        XCTAssertEqual(own.producer["partitioner"], "consistent_random")
    }

    func testTopicNamesKafkaWouldRefuseAreRefusedAtOnce() {
        func refusal(_ set: String) -> String? {
            do { _ = try Configuration.load(file: nil, environment: [:], overrides: [set]); return nil } catch { return "\(error)" }
        }
        XCTAssertEqual(refusal("group.id=a b"),
                       "configuration key 'group.id' = 'a b': names the changelog topic 'a b.changelog', which Kafka refuses: use only letters, digits, '.', '_' and '-' (or set topic.changelog)")
        XCTAssertEqual(refusal("topic.orders=shop/orders"),
                       "configuration key 'topic.orders' = 'shop/orders': is not a Kafka topic name: 1 to 249 of letters, digits, '.', '_' and '-'")
        XCTAssertNil(refusal("group.id=shop-1.crm_v2"))
        XCTAssertNil(refusal("topic.changelog=off"))
        XCTAssertNil(refusal("topic.catalog="))
    }

    /// Second attack round (fixed in Configuration): settings that pass validation but break
    /// co-partitioning, leak personal data, or kill the daemon at its first output.
    func testSecondRoundSettingsAreRefusedWithTheReason() {
        func refusal(_ overrides: [String]) -> String {
            do {
                _ = try Configuration.load(file: nil, environment: [:], overrides: overrides)
                return "accepted"
            } catch { return "\(error)" }
        }
        // The sticky assignor split shop.orders[0] and shop.clickstream[0] between two instances.
        XCTAssertTrue(refusal(["kafka.partition.assignment.strategy=cooperative-sticky"]).contains("range assignor"))
        XCTAssertTrue(refusal(["kafka.consumer.partition.assignment.strategy=roundrobin"]).contains("range assignor"))
        XCTAssertEqual(refusal(["kafka.partition.assignment.strategy=range"]), "accepted")
        XCTAssertTrue(refusal(["kafka.producer.transactional.id=t1"]).contains("transactional"))
        // /customers on every interface without a token.
        XCTAssertTrue(refusal(["http.address=0.0.0.0"]).contains("http.token"))
        XCTAssertTrue(refusal(["http.address=::"]).contains("http.token"))
        XCTAssertEqual(refusal(["http.address=0.0.0.0", "http.token=s3cret"]), "accepted")
        XCTAssertEqual(refusal(["http.address=0.0.0.0", "http.port=-1"]), "accepted")
        XCTAssertEqual(refusal(["http.address=127.0.0.2"]), "accepted")
        XCTAssertEqual(refusal(["http.address=::1"]), "accepted")
        // Two output kinds on one topic (segments is compacted by user id).
        XCTAssertTrue(refusal(["topic.recommendations=streamcrm.segments"]).contains("own topic"))
    }
}
