import CRMModel
import Foundation
import Kafka

/// `streamcrm produce --bootstrap B FILE|-`: publishes JSON-lines input events to their input
/// topics (clicks to `topic.clickstream`, orders to `topic.orders`, ...), keyed by user id, with
/// the message body exactly as the line. Used by the fault test and for loading a dev broker.
/// `--raw-topic T` publishes every line unchecked to T instead (bad input on purpose).
///
/// Partitioning is explicit and deterministic: partition = FNV-1a(key) mod `--partitions`
/// (default 1), so one customer's events always land on one partition in file order.
///
/// Throttling (`--max-ahead N --group G`, `--group` repeatable): never more than N messages
/// ahead of any group's committed offset on any partition. This keeps a producer within the
/// mock cluster's per-partition retention (~5 MB, older data dropped silently). A group that
/// has committed nothing counts from the partition's low watermark at start.
///
/// `--wait-consumed S`: after producing, wait up to S seconds until every group's committed
/// offsets reach the end of what was produced (exit 3 on timeout).
enum ProduceCommand {
    static func main(_ args: [String]) throws -> Int32 {
        let parsed = try Arguments(args, command: "produce")
        guard let bootstrap = parsed.value("bootstrap") else { throw UsageError("produce needs --bootstrap HOST:PORT,...") }
        guard parsed.positional.count == 1, let file = parsed.positional.first else {
            throw UsageError("produce needs exactly one FILE (or - for standard input)")
        }
        let partitions = try parsed.int("partitions", default: 1)
        guard (1...256).contains(partitions) else { throw UsageError("--partitions must be 1...256") }
        let maxAhead = try parsed.int("max-ahead", default: 0)
        let groups = parsed.values("group")
        if maxAhead > 0 && groups.isEmpty { throw UsageError("--max-ahead needs at least one --group") }
        let waitSeconds = try parsed.int("wait-consumed", default: -1)
        if waitSeconds >= 0 && groups.isEmpty { throw UsageError("--wait-consumed needs at least one --group") }
        let config = try Configuration.load(file: parsed.value("config"), overrides: parsed.values("set"))
        let producer = try EventPublisher(bootstrap: bootstrap, topics: TopicNames(config), partitions: partitions,
                                          groups: groups, maxAhead: maxAhead, rawTopic: parsed.value("raw-topic"))
        let progress = parsed.flag("quiet") ? nil : ProgressLine(label: "produce")
        try LineReader(path: file).forEachLine { line in
            if try producer.publish(line: line) { progress?.tick() }
        }
        try producer.finish()
        progress?.finish()
        StandardError.write("produce: \(producer.produced) events published (\(producer.skipped) lines skipped), "
            + "\(producer.throttleWaits) throttle waits\n")
        if waitSeconds >= 0 {
            guard try producer.waitConsumed(deadline: Date().addingTimeInterval(Double(waitSeconds))) else {
                StandardError.write("produce: groups \(groups.joined(separator: ",")) did not consume everything within \(waitSeconds) s\n")
                return 3
            }
            StandardError.write("produce: every group has committed the end of every partition\n")
        }
        return 0
    }
}

/// Publishes input events with explicit partitions and optional throttling against consumer
/// groups' committed offsets (see `ProduceCommand`). One thread.
final class EventPublisher {
    let topics: TopicNames
    let partitions: Int
    let groups: [String]
    let maxAhead: Int
    /// Publish lines unchecked to this topic (`--raw-topic`), nil to publish input events.
    let rawTopic: String?
    private let producer: KafkaProducer
    /// One (never subscribed) consumer per group, used only to read committed offsets.
    private var watchers: [KafkaConsumer] = []
    private let decoder = EventDecoder()
    /// Next offset per topic partition: the high watermark at start plus what was produced since.
    private var ends: [TopicPartition: Int64] = [:]
    /// Where a group that has committed nothing starts: the low watermark at start.
    private var lows: [TopicPartition: Int64] = [:]
    /// The lowest committed offset over the groups, as last asked.
    private var committed: [TopicPartition: Int64] = [:]
    private(set) var produced = 0
    private(set) var skipped = 0
    private(set) var throttleWaits = 0

    init(bootstrap: String, topics: TopicNames, partitions: Int, groups: [String], maxAhead: Int,
         rawTopic: String? = nil) throws {
        self.topics = topics; self.partitions = partitions; self.groups = groups; self.maxAhead = maxAhead
        self.rawTopic = rawTopic
        var config = KafkaConfig([("bootstrap.servers", bootstrap), ("enable.idempotence", "true"), ("acks", "all"),
                                  ("linger.ms", "5"), ("message.timeout.ms", "0")])
        config.logLevel = .error
        producer = try KafkaProducer(config: config)
        producer.queueFullTimeoutMs = Int.max / 2
        for group in groups {
            var c = KafkaConfig([("bootstrap.servers", bootstrap), ("group.id", group)])
            c.logLevel = .error
            watchers.append(try KafkaConsumer(config: c))
        }
    }

    /// Publishes one JSON line; false when it is blank or not an input event (reported, skipped).
    /// With `rawTopic`, every non-blank line goes to that topic as it is, without a key, lines
    /// spread over the partitions in turn: how to feed the daemon bad input on purpose.
    func publish(line: UnsafeRawBufferPointer) throws -> Bool {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return false }
        if let rawTopic {
            let tp = TopicPartition(rawTopic, Int32(produced % partitions))
            try throttle(tp)
            try producer.produce(topic: tp.topic, keyBuffer: nil, valueBuffer: line, partition: tp.partition)
            ends[tp, default: 0] += 1
            produced += 1
            if produced % 1000 == 0 { producer.poll(timeoutMs: 0) }
            return true
        }
        let event: ShopEvent
        do {
            event = try decoder.decodeLine(line)
        } catch {
            skipped += 1
            if skipped <= 10 { StandardError.write("produce: line skipped: \(error)\n") }
            return false
        }
        let topic = topics.topic(for: event)
        guard !topic.isEmpty else {
            skipped += 1
            return false
        }
        let key = event.userID ?? ""
        let tp = TopicPartition(topic, Int32(Self.partition(of: key, count: partitions)))
        try throttle(tp)
        var keyBytes = Array(key.utf8)
        try keyBytes.withUnsafeMutableBytes { k in
            try producer.produce(topic: tp.topic, keyBuffer: UnsafeRawBufferPointer(k), valueBuffer: line,
                                 partition: tp.partition)
        }
        ends[tp, default: 0] += 1
        produced += 1
        if produced % 1000 == 0 { producer.poll(timeoutMs: 0) }
        return true
    }

    /// FNV-1a of the key, modulo `count`.
    static func partition(of key: String, count: Int) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return Int(h % UInt64(count))
    }

    /// Flushes everything (waiting out broker outages) and fails on a permanent delivery failure.
    func finish() throws {
        while producer.outstanding > 0 {
            do { try producer.flush(timeoutMs: 1000) } catch { continue }
        }
        let failures = producer.takeDeliveryFailures()
        if !failures.isEmpty { throw DaemonError("\(failures.count) events could not be delivered: \(failures[0])") }
    }

    /// Waits until every group has committed the end of every partition produced to.
    func waitConsumed(deadline: Date) throws -> Bool {
        while Date() < deadline {
            refreshCommitted(Array(ends.keys))
            if ends.allSatisfy({ committed[$0.key] ?? -1 >= $0.value }) { return true }
            usleep(200_000)
        }
        return false
    }

    /// Blocks while `tp` is `maxAhead` or more messages ahead of a group's committed offset.
    private func throttle(_ tp: TopicPartition) throws {
        if ends[tp] == nil { try learnWatermarks(tp) }
        guard maxAhead > 0 else { return }
        var waited = false
        while ends[tp]! - (committed[tp] ?? lows[tp]!) >= Int64(maxAhead) {
            if waited { usleep(50_000) }
            producer.poll(timeoutMs: 0)
            refreshCommitted([tp])
            waited = true
        }
        if waited { throttleWaits += 1 }
    }

    private func learnWatermarks(_ tp: TopicPartition) throws {
        guard let watcher = watchers.first else {
            ends[tp] = 0; lows[tp] = 0
            return
        }
        while true {
            do {
                let (low, high) = try watcher.watermarks(for: tp, timeoutMs: 5000)
                ends[tp] = high; lows[tp] = low
                return
            } catch {
                StandardError.write("produce: watermarks of \(tp): \(error); retrying\n")
                usleep(500_000)
            }
        }
    }

    /// Asks every group's committed offsets for `tps`; keeps the lowest. Errors (brokers down)
    /// keep the previous value.
    private func refreshCommitted(_ tps: [TopicPartition]) {
        var lowest: [TopicPartition: Int64] = [:]
        for watcher in watchers {
            guard let offsets = try? watcher.committed(partitions: tps, timeoutMs: 5000) else { return }
            for o in offsets {
                let value = o.offset >= 0 ? o.offset : (lows[o.topicPartition] ?? 0)
                lowest[o.topicPartition] = min(lowest[o.topicPartition] ?? .max, value)
            }
        }
        for (tp, v) in lowest { committed[tp] = v }
    }
}
