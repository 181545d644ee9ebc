import Kafka

/// librdkafka configurations for the daemon's consumer and producer, from the `kafka.*` keys,
/// with StreamCRM's defaults underneath (a key given in the configuration always wins).
public struct KafkaSettings {
    /// Consumer defaults: manual offsets (StreamCRM commits what its checkpoints reflect), start
    /// from the beginning of a partition with no committed offset.
    public static let consumerDefaults: [(key: String, value: String)] = [
        ("enable.auto.commit", "false"),
        ("enable.auto.offset.store", "false"),
        ("auto.offset.reset", "earliest"),
        // range: partition p of every input topic goes to the same instance (topics with equal
        // partition counts), so a customer's clicks, orders and erasure meet one engine. The sticky
        // and round-robin assignors balance partitions without regard to their numbers.
        ("partition.assignment.strategy", "range"),
        ("queued.min.messages", "200000"),
        // Statistics every 5 s: the daemon reads the brokers' connection states from them
        // (/ready, STATUS=, streamcrm_brokers_up), since librdkafka signals no "brokers back".
        ("statistics.interval.ms", "5000"),
    ]
    /// Producer defaults: idempotent, acks from all in-sync replicas, small batching delay, and the
    /// Java client's partitioner for keyed outputs.
    public static let producerDefaults: [(key: String, value: String)] = [
        ("enable.idempotence", "true"),
        ("acks", "all"),
        ("linger.ms", "5"),
        ("message.timeout.ms", "0"),
        // murmur2 (the Java client's default, unlike librdkafka's CRC32): a customer's outputs land
        // on the partition a Java or Kafka Streams application puts the same key on, so downstream
        // joins with customer-keyed topics stay co-partitioned. (The changelog names its partitions.)
        ("partitioner", "murmur2_random"),
    ]

    public var consumer: KafkaConfig
    public var producer: KafkaConfig

    public init(_ c: Configuration, logHandler: KafkaLogHandler? = nil) {
        var consumerProps = Self.consumerDefaults + [("group.id", c.string("group.id"))]
        consumerProps += c.kafkaCommon.map { (key: $0.0, value: $0.1) }
        consumerProps += c.kafkaConsumer.map { (key: $0.0, value: $0.1) }
        var producerProps = Self.producerDefaults
        producerProps += c.kafkaCommon.map { (key: $0.0, value: $0.1) }
        producerProps += c.kafkaProducer.map { (key: $0.0, value: $0.1) }
        consumer = KafkaConfig(consumerProps)
        producer = KafkaConfig(producerProps)
        // librdkafka's own debug lines (`kafka.debug=cgrp,...`) reach the log at log.level=debug
        // (set at start: the clients' log level does not follow a reload).
        let level: KafkaLogLevel = c.string("log.level") == "debug" ? .debug : .warning
        consumer.logLevel = level
        producer.logLevel = level
        consumer.logHandler = logHandler
        producer.logHandler = logHandler
    }

    /// Asks librdkafka to accept every property (it names the first key it refuses).
    /// A refusal is a `ConfigError` (exit status 78, like every other bad value).
    public func validate() throws {
        do {
            try consumer.validate()
            try producer.validate()
        } catch {
            throw ConfigError(key: "kafka.*", value: nil, problem: "librdkafka refused the configuration: \(error)")
        }
        // librdkafka checks some properties against each other only when a client is created
        // (a start that failed after check-config said yes): create each once, with no brokers.
        do {
            try consumer.validateByCreatingClient(consumer: true)
            try producer.validateByCreatingClient(consumer: false)
        } catch {
            throw ConfigError(key: "kafka.*", value: nil, problem: "librdkafka refused the configuration: \(error)")
        }
    }
}
