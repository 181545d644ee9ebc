import Foundation
import Kafka

/// The state changelog (DESIGN.md §9): a compacted topic, co-partitioned with the inputs, that
/// carries every checkpointed customer state so that a partition's customers move with the
/// partition when it is assigned to another instance (another machine, another state directory).
///
/// Records, per changelog partition p (= the customers' input partition):
/// - key `c` + user id → the customer's encoded state; a null value (tombstone) = erased;
/// - key `m` → a marker closing one checkpoint: `instance seq topic=next;topic=next…`, the input
///   offsets (of partition p of each input topic) that the customer records before it reflect.
///
/// A checkpoint appends its customer records and then its marker. A reader takes the state as of
/// the last marker and ignores records after it (a checkpoint cut short by a crash).
final class StateChangelog {
    /// What one changelog partition says.
    struct PartitionState {
        /// The last complete marker, if any.
        var marker: Marker?
        /// Customer state as of that marker (nil = erased).
        var customers: [String: [UInt8]?] = [:]
        /// The partition's first offset (> 0 when records were removed by retention).
        var lowWatermark: Int64 = 0
    }

    /// A checkpoint marker.
    struct Marker: Equatable {
        var instance: String
        var sequence: Int64
        var offsets: [String: Int64]

        var encoded: [UInt8] {
            let list = offsets.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
            return Array("\(instance) \(sequence) \(list)".utf8)
        }

        init(instance: String, sequence: Int64, offsets: [String: Int64]) {
            self.instance = instance; self.sequence = sequence; self.offsets = offsets
        }

        init?(_ bytes: [UInt8]) {
            let parts = String(decoding: bytes, as: UTF8.self).split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let seq = Int64(parts[1]) else { return nil }
            instance = String(parts[0])
            sequence = seq
            offsets = [:]
            for item in parts[2].split(separator: ";") {
                guard let eq = item.lastIndex(of: "="), let next = Int64(item[item.index(after: eq)...]) else { return nil }
                offsets[String(item[..<eq])] = next
            }
        }
    }

    let topic: String
    private let bootstrapConfig: [(key: String, value: String)]
    private var key: [UInt8] = []

    /// - Parameter readerConfig: librdkafka properties for the reader (bootstrap, security).
    init(topic: String, readerConfig: [(key: String, value: String)]) {
        self.topic = topic
        bootstrapConfig = readerConfig
    }

    /// Appends one customer's state (nil = erased) to its partition.
    func appendCustomer(_ userID: String, partition: Int32, state: [UInt8]?, producer: KafkaProducer) throws {
        key.removeAll(keepingCapacity: true)
        key.append(UInt8(ascii: "c"))
        key.append(contentsOf: userID.utf8)
        try key.withUnsafeBytes { k in
            if let state {
                try state.withUnsafeBytes { try producer.produce(topic: topic, keyBuffer: k, valueBuffer: $0, partition: partition) }
            } else {
                try producer.produce(topic: topic, keyBuffer: k, valueBuffer: nil, partition: partition)
            }
        }
    }

    /// Appends the marker that closes a checkpoint on one partition.
    func appendMarker(_ marker: Marker, partition: Int32, producer: KafkaProducer) throws {
        try producer.produce(topic: topic, key: [UInt8(ascii: "m")], value: marker.encoded, partition: partition)
    }

    /// The partition's watermarks, or an error that says how to create a missing changelog.
    private static func watermarks(_ consumer: KafkaConsumer, _ tp: TopicPartition) throws -> (Int64, Int64) {
        let result = Result { () throws(KafkaError) in try consumer.watermarks(for: tp, timeoutMs: 30_000) }
        switch result {
        case .success(let w): return w
        case .failure(let error):
            if [.unknownPartition, .unknownTopicOrPartition, .unknownTopic].contains(error.code) {
                throw DaemonError("the state changelog \(tp.topic) has no partition \(tp.partition): create the topic, compacted, with as many partitions as the input topics (deploy/create-topics.sh; dev-broker creates it for the group.id it is given): \(error)", exitStatus: 78)
            }
            throw error
        }
    }

    /// Reads one partition from its start to its current end.
    func read(partition: Int32, timeoutSeconds: Double = 120) throws -> PartitionState {
        var config = KafkaConfig(bootstrapConfig)
        config.set("group.id", "streamcrm-changelog-reader")
        config.set("enable.partition.eof", "true")
        let consumer = try KafkaConsumer(config: config)
        defer { try? consumer.close() }
        let tp = TopicPartition(topic, partition)
        let (low, high) = try Self.watermarks(consumer, tp)
        var state = PartitionState(lowWatermark: low)
        guard high > low else { return state }
        try consumer.assign([TopicPartitionOffset(tp, low)])
        var pending: [String: [UInt8]?] = [:]
        var next = low
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while next < high {
            guard Date() < deadline else {
                throw DaemonError("reading changelog \(topic)[\(partition)] timed out at offset \(next) of \(high)")
            }
            guard case .message(let m)? = try consumer.poll(timeoutMs: 500) else { continue }
            next = m.offset + 1
            guard let k = m.key, let first = k.first else { continue }
            if first == UInt8(ascii: "m") {
                if let value = m.value, let marker = Marker(value) {
                    for (user, blob) in pending { state.customers[user] = blob }
                    pending.removeAll(keepingCapacity: true)
                    state.marker = marker
                }
            } else if first == UInt8(ascii: "c") {
                pending[String(decoding: k.dropFirst(), as: UTF8.self)] = .some(m.value)
            }
        }
        return state
    }
}
