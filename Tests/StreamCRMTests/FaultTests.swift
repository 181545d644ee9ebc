import CRMModel
import Foundation
import Kafka
import XCTest
@testable import StreamCRM

/// The small fault test (the suite's version of `scripts/fault-test`): the built `streamcrm`
/// binary runs over one shared input topic with one partition on an in-process broker, is killed
/// with SIGKILL while it works and restarted, and its final state and outputs are compared with a
/// clean run over the same input: exactly equal state, every clean output id present (duplicates
/// allowed and counted).
final class FaultTests: XCTestCase {
    /// The `streamcrm` executable next to the test bundle, or $STREAMCRM_BIN; skips when absent.
    static func binary() throws -> String {
        var candidates: [String] = []
        if let path = ProcessInfo.processInfo.environment["STREAMCRM_BIN"], !path.isEmpty { candidates.append(path) }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(URL(fileURLWithPath: bundle.bundlePath).deletingLastPathComponent().appendingPathComponent("streamcrm").path)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for config in ["debug", "release"] { candidates.append(root.appendingPathComponent(".build/\(config)/streamcrm").path) }
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) { return path }
        throw XCTSkip("streamcrm binary not built (looked in \(candidates)); run `swift build` first or set STREAMCRM_BIN")
    }

    private var work = ""
    private var launched: [Process] = []

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("streamcrm-fault-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    }

    override func tearDown() {
        for p in launched where p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: work)
    }

    func testKillNineRestartsMatchACleanRun() throws {
        let binary = try Self.binary()
        var topics = TopicNames()
        topics.clickstream = "fault.events"; topics.orders = "fault.events"; topics.catalog = ""; topics.control = ""
        let broker = try DevBroker(brokers: 1, partitions: 1, topics: topics)
        let events = ShopTrafficGenerator(config: ShopTrafficConfig(seed: 7, itemCount: 120, customerCount: 300, days: 60)).events()
        XCTAssertGreaterThan(events.count, 2000)
        let outputSets = ["clean", "faulted"]
        for set in outputSets {
            for kind in ["recommendations", "churn-alerts", "segments", "dead-letter"] {
                try broker.cluster.createTopic(name: "\(set).\(kind)", partitions: 1)
            }
        }
        let input = TopicPartition(topics.clickstream, 0)
        let producer = try KafkaProducer(config: KafkaConfig([("bootstrap.servers", broker.bootstrapServers)]))
        let encoder = EventEncoder()
        func produce(_ slice: ArraySlice<ShopEvent>) throws {
            for e in slice {
                try producer.produce(topic: input.topic, key: Array((e.userID ?? "").utf8), value: encoder.encode(e), partition: 0)
            }
            try producer.flush(timeoutMs: 30_000)
        }

        // Clean run: everything, one daemon, graceful stop.
        try produce(events[...])
        let total = Int64(events.count)
        let clean = try launch(binary, broker: broker, name: "clean")
        try waitCommitted(broker, group: "clean", input, atLeast: total, seconds: 40)
        try stop(clean)

        // Faulted run: the same input, killed three times while it works.
        var kills = 0
        for round in 1...3 {
            let watcher = try committedWatcher(broker, group: "faulted")
            let before = try committed(watcher, input)
            let daemon = try launch(binary, broker: broker, name: "faulted")
            // Kill as soon as a checkpoint moved past `before` plus a little: mid-stream, with
            // un-checkpointed events in flight.
            try waitCommitted(broker, group: "faulted", input, atLeast: min(total - 1, max(before, 0) + Int64(round) * 150), seconds: 40)
            if daemon.isRunning {
                kill(daemon.processIdentifier, SIGKILL)
                daemon.waitUntilExit()
                XCTAssertEqual(daemon.terminationReason, .uncaughtSignal)
                kills += 1
            }
        }
        let last = try launch(binary, broker: broker, name: "faulted")
        try waitCommitted(broker, group: "faulted", input, atLeast: total, seconds: 40)
        try stop(last)
        XCTAssertEqual(kills, 3)

        // State: exactly equal.
        let config = try configuration(broker: broker, name: "clean")
        let cleanSummary = try StateSummary(directory: "\(work)/clean.state", engineConfig: EngineConfig(config))
        let faultSummary = try StateSummary(directory: "\(work)/faulted.state", engineConfig: EngineConfig(config))
        XCTAssertGreaterThan(cleanSummary.customers.count, 100)
        XCTAssertEqual(cleanSummary.offsets, faultSummary.offsets)
        XCTAssertEqual(cleanSummary.stats, faultSummary.stats)
        XCTAssertEqual(cleanSummary.customers.count, faultSummary.customers.count)
        let differing = cleanSummary.customers.filter { faultSummary.customers[$0.key] != $0.value }.map(\.key).sorted()
        XCTAssertEqual(differing.prefix(5), [], "\(differing.count) customers differ")
        XCTAssertEqual(cleanSummary.occurrenceTotal, faultSummary.occurrenceTotal)
        XCTAssertEqual(cleanSummary.coOccurrenceTotal, faultSummary.coOccurrenceTotal)
        XCTAssertEqual(cleanSummary.centroidWeights, faultSummary.centroidWeights)
        XCTAssertEqual(cleanSummary.globals, faultSummary.globals)

        // Outputs: every clean id present in the faulted run; extra copies are duplicates.
        let reader = OutputReader(bootstrap: broker.bootstrapServers, partitions: 1)
        let cleanIDs = try outputIDs(reader, prefix: "clean")
        let faultIDs = try outputIDs(reader, prefix: "faulted")
        XCTAssertGreaterThan(cleanIDs.count, 500)
        XCTAssertGreaterThan(cleanIDs.keys.filter { $0.hasPrefix("churn/") }.count, 20, "too few churn alerts to test their restore")
        let missing = cleanIDs.keys.filter { faultIDs[$0] == nil }
        let unexpected = faultIDs.keys.filter { cleanIDs[$0] == nil }
        let duplicates = faultIDs.reduce(0) { $0 + max(0, $1.value - (cleanIDs[$1.key] ?? 0)) }
        XCTAssertEqual(missing.count, 0, "missing outputs, e.g. \(missing.prefix(3))")
        XCTAssertEqual(unexpected.count, 0, "outputs the clean run never made, e.g. \(unexpected.prefix(3))")
        print("FaultTests: \(events.count) events, \(kills) kills, \(cleanIDs.count) outputs, \(duplicates) duplicates")
    }

    // MARK: Helpers

    private func configuration(broker: DevBroker, name: String) throws -> Configuration {
        try Configuration.load(file: nil, environment: [:], overrides: settings(broker: broker, name: name))
    }

    private func settings(broker: DevBroker, name: String) -> [String] {
        [
            "kafka.bootstrap.servers=\(broker.bootstrapServers)", "group.id=\(name)", "state.dir=\(work)/\(name).state",
            "topic.clickstream=fault.events", "topic.orders=fault.events", "topic.catalog=", "topic.control=",
            "topic.recommendations=\(name).recommendations", "topic.churn_alerts=\(name).churn-alerts",
            "topic.segments=\(name).segments", "topic.dead_letter=\(name).dead-letter",
            "http.port=-1", "log.level=warn", "checkpoint.interval.events=100", "checkpoint.interval.ms=50",
            "kafka.consumer.session.timeout.ms=3000", "kafka.consumer.heartbeat.interval.ms=300",
            // A short churn horizon so that silence fires alerts (and their timers are restored)
            // within the 60 days of traffic.
            "churn.horizon.days=14", "churn.score.snapshot.days=3",
        ]
    }

    private func launch(_ binary: String, broker: DevBroker, name: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        let properties = "\(work)/fault.properties"
        if !FileManager.default.fileExists(atPath: properties) { FileManager.default.createFile(atPath: properties, contents: Data()) }
        process.arguments = ["run", "--config", properties] + settings(broker: broker, name: name).flatMap { ["--set", $0] }
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("STREAMCRM_") { environment[key] = nil }
        process.environment = environment
        let log = "\(work)/\(name).log"
        if !FileManager.default.fileExists(atPath: log) { FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardError = handle
        process.standardOutput = handle
        try process.run()
        launched.append(process)
        return process
    }

    private func stop(_ process: Process) throws {
        process.terminate()   // SIGTERM: graceful stop, final checkpoint
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "graceful stop failed")
    }

    private func committedWatcher(_ broker: DevBroker, group: String) throws -> KafkaConsumer {
        var config = KafkaConfig([("bootstrap.servers", broker.bootstrapServers), ("group.id", group)])
        config.logLevel = .error
        return try KafkaConsumer(config: config)
    }

    private func committed(_ watcher: KafkaConsumer, _ tp: TopicPartition) throws -> Int64 {
        try watcher.committed(partitions: [tp], timeoutMs: 5000).first?.offset ?? -1
    }

    /// Polls the group's committed offset until it reaches `atLeast` (deadline: `seconds`).
    private func waitCommitted(_ broker: DevBroker, group: String, _ tp: TopicPartition, atLeast: Int64,
                               seconds: Double) throws {
        let watcher = try committedWatcher(broker, group: group)
        let deadline = Date().addingTimeInterval(seconds)
        var last: Int64 = -1
        while Date() < deadline {
            last = (try? committed(watcher, tp)) ?? last
            if last >= atLeast { return }
            usleep(5_000)
        }
        XCTFail("group \(group) committed \(last) of \(atLeast) within \(seconds) s; see \(work)/\(group).log")
        throw XCTSkip("cannot continue")
    }

    private func outputIDs(_ reader: OutputReader, prefix: String) throws -> [String: Int] {
        let messages = try reader.readAll(topics: ["recommendations", "churn-alerts", "segments", "dead-letter"].map { "\(prefix).\($0)" })
        var ids: [String: Int] = [:]
        for (_, list) in messages {
            for m in list {
                guard let value = m.value else { continue }
                let id = value.withUnsafeBytes { TopicReader.eventID($0).map { String(decoding: $0, as: UTF8.self) } }
                    ?? "dead-letter:" + (m.key.map { String(decoding: $0, as: UTF8.self) } ?? "")
                ids[id, default: 0] += 1
            }
        }
        return ids
    }
}
