/// The daemon's Prometheus metrics (served on /metrics).
///
/// Hot-path counters (`eventsIn`) are single atomic adds; everything derived from the engine's and
/// the processor's own counters is published by `DaemonTelemetry` about once a second, as deltas,
/// so processing an event costs no metric work beyond that.
public final class DaemonMetrics: Sendable {
    public let registry = MetricsRegistry()
    let eventsIn: Counter
    let kafkaErrors: Counter
    let checkpoints: Counter
    let producerWaits: Counter
    let checkpointSeconds: Histogram
    let restoreSeconds: Gauge

    /// Applied input events by topic and type.
    let events: MetricFamily<Counter>
    let duplicates: Counter
    let lateEvents: Counter
    /// Outputs published by kind.
    let outputs: MetricFamily<Counter>
    /// Dead letters by reason class.
    let deadLetters: MetricFamily<Counter>
    let processingSeconds: Histogram
    let lag: MetricFamily<Gauge>
    let assignedPartitions: Gauge
    let ready: Gauge
    let customers: Gauge
    let similarityItems: Gauge
    let catalogItems: Gauge
    let watermark: Gauge
    let churnTimers: Gauge
    let brokersUp: Gauge
    let brokersKnown: Gauge
    let churnTimersHeld: Gauge
    let churnParameter: MetricFamily<Gauge>
    let churnLastFit: Gauge
    let churnFitCustomers: Gauge
    let churnFitLogLikelihood: Gauge
    let churnRefits: Counter
    let churnAlertThreshold: Gauge
    let reloads: MetricFamily<Counter>
    let queries: MetricFamily<Counter>

    init() {
        let r = registry
        eventsIn = r.counter("streamcrm_input_messages_total", help: "Input messages consumed.").series
        kafkaErrors = r.counter("streamcrm_kafka_errors_total", help: "Transient Kafka client errors.").series
        checkpoints = r.counter("streamcrm_checkpoints_total", help: "Checkpoints written.").series
        producerWaits = r.counter("streamcrm_producer_flush_waits_total", help: "Seconds spent waiting for brokers to acknowledge outputs before a checkpoint.").series
        checkpointSeconds = r.histogram("streamcrm_checkpoint_seconds", help: "Checkpoint duration.").series
        restoreSeconds = r.gauge("streamcrm_restore_seconds", help: "Duration of the last state restore.").series

        events = r.counter("streamcrm_input_events_total", help: "Input events applied to the models, by topic and event type.", labels: ["topic", "type"])
        duplicates = r.counter("streamcrm_input_duplicates_total", help: "Redelivered input events applied once and then ignored.").series
        lateEvents = r.counter("streamcrm_input_late_events_total", help: "Input events older than the watermark, the largest event time on any partition minus time.allowed_lateness (applied, counted; while partitions are read unevenly, most are).").series
        outputs = r.counter("streamcrm_outputs_total", help: "Records published, by kind.", labels: ["kind"])
        deadLetters = r.counter("streamcrm_dead_letters_total", help: "Input messages sent to the dead-letter topic, by reason class.", labels: ["reason"])
        processingSeconds = r.histogram("streamcrm_processing_seconds", help: "Time to decode, apply and publish one input message (every message measured, monotonic clock).",
                                        buckets: LatencyRecorder.processingBuckets).series
        lag = r.gauge("streamcrm_consumer_lag_messages", help: "Messages behind the partition's high watermark (refreshed every few seconds).", labels: ["topic", "partition"])
        assignedPartitions = r.gauge("streamcrm_assigned_partitions", help: "Input partitions assigned to this instance.").series
        ready = r.gauge("streamcrm_ready", help: "1 when partitions are assigned, state restored and lag at most ready.max_lag (as /ready).").series
        customers = r.gauge("streamcrm_customers", help: "Customers in this instance's state.").series
        similarityItems = r.gauge("streamcrm_similarity_items", help: "Items in the item-similarity cache.").series
        catalogItems = r.gauge("streamcrm_catalog_items", help: "Catalog records known.").series
        watermark = r.gauge("streamcrm_event_time_watermark_seconds", help: "Event-time watermark (Unix seconds).").series
        brokersUp = r.gauge("streamcrm_brokers_up", help: "Brokers the consumer is connected to (librdkafka statistics, every statistics.interval.ms).").series
        brokersKnown = r.gauge("streamcrm_brokers_known", help: "Brokers the consumer knows from metadata.").series
        churnTimers = r.gauge("streamcrm_churn_timers", help: "Customers with an armed churn timer.").series
        churnTimersHeld = r.gauge("streamcrm_churn_timers_held", help: "Due churn timers held until their customer's partition reaches them (a partition read behind the others).").series
        churnParameter = r.gauge("streamcrm_churn_model_parameter", help: "Parameters of the churn model in use (MBG/NBD r, alpha, a, b).", labels: ["parameter"])
        churnLastFit = r.gauge("streamcrm_churn_model_last_fit_timestamp_seconds", help: "Event time of the last churn parameter estimate (Unix seconds; 0 = none yet).").series
        churnFitCustomers = r.gauge("streamcrm_churn_model_fit_customers", help: "Customers the last churn parameter estimate saw.").series
        churnFitLogLikelihood = r.gauge("streamcrm_churn_model_fit_mean_log_likelihood", help: "Mean log-likelihood per customer at the last estimate.").series
        churnRefits = r.counter("streamcrm_churn_model_refits_total", help: "Churn parameter estimates.").series
        churnAlertThreshold = r.gauge("streamcrm_churn_alert_threshold", help: "Risk at which a churn alert fires (churn.alert.threshold, reloadable).").series
        reloads = r.counter("streamcrm_config_reloads_total", help: "SIGHUP configuration reloads, by result.", labels: ["result"])
        queries = r.counter("streamcrm_customer_queries_total", help: "GET /customers/{id} requests, by result.", labels: ["result"])
        // Every documented series is exported from the start, at 0.
        for result in ["ok", "refused"] { _ = reloads.labels(result) }
        for result in ["found", "not_found", "timeout", "busy"] { _ = queries.labels(result) }
        r.gauge("streamcrm_build_info", help: "Version of the running binary.", labels: ["version"]).labels(StreamCRMInfo.version).set(1)
        for kind in ["recommendation", "churn_alert", "segment_change", "tombstone", "dead_letter"] { _ = outputs.labels(kind) }
        for reason in ["decode_error", "rejected", "unknown_topic"] { _ = deadLetters.labels(reason) }
    }
}
