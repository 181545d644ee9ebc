/// The thin Swift wrapper over librdkafka. It knows nothing of CRM; no `rd_kafka_*` type leaves it.
public enum Kafka {
    /// librdkafka's version string.
    public static var librdkafkaVersion: String { KafkaVersion.string }
}
