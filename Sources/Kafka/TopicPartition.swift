import Crdkafka

/// A topic name and partition number.
public struct TopicPartition: Hashable, Sendable, CustomStringConvertible {
    /// Topic name.
    public var topic: String
    /// Partition number (0-based).
    public var partition: Int32

    /// Creates a topic/partition pair.
    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// A topic/partition with an offset. As a commit or a starting point, `offset` is the next offset
/// to read (last processed + 1). Negative values are librdkafka's logical offsets (see the
/// static constants).
public struct TopicPartitionOffset: Hashable, Sendable, CustomStringConvertible {
    /// Topic name.
    public var topic: String
    /// Partition number.
    public var partition: Int32
    /// Offset (or a logical offset constant).
    public var offset: Int64

    /// Logical offset: the partition's first available message.
    public static let beginning: Int64 = Int64(RD_KAFKA_OFFSET_BEGINNING)
    /// Logical offset: the end of the partition (only new messages).
    public static let end: Int64 = Int64(RD_KAFKA_OFFSET_END)
    /// Logical offset: the group's committed offset (falls back to `auto.offset.reset`).
    public static let stored: Int64 = Int64(RD_KAFKA_OFFSET_STORED)
    /// Logical offset: none / unknown.
    public static let invalid: Int64 = Int64(RD_KAFKA_OFFSET_INVALID)

    /// Creates a topic/partition/offset triple.
    public init(_ topic: String, _ partition: Int32, _ offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    /// Creates one from a topic/partition pair.
    public init(_ tp: TopicPartition, _ offset: Int64) {
        self.init(tp.topic, tp.partition, offset)
    }

    /// The topic/partition without the offset.
    public var topicPartition: TopicPartition { TopicPartition(topic, partition) }

    public var description: String { "\(topic)[\(partition)]@\(offset)" }
}

/// Owner of one `rd_kafka_topic_partition_list_t`: created here and destroyed in `deinit`, unless
/// `borrowing` wraps a list owned by librdkafka (the rebalance callback's argument).
final class PartitionList {
    /// The C list. Valid for the lifetime of this object.
    let list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
    private let owned: Bool

    /// A new, owned list with `offsets` (use `TopicPartitionOffset.invalid` when none applies).
    init(_ offsets: [TopicPartitionOffset]) {
        list = rd_kafka_topic_partition_list_new(Int32(max(1, offsets.count)))
        owned = true
        for tpo in offsets {
            let elem = rd_kafka_topic_partition_list_add(list, tpo.topic, tpo.partition)!
            elem.pointee.offset = tpo.offset
        }
    }

    /// A new, owned list of partitions with `offset` unset (`invalid`).
    convenience init(_ partitions: [TopicPartition]) {
        self.init(partitions.map { TopicPartitionOffset($0, TopicPartitionOffset.invalid) })
    }

    /// Takes ownership of a list librdkafka returned to us (e.g. `rd_kafka_assignment`'s output).
    init(taking list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.list = list
        owned = true
    }

    /// Wraps a list that librdkafka owns and will destroy itself; we never destroy it.
    init(borrowing list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.list = list
        owned = false
    }

    deinit {
        if owned { rd_kafka_topic_partition_list_destroy(list) }
    }

    /// The elements as value types.
    var offsets: [TopicPartitionOffset] {
        (0..<Int(list.pointee.cnt)).map { i in
            let e = list.pointee.elems[i]
            return TopicPartitionOffset(String(cString: e.topic), e.partition, e.offset)
        }
    }

    var partitions: [TopicPartition] { offsets.map(\.topicPartition) }

    /// Throws the first per-partition error in the list, if any.
    func checkElements(_ context: String) throws(KafkaError) {
        for i in 0..<Int(list.pointee.cnt) {
            let e = list.pointee.elems[i]
            if e.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(e.err, context: context, topic: String(cString: e.topic), partition: e.partition)
            }
        }
    }
}
