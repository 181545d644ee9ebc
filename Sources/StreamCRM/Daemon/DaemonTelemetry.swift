import CRMModel
import Kafka

/// The processing loop's periodic reporting: publishes metrics derived from the engine's and the
/// processor's counters (about once a second, as deltas), refreshes consumer lag from the
/// watermarks librdkafka caches from fetch responses (no network round trip), sends systemd
/// STATUS= lines and WATCHDOG=1 pings, and updates the readiness the HTTP threads read.
///
/// Owned by the loop's thread. `isDue` is one comparison, cheap enough for every iteration;
/// because the watchdog ping is sent from `tick`, it stops when the loop stops iterating.
final class DaemonTelemetry {
    struct Intervals {
        var publish: Duration = .seconds(1)
        var lag: Duration = .seconds(5)
        var status: Duration = .seconds(5)
    }

    let metrics: DaemonMetrics
    let status: DaemonStatus
    let notifier: SystemdNotifier
    /// Per-message processing time, flushed into `metrics.processingSeconds` at each publish.
    var latency = LatencyRecorder()

    private let publishNanos: UInt64, lagNanos: UInt64, statusNanos: UInt64
    /// Ping interval: a quarter of WatchdogSec=, nil when systemd's watchdog is off for this process.
    let watchdogNanos: UInt64?
    private var nextPublish: UInt64 = 0, nextLag: UInt64 = 0, nextStatus: UInt64 = 0, nextWatchdog: UInt64 = 0
    private var nextDue: UInt64 = 0
    private var lastCounts = ProcessorCounts()
    private var lastStats = EngineStats()
    private var statusEvents = 0
    private var statusAt: UInt64
    private let eventCounters: [(KeyPath<EngineStats, Int>, Counter)]

    init(metrics: DaemonMetrics, status: DaemonStatus, topics: TopicNames, notifier: SystemdNotifier,
         intervals: Intervals, logger: Logger, baseline: EngineStats) {
        self.metrics = metrics
        lastStats = baseline
        self.status = status
        self.notifier = notifier
        func nanos(_ d: Duration) -> UInt64 {
            let c = d.components
            return UInt64(max(0, c.seconds)) * 1_000_000_000 + UInt64(max(0, c.attoseconds) / 1_000_000_000)
        }
        publishNanos = nanos(intervals.publish)
        lagNanos = nanos(intervals.lag)
        statusNanos = nanos(intervals.status)
        var watchdog: UInt64?
        do {
            if let timeout = try notifier.watchdogTimeout() { watchdog = max(nanos(timeout) / 4, 10_000_000) }
        } catch {
            logger.warn("systemd watchdog settings unreadable; not pinging", ["error": "\(error)"])
        }
        watchdogNanos = watchdog
        statusAt = LatencyRecorder.now()
        let e = metrics.events
        eventCounters = [
            (\.clicks, e.labels(topics.clickstream, "click")), (\.orders, e.labels(topics.orders, "order")),
            (\.cancels, e.labels(topics.orders, "cancel")), (\.refunds, e.labels(topics.orders, "refund")),
            (\.catalogRecords, e.labels(topics.catalog.isEmpty ? "none" : topics.catalog, "catalog")),
            (\.forgotten, e.labels(topics.control.isEmpty ? "none" : topics.control, "forget_user")),
        ]
    }

    /// Whether `tick` has work at `now` (call every iteration).
    @inline(__always)
    func isDue(_ now: UInt64) -> Bool { now >= nextDue }

    /// Called while the loop is alive but blocked on purpose (waiting for brokers to acknowledge
    /// outputs before a checkpoint, during an outage): keeps the watchdog fed and /health green,
    /// since waiting out an outage is progress, not a stuck loop.
    func keepAlive(now: UInt64) {
        status.beat(now)
        if let interval = watchdogNanos, now >= nextWatchdog {
            _ = try? notifier.watchdog()
            nextWatchdog = now + interval
        }
    }

    /// Does whatever is due at `now`.
    func tick(now: UInt64, engine: CRMEngine, counts: ProcessorCounts, assigned: Set<TopicPartition>,
              positions: [TopicPartition: Int64], consumer: KafkaConsumer?) {
        if now >= nextPublish {
            let brokers = consumer?.brokerStates
            status.setBrokers(up: brokers?.up, known: brokers?.known)
            if let brokers { metrics.brokersUp.set(brokers.up); metrics.brokersKnown.set(brokers.known) }
            publish(engine: engine, counts: counts, assigned: assigned.count)
            nextPublish = now + publishNanos
        }
        if now >= nextLag {
            refreshLag(assigned: assigned, positions: positions, consumer: consumer)
            // Until every partition's watermark is known (first fetch responses), retry sooner.
            nextLag = now + (status.totalLag == nil ? min(lagNanos, publishNanos) : lagNanos)
        }
        if now >= nextStatus {
            sendStatus(now: now, events: counts.events, assigned: assigned.count, customers: engine.customers.count)
            nextStatus = now + statusNanos
        }
        if let interval = watchdogNanos, now >= nextWatchdog {
            _ = try? notifier.watchdog()
            nextWatchdog = now + interval
        }
        metrics.ready.set(status.readiness().ready ? 1 : 0)
        nextDue = min(nextPublish, nextLag, nextStatus, watchdogNanos == nil ? .max : nextWatchdog)
    }

    /// Asks for a lag refresh at the next tick (after an assignment or a revocation).
    func refreshSoon() {
        nextLag = 0
        nextDue = 0
    }

    /// Publishes the final counts at shutdown (no lag refresh, no systemd messages after STOPPING=1).
    func publishFinal(engine: CRMEngine, counts: ProcessorCounts) {
        publish(engine: engine, counts: counts, assigned: 0)
    }

    /// Drops the lag series of partitions no longer assigned.
    func forget(_ partitions: [TopicPartition]) {
        for tp in partitions {
            metrics.lag.remove(tp.topic, String(tp.partition))
        }
    }

    private func publish(engine: CRMEngine, counts: ProcessorCounts, assigned: Int) {
        latency.flush(into: metrics.processingSeconds)
        let s = engine.stats
        for (path, counter) in eventCounters { counter.increment(by: max(0, s[keyPath: path] - lastStats[keyPath: path])) }
        metrics.lateEvents.increment(by: max(0, s.lateEvents - lastStats.lateEvents))
        metrics.churnRefits.increment(by: max(0, s.churnRefits - lastStats.churnRefits))
        lastStats = s
        let c = counts, o = lastCounts
        metrics.duplicates.increment(by: max(0, c.duplicates - o.duplicates))
        metrics.outputs.labels("recommendation").increment(by: max(0, c.recommendations - o.recommendations))
        metrics.outputs.labels("churn_alert").increment(by: max(0, c.churnAlerts - o.churnAlerts))
        metrics.outputs.labels("segment_change").increment(by: max(0, c.segmentChanges - o.segmentChanges))
        metrics.outputs.labels("tombstone").increment(by: max(0, c.tombstones - o.tombstones))
        metrics.outputs.labels("dead_letter").increment(by: max(0, c.deadLetters - o.deadLetters))
        metrics.deadLetters.labels("decode_error").increment(by: max(0, c.decodeErrors - o.decodeErrors))
        metrics.deadLetters.labels("rejected").increment(by: max(0, c.refused - o.refused))
        let unknownTopic = (c.deadLetters - c.decodeErrors - c.refused) - (o.deadLetters - o.decodeErrors - o.refused)
        metrics.deadLetters.labels("unknown_topic").increment(by: max(0, unknownTopic))
        lastCounts = c

        metrics.assignedPartitions.set(assigned)
        metrics.customers.set(engine.customers.count)
        metrics.similarityItems.set(engine.similarity.itemCount)
        metrics.catalogItems.set(engine.catalog.count)
        if let w = engine.watermark.current { metrics.watermark.set(Double(w) / 1000) }
        metrics.churnTimers.set(engine.timers.count)
        metrics.churnTimersHeld.set(engine.partitionClocks.heldCount)
        let p = engine.churn.parameters
        metrics.churnParameter.labels("r").set(p.r)
        metrics.churnParameter.labels("alpha").set(p.alpha)
        metrics.churnParameter.labels("a").set(p.a)
        metrics.churnParameter.labels("b").set(p.b)
        metrics.churnAlertThreshold.set(engine.config.churnThreshold)
        if let at = engine.lastChurnFitAt { metrics.churnLastFit.set(Double(at) / 1000) }
        if let fit = engine.lastChurnFit {
            metrics.churnFitCustomers.set(fit.customers)
            metrics.churnFitLogLikelihood.set(fit.meanLogLikelihood)
        }
    }

    /// Lag per partition: the cached high watermark minus the next offset to process (or minus the
    /// low watermark when nothing was processed or checkpointed yet). Unknown until the first
    /// fetch response for the partition arrived.
    private func refreshLag(assigned: Set<TopicPartition>, positions: [TopicPartition: Int64], consumer: KafkaConsumer?) {
        guard let consumer, !assigned.isEmpty else {
            status.setLag(assigned.isEmpty ? 0 : -1)
            return
        }
        var total: Int64 = 0
        var known = true
        var behind = Set<Int32>()
        for tp in assigned {
            guard let marks = try? consumer.cachedWatermarks(for: tp), marks.high >= 0 else {
                known = false
                behind.insert(tp.partition)
                continue
            }
            let next = positions[tp] ?? max(marks.low, 0)
            let lag = max(0, marks.high - next)
            if lag > 0 { behind.insert(tp.partition) }
            metrics.lag.labels(tp.topic, String(tp.partition)).set(Double(lag))
            total += lag
        }
        status.setLag(known ? total : -1)
        caughtUp = Set(assigned.map(\.partition)).subtracting(behind)
    }

    /// Partition numbers whose every assigned input topic is read to its end (lag 0), as of the
    /// last lag refresh.
    private(set) var caughtUp: Set<Int32> = []

    private func sendStatus(now: UInt64, events: Int, assigned: Int, customers: Int) {
        let seconds = Double(now &- statusAt) / 1e9
        let rate = seconds > 0 ? Double(events - statusEvents) / seconds : 0
        statusEvents = events
        statusAt = now
        guard notifier.isEnabled else { return }
        let text: String
        if assigned == 0 {
            text = "waiting for partition assignment"
        } else {
            let lag = status.totalLag.map(String.init) ?? "unknown"
            let (ready, detail) = status.readiness()
            let state = ready ? "ready" : (detail.hasPrefix("brokers unreachable") ? detail : "catching up")
            text = "\(state): \(Int(rate.rounded())) events/s, lag \(lag), "
                + "\(assigned) partitions, \(customers) customers"
        }
        _ = try? notifier.status(text)
    }
}
