import Foundation
import Kafka

/// Reads whole topics from the beginning to their current end (demo summaries, tests).
public struct OutputReader {
    public let bootstrap: String
    public let partitions: Int

    public init(bootstrap: String, partitions: Int) {
        self.bootstrap = bootstrap
        self.partitions = partitions
    }

    /// Every message of `topics`, by topic, in partition then offset order.
    public func readAll(topics: [String], timeoutSeconds: Double = 60) throws -> [String: [KafkaMessage]] {
        let consumer = try KafkaConsumer(config: KafkaConfig([("bootstrap.servers", bootstrap),
                                                              ("group.id", "streamcrm-reader-\(getpid())"),
                                                              ("enable.partition.eof", "true")]))
        defer { try? consumer.close() }
        var ends: [TopicPartition: Int64] = [:]
        var starts: [TopicPartitionOffset] = []
        for topic in topics {
            for p in 0..<partitions {
                let tp = TopicPartition(topic, Int32(p))
                let (low, high) = try consumer.watermarks(for: tp, timeoutMs: 10_000)
                if high > low {
                    ends[tp] = high
                    starts.append(TopicPartitionOffset(tp, low))
                }
            }
        }
        var result: [String: [KafkaMessage]] = [:]
        guard !starts.isEmpty else { return result }
        try consumer.assign(starts)
        var remaining = Set(ends.keys)
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while !remaining.isEmpty && Date() < deadline {
            guard let event = try consumer.poll(timeoutMs: 200) else { continue }
            if case .message(let m) = event {
                result[m.topic, default: []].append(m)
                let tp = TopicPartition(m.topic, m.partition)
                if m.offset + 1 >= ends[tp] ?? 0 { remaining.remove(tp) }
            }
        }
        guard remaining.isEmpty else {
            throw DaemonError("reading outputs timed out with \(remaining.count) partitions unread")
        }
        for key in result.keys {
            result[key]!.sort { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
        }
        return result
    }
}
