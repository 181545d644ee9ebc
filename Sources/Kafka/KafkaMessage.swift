import Crdkafka

/// A consumed message, copied out of librdkafka (owns its bytes; safe to keep and send).
public struct KafkaMessage: Sendable, Equatable {
    /// Topic name.
    public var topic: String
    /// Partition number.
    public var partition: Int32
    /// The message's offset in its partition (commit `offset + 1` once processed).
    public var offset: Int64
    /// Key bytes, or nil for no key.
    public var key: [UInt8]?
    /// Value bytes, or nil for a tombstone (null value).
    public var value: [UInt8]?
    /// Timestamp in milliseconds since the Unix epoch (create or log-append time), if any.
    public var timestampMs: Int64?

    /// Creates a message value (mainly for tests and replay).
    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]?, timestampMs: Int64?) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.timestampMs = timestampMs
    }

    /// The position to commit after processing this message (`offset + 1`).
    public var nextOffset: TopicPartitionOffset { TopicPartitionOffset(topic, partition, offset + 1) }
}

/// A borrowed, zero-copy view of a consumed message, valid only inside the body passed to
/// `KafkaConsumer.poll(timeoutMs:_:)`: the buffers point into librdkafka's message, which is
/// destroyed (`rd_kafka_message_destroy`) as soon as the body returns. Do not let the buffers
/// escape; call `copy()` to keep the message.
public struct KafkaMessageView {
    /// Topic name (cached per topic; no allocation per message).
    public let topic: String
    /// Partition number.
    public let partition: Int32
    /// Offset of the message.
    public let offset: Int64
    /// Key bytes, or nil for no key.
    public let key: UnsafeRawBufferPointer?
    /// Value bytes, or nil for a tombstone.
    public let value: UnsafeRawBufferPointer?
    /// Timestamp in milliseconds since the Unix epoch, if any.
    public let timestampMs: Int64?

    /// An owned copy of the message.
    public func copy() -> KafkaMessage {
        KafkaMessage(topic: topic, partition: partition, offset: offset,
                     key: key.map { Array($0) }, value: value.map { Array($0) }, timestampMs: timestampMs)
    }

    /// The position to commit after processing this message (`offset + 1`).
    public var nextOffset: TopicPartitionOffset { TopicPartitionOffset(topic, partition, offset + 1) }

    /// Builds a view over a message owned by the caller (valid while it is).
    init(_ m: UnsafeMutablePointer<rd_kafka_message_t>, topic: String) {
        let msg = m.pointee
        self.topic = topic
        partition = msg.partition
        offset = msg.offset
        key = msg.key.map { UnsafeRawBufferPointer(start: $0, count: msg.key_len) }
        value = msg.payload.map { UnsafeRawBufferPointer(start: $0, count: msg.len) }
        let ts = rd_kafka_message_timestamp(m, nil)
        timestampMs = ts >= 0 ? ts : nil
    }
}

/// What one consumer poll produced.
///
/// `Message` is `KafkaMessage` for the copying poll and the body's result for the zero-copy poll.
public enum KafkaPollEvent<Message> {
    /// A message (or the zero-copy body's result for it).
    case message(Message)
    /// The consumer reached the end of a partition (only with `enable.partition.eof=true`);
    /// `offset` is the next offset that will be read.
    case partitionEOF(TopicPartitionOffset)
    /// A transient error (e.g. `_TRANSPORT`, `_ALL_BROKERS_DOWN`, an assignment that failed):
    /// librdkafka keeps retrying; log it and keep polling. Fatal errors are thrown instead.
    case error(KafkaError)
}

extension KafkaPollEvent: Sendable where Message: Sendable {}

/// The copying consumer poll's result.
public typealias KafkaConsumerEvent = KafkaPollEvent<KafkaMessage>
