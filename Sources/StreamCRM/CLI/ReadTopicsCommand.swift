import Foundation
import Kafka

/// `streamcrm read-topics --bootstrap B --topics a,b [--ids] [--follow] [--summary FILE]`:
/// reads topics from their beginning in a fresh consumer group and prints one line per message.
///
/// - With `--ids`, the line is the output's `event_id` (a dead letter, which has none, prints
///   `dead-letter:` + its key `topic/partition/offset`); tombstones print nothing and are counted.
/// - Without, the line is `topic<TAB>partition<TAB>offset<TAB>key<TAB>value`.
/// - `--partitions N` reads partitions 0..<N of each topic directly, without joining a group, so
///   reading starts at once (use it when following a run on a broker that drops old data).
/// - Without `--follow`, stops once every assigned partition is at its end. With `--follow`, reads
///   until SIGTERM/SIGINT, then drains to the high watermarks of that moment and stops, so a
///   reader started before a run and stopped after it sees every message the run produced,
///   even on a broker that drops old data (the mock cluster keeps ~5 MB per partition).
///
/// Data dropped before it was read shows up as offset gaps: a partition whose first message is
/// past offset 0, or offsets that jump. The summary (`--summary FILE` and stderr) counts them:
/// `{"messages":…,"tombstones":…,"gaps":…,"partitions":…}`.
enum ReadTopicsCommand {  // streamcrm read-topics --bootstrap B --topics a,b [--partitions N] [--ids] [--follow]
    static func main(_ args: [String]) throws -> Int32 {
        let parsed = try Arguments(args, command: "read-topics")
        guard let bootstrap = parsed.value("bootstrap") else { throw UsageError("read-topics needs --bootstrap HOST:PORT,...") }
        let topics = (parsed.value("topics") ?? "").split(separator: ",").map(String.init).filter { !$0.isEmpty }
        guard !topics.isEmpty else { throw UsageError("read-topics needs --topics a,b,...") }
        let timeout = Double(try parsed.int("timeout", default: 120))
        let stop = StopSignal()
        if parsed.flag("follow") { stop.install() }
        let partitions = try parsed.int("partitions", default: 0)
        let reader = try TopicReader(bootstrap: bootstrap, topics: topics, idsOnly: parsed.flag("ids"), partitions: partitions)
        let complete = try reader.run(follow: parsed.flag("follow"), stop: stop, timeoutSeconds: timeout)
        let summary = "{\"messages\":\(reader.messages),\"tombstones\":\(reader.tombstones),\"gaps\":\(reader.gaps),"
            + "\"partitions\":\(reader.expected.count),\"complete\":\(complete)}"
        if let file = parsed.value("summary") { try (summary + "\n").write(toFile: file, atomically: true, encoding: .utf8) }
        StandardError.write("read-topics: \(summary)\n")
        return complete ? 0 : 1
    }
}

/// Reads topics in a fresh group from the beginning (see `ReadTopicsCommand`). One thread.
final class TopicReader {
    let topics: [String]
    let idsOnly: Bool
    private let consumer: KafkaConsumer
    private let out = BufferedOutput(fd: 1)
    private var line: [UInt8] = []
    private var eof: Set<TopicPartition> = []
    private var assigned: Set<TopicPartition> = []
    /// Next offset expected per partition (gap detection).
    private(set) var expected: [TopicPartition: Int64] = [:]
    private(set) var messages = 0
    private(set) var tombstones = 0
    private(set) var gaps: Int64 = 0
    private var gapReports = 0

    /// With `partitions` > 0, partitions 0..<partitions of every topic are assigned directly
    /// (no group join, so reading starts at once); otherwise the group assigns them.
    let partitions: Int

    init(bootstrap: String, topics: [String], idsOnly: Bool, partitions: Int = 0) throws {
        self.topics = topics
        self.idsOnly = idsOnly
        self.partitions = partitions
        var config = KafkaConfig([("bootstrap.servers", bootstrap),
                                  ("group.id", "streamcrm-read-topics-\(getpid())-\(Int(Date().timeIntervalSince1970 * 1000))"),
                                  ("auto.offset.reset", "earliest"), ("enable.partition.eof", "true"),
                                  ("session.timeout.ms", "6000"), ("queued.min.messages", "200000"),
                                  ("fetch.wait.max.ms", "20"), ("max.partition.fetch.bytes", "8388608"),
                                  ("reconnect.backoff.max.ms", "1000")])
        config.logLevel = .error
        consumer = try KafkaConsumer(config: config)
        consumer.rebalanceHandler = { [unowned self] event in
            switch event {
            case .assigned(let tps): assigned.formUnion(tps)
            case .revoked(let tps), .lost(let tps): assigned.subtract(tps); eof.subtract(tps)
            }
            return nil
        }
    }

    /// Reads until the end (or, following, until a stop and then the end); false on timeout.
    func run(follow: Bool, stop: StopSignal, timeoutSeconds: Double) throws -> Bool {
        if partitions > 0 {
            let all = topics.flatMap { t in (0..<partitions).map { TopicPartition(t, Int32($0)) } }
            try consumer.assign(all.map { TopicPartitionOffset($0, TopicPartitionOffset.beginning) })
            assigned = Set(all)
        } else {
            try consumer.subscribe(topics: topics)
        }
        defer { try? consumer.close() }
        var deadline = Date().addingTimeInterval(timeoutSeconds)
        var drainTo: [TopicPartition: Int64]?
        while true {
            if follow && drainTo == nil {
                if stop.isStopRequested {
                    drainTo = highWatermarks()
                    deadline = Date().addingTimeInterval(timeoutSeconds)
                } else {
                    deadline = Date().addingTimeInterval(timeoutSeconds)
                }
            }
            if let targets = drainTo {
                if targets.allSatisfy({ (expected[$0.key] ?? 0) >= $0.value }) { break }
            } else if !follow && !assigned.isEmpty && eof.isSuperset(of: assigned)
                        && Set(topics).isSubset(of: Set(assigned.map(\.topic))) {
                break
            }
            if Date() > deadline {
                try out.flush()
                return false
            }
            try pollOnce()
        }
        try out.flush()
        return true
    }

    private func highWatermarks() -> [TopicPartition: Int64] {
        var result: [TopicPartition: Int64] = [:]
        for tp in assigned {
            while true {
                if let marks = try? consumer.watermarks(for: tp, timeoutMs: 5000) {
                    result[tp] = marks.high
                    break
                }
            }
        }
        return result
    }

    private func pollOnce() throws {
        guard let event = try consumer.poll(timeoutMs: 100, { [self] (m: KafkaMessageView) throws -> TopicPartition in
            let tp = TopicPartition(m.topic, m.partition)
            let next = expected[tp] ?? 0
            if m.offset > next { noteGap(tp, from: next, to: m.offset) }
            expected[tp] = m.offset + 1
            try emit(m)
            return tp
        }) else { return }
        switch event {
        case .message(let tp): eof.remove(tp)
        case .partitionEOF(let tpo):
            eof.insert(tpo.topicPartition)
            let tp = tpo.topicPartition
            if tpo.offset > (expected[tp] ?? 0) { noteGap(tp, from: expected[tp] ?? 0, to: tpo.offset) }
            expected[tp] = max(expected[tp] ?? 0, tpo.offset)
        case .error(let e):
            StandardError.write("read-topics: \(e)\n")
        }
    }

    private func noteGap(_ tp: TopicPartition, from: Int64, to: Int64) {
        gaps += to - from
        gapReports += 1
        if gapReports <= 10 {
            StandardError.write("read-topics: \(tp): offsets \(from)..<\(to) were gone before they could be read\n")
        }
    }

    private func emit(_ m: KafkaMessageView) throws {
        line.removeAll(keepingCapacity: true)
        guard let value = m.value else {
            tombstones += 1
            if idsOnly { return }
            line.append(contentsOf: "\(m.topic)\t\(m.partition)\t\(m.offset)\t".utf8)
            if let key = m.key { line.append(contentsOf: key) }
            line.append(contentsOf: "\t<tombstone>\n".utf8)
            try out.write(line)
            return
        }
        messages += 1
        if idsOnly {
            if let id = Self.eventID(value) {
                line.append(contentsOf: id)
            } else {
                line.append(contentsOf: "dead-letter:".utf8)
                if let key = m.key { line.append(contentsOf: key) }
            }
        } else {
            line.append(contentsOf: "\(m.topic)\t\(m.partition)\t\(m.offset)\t".utf8)
            if let key = m.key { line.append(contentsOf: key) }
            line.append(0x09)
            line.append(contentsOf: value)
        }
        line.append(0x0A)
        try out.write(line)
    }

    /// The `event_id` of an output (its first member, as `OutputEncoder` writes it), or nil.
    static func eventID(_ value: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer.SubSequence? {
        let prefix = Array("{\"event_id\":\"".utf8)
        guard value.count > prefix.count, value.prefix(prefix.count).elementsEqual(prefix) else { return nil }
        guard let end = value[prefix.count...].firstIndex(where: { $0 == 0x22 || $0 == 0x5C }), value[end] == 0x22 else {
            return nil
        }
        return value[prefix.count..<end]
    }
}
