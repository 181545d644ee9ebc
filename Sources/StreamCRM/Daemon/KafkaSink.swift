import Kafka

/// An output sink that publishes to Kafka through the idempotent producer.
struct KafkaSink: OutputSink {
    let producer: KafkaProducer
    private var key: [UInt8] = []

    init(producer: KafkaProducer) {
        self.producer = producer
        key.reserveCapacity(64)
    }

    mutating func emit(topic: String, key userKey: String, value: UnsafeRawBufferPointer?) throws {
        key.removeAll(keepingCapacity: true)
        key.append(contentsOf: userKey.utf8)
        try key.withUnsafeBytes { k in
            try producer.produce(topic: topic, keyBuffer: k, valueBuffer: value)
        }
    }
}
