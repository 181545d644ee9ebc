import CRMModel
import Foundation
import Kafka
import XCTest
@testable import StreamCRM

/// Locates ../shared/data: $STREAMCRM_DATA_DIR, else ../shared/data or ../../shared/data from the
/// package root (the latter for git worktrees), or skips the test with a clear message.
enum SharedData {
    static func file(_ format: DatasetFormat) throws -> String {
        var candidates: [String] = []
        if let dir = ProcessInfo.processInfo.environment["STREAMCRM_DATA_DIR"], !dir.isEmpty { candidates.append(dir) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent("../shared/data").standardizedFileURL.path)
        candidates.append(root.appendingPathComponent("../../shared/data").standardizedFileURL.path)
        for dir in candidates {
            let path = (dir as NSString).appendingPathComponent(format.sampleFileName)
            if FileManager.default.isReadableFile(atPath: path) { return path }
        }
        throw XCTSkip("\(format.sampleFileName) not found in \(candidates) (set STREAMCRM_DATA_DIR to the shared/data directory)")
    }
}

/// An in-process broker plus a daemon run over it, for integration tests.
final class DaemonHarness {
    let broker: DevBroker
    let partitions: Int
    let stateDir: String

    init(partitions: Int = 4) throws {
        self.partitions = partitions
        broker = try DevBroker(brokers: 1, partitions: partitions)
        stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("streamcrm-it-\(UUID().uuidString)").path
    }

    deinit { try? FileManager.default.removeItem(atPath: stateDir) }

    var topics: TopicNames { broker.topics }

    /// Produces raw message bodies with keys to a topic.
    func produce(_ records: [(topic: String, key: String, value: [UInt8])]) throws {
        let producer = try KafkaProducer(config: KafkaConfig([("bootstrap.servers", broker.bootstrapServers)]))
        for r in records { try producer.produce(topic: r.topic, key: Array(r.key.utf8), value: r.value) }
        try producer.flush(timeoutMs: 30_000)
        XCTAssertEqual(producer.failed, 0)
    }

    /// Produces events, each to its input topic, keyed by customer.
    func produce(events: [ShopEvent]) throws {
        let encoder = EventEncoder()
        try produce(events.map { (topic: topics.topic(for: $0), key: $0.userID ?? "", value: encoder.encode($0)) })
    }

    /// Runs a daemon in a consumer group until it has caught up with every partition.
    ///
    /// The input is a backlog produced up front on several topics, so a fresh consumer may read a
    /// whole sparse orders topic before the clickstream, and the default 7-day `time.max_jump.ms`
    /// would refuse an order that follows its partition's previous one by more (README, "Event
    /// time"; seen with the OTTO sample and the small shop's last weeks). These tests are about
    /// delivery and state, so the jump is 10 years, as in scripts/fault-test; the stray rule has
    /// its own tests (`UnevenPartitionsTests`, `WatermarkWallClockTests`).
    func runDaemon(group: String = "it", stateDir: String? = nil, overrides: [String] = []) throws -> (CRMDaemon, Int32) {
        let config = try Configuration.load(file: nil, environment: [:], overrides: [
            "kafka.bootstrap.servers=\(broker.bootstrapServers)",
            "kafka.consumer.session.timeout.ms=3000",
            "group.id=\(group)",
            "state.dir=\(stateDir ?? self.stateDir)",
            "http.port=-1",
            "time.max_jump.ms=315360000000",
        ] + overrides)
        try broker.ensure(topics: TopicNames(config).all)
        var options = DaemonOptions()
        options.stopWhenCaughtUp = true
        options.caughtUpIdleSeconds = 0.5
        let daemon = try CRMDaemon(configuration: config, logger: Logger(level: .error), stopSignal: StopSignal(), options: options)
        return (daemon, try daemon.run())
    }

    /// Every message on the output topics.
    func outputs() throws -> [String: [KafkaMessage]] {
        try OutputReader(bootstrap: broker.bootstrapServers, partitions: partitions).readAll(topics: topics.outputs)
    }
}

extension KafkaMessage {
    /// The value as a JSON object (nil for a tombstone or non-JSON).
    var json: [String: Any]? {
        guard let value else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any]
    }
    /// The key as text.
    var keyText: String? { key.map { String(decoding: $0, as: UTF8.self) } }
}
