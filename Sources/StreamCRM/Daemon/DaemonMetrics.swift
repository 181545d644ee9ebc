/// The daemon's Prometheus metrics (served on /metrics).
public final class DaemonMetrics: Sendable {
    public let registry = MetricsRegistry()
    let eventsIn: Counter
    let kafkaErrors: Counter
    let checkpoints: Counter
    let producerWaits: Counter
    let checkpointSeconds: Histogram
    let restoreSeconds: Gauge

    init() {
        eventsIn = registry.counter("streamcrm_input_messages_total", help: "Input messages consumed.").series
        kafkaErrors = registry.counter("streamcrm_kafka_errors_total", help: "Transient Kafka client errors.").series
        checkpoints = registry.counter("streamcrm_checkpoints_total", help: "Checkpoints written.").series
        producerWaits = registry.counter("streamcrm_producer_flush_waits_total", help: "Seconds spent waiting for brokers to acknowledge outputs before a checkpoint.").series
        checkpointSeconds = registry.histogram("streamcrm_checkpoint_seconds", help: "Checkpoint duration.").series
        restoreSeconds = registry.gauge("streamcrm_restore_seconds", help: "Duration of the last state restore.").series
    }
}
