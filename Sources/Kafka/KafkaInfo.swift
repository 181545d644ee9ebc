/// The thin Swift wrapper over librdkafka. It knows nothing of CRM; no `rd_kafka_*` type leaves it.
public enum KafkaInfo {
    /// librdkafka's version string.
    public static var librdkafkaVersion: String { KafkaVersion.string }
}
