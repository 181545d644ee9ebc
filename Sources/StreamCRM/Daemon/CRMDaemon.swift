import CRMModel
import Foundation
import Kafka

/// The daemon (`streamcrm run`): consumes the input topics in a consumer group, applies each
/// event to the engine, publishes the outputs, and checkpoints state with the input offsets it
/// reflects (DESIGN.md §5).
///
/// Threading: everything here runs on the thread that calls `run()`; librdkafka calls the
/// rebalance handler from inside `poll` on that same thread.
public final class CRMDaemon {
    public let configuration: Configuration
    public let logger: Logger
    public let topics: TopicNames
    public let processor: EventProcessor
    public let stopSignal: StopSignal
    public let metrics: DaemonMetrics
    public let store: StateStore
    let checkpointer: Checkpointer
    let options: DaemonOptions

    private var consumer: KafkaConsumer!
    /// Reads the whole catalog topic, outside the group (nil without a catalog topic).
    private var catalogReader: CatalogReader?
    private var producer: KafkaProducer!
    private var sink: KafkaSink!
    /// Partitions currently assigned and whether their state has been restored.
    private(set) var assigned: Set<TopicPartition> = []
    private var eofPartitions: Set<TopicPartition> = []
    private var restoredOnce = false
    private var lastMessageWall = Date()
    private var notifier = SystemdNotifier()
    /// Liveness, readiness and the HTTP port, for other threads.
    public let status: DaemonStatus
    let queries: QueryChannel
    let telemetry: DaemonTelemetry
    private var http: HTTPServer?
    private var sentReady = false
    /// The configuration in effect: the start-up one with the reloadable keys of the last reload.
    private var running: Configuration
    /// Set when the daemon stops because of an error it could not recover from (exit status 1).
    private var failure: String?
    /// The exit status of a failure that is not a broker or disk problem (78: configuration).
    private var failureStatus: Int32?
    /// The graceful shutdown's deadline once a stop began: checkpoints after it (the revoke that
    /// `consumer.close()` triggers) give up at the same deadline.
    private var shutdownDeadline: Date?

    /// Opens the state store (a fatal, clearly named error if the directory is unusable) and
    /// restores the global model state. Kafka clients are created by `run()`.
    public init(configuration: Configuration, logger: Logger, stopSignal: StopSignal,
                options: DaemonOptions = DaemonOptions()) throws {
        self.configuration = configuration
        self.logger = logger
        self.stopSignal = stopSignal
        self.options = options
        topics = TopicNames(configuration)
        let engine = CRMEngine(config: EngineConfig(configuration))
        processor = EventProcessor(engine: engine, topics: topics)
        processor.configurePrivacy(configuration)
        metrics = DaemonMetrics()
        store = try StateStore(directory: configuration.string("state.dir"))
        try PseudonymKeyCheck.verify(store: store, pseudonymiser: processor.pseudonymiser,
                                     directory: configuration.string("state.dir"))
        let changelog = topics.changelog.isEmpty ? nil : StateChangelog(
            topic: topics.changelog,
            readerConfig: (configuration.kafkaCommon + configuration.kafkaConsumer).map { (key: $0.0, value: $0.1) })
        checkpointer = try Checkpointer(store: store, engine: engine, logger: logger, metrics: metrics,
                                        everyEvents: Int(configuration.int("checkpoint.interval.events")),
                                        everyMs: Int(configuration.int("checkpoint.interval.ms")),
                                        changelog: changelog, inputTopics: topics.inputs,
                                        customerTopics: topics.customerKeyedInputs,
                                        cleanupDelayMs: Int(configuration.int("state.cleanup.delay.ms")))
        try checkpointer.restoreGlobals(seed: configuration.string("model.seed"))
        running = configuration
        status = DaemonStatus(maxStallSeconds: Double(configuration.int("health.max_stall.s")),
                              maxLag: configuration.int("ready.max_lag"))
        queries = QueryChannel()
        telemetry = DaemonTelemetry(metrics: metrics, status: status, topics: topics, notifier: notifier,
                                    intervals: options.telemetryIntervals, logger: logger, baseline: engine.stats)
        checkpointer.onWait = { [telemetry] in telemetry.keepAlive(now: LatencyRecorder.now()) }
    }

    /// Starts the HTTP endpoint unless `http.port` is -1.
    private func startHTTP() throws {
        let port = configuration.int("http.port")
        guard port >= 0 else { return }
        let token = configuration.string("http.token")
        let server = HTTPServer(configuration: HTTPServerConfiguration(address: configuration.string("http.address"),
                                                                       port: UInt16(port), bearerToken: token.isEmpty ? nil : token),
                                logger: logger,
                                handler: DaemonHTTP.handler(status: status, metrics: metrics, queries: queries))
        do {
            let bound = try server.start()
            http = server
            status.setHTTPPort(bound)
            logger.info("http listening", ["address": configuration.string("http.address"), "port": bound,
                                           "token": token.isEmpty ? "off" : "on"])
        } catch {
            throw DaemonError("cannot serve HTTP (http.address=\(configuration.string("http.address")) http.port=\(port)): \(error)")
        }
    }

    /// Logs (rate-limited) while no partition has been assigned for more than 30 s: a group that
    /// cannot form (brokers unreachable, a coordinator still waiting out an old member's session)
    /// would otherwise look like a silent hang.
    private func warnIfStillUnassigned(since: inout Date?) {
        guard assigned.isEmpty else { since = nil; return }
        let start = since ?? Date()
        since = start
        let waited = Date().timeIntervalSince(start)
        guard waited > 30 else { return }
        logger.warn("still waiting for partition assignment", ["waited_s": Int(waited), "group": configuration.string("group.id")],
                    rateLimitKey: "assignment-wait")
    }

    /// Runs until a stop is requested (or, with `options.stopWhenCaughtUp`, until every assigned
    /// partition is at its end). Returns the process exit status.
    public func run() throws -> Int32 {
        let settings = KafkaSettings(configuration, logHandler: { [logger] record in
            let level: LogLevel = record.level <= .error ? .error
                : (record.level <= .warning ? .warn : (record.level == .debug ? .debug : .info))
            // Debug lines are asked for (kafka.debug): not rate-limited.
            logger.log(level, "librdkafka: \(record.message)", ["facility": record.facility],
                       rateLimitKey: level == .debug ? nil : "rdkafka-\(record.facility)")
        })
        var consumerConfig = settings.consumer
        if options.stopWhenCaughtUp { consumerConfig.set("enable.partition.eof", "true") }
        producer = try KafkaProducer(config: settings.producer)
        sink = KafkaSink(producer: producer)
        consumer = try KafkaConsumer(config: consumerConfig) { [unowned self] event in
            self.rebalance(event)
        }
        try startHTTP()
        defer {
            queries.close()
            http?.stop()
            status.setHTTPPort(nil)
        }
        if !topics.catalog.isEmpty {
            var stored: [Int32: Int64] = [:]
            for (key, next) in try store.offsets() where key.topic == topics.catalog { stored[key.partition] = next }
            catalogReader = try CatalogReader(topic: topics.catalog, settings: settings.consumer, logger: logger,
                                              stored: stored, bootstrapSeconds: Self.catalogBootstrapSeconds)
        }
        defer { catalogReader?.close() }
        var subscribed = false
        let deadlineSeconds = Double(configuration.int("shutdown.deadline.s"))
        var unassignedSince: Date? = Date()
        while !stopSignal.isStopRequested {
            options.onIteration?()
            let now = LatencyRecorder.now()
            status.beat(now)
            warnIfStillUnassigned(since: &unassignedSince)
            if stopSignal.takeReloadRequest() { reload() }
            processor.engine.wallNow = Int64(Date().timeIntervalSince1970 * 1000)
            if queries.hasPending {
                queries.serve { [processor, assigned] id in
                    // The query names the customer as the shop knows them; state is kept under the
                    // pseudonym when pseudonymisation is on.
                    let key = processor.pseudonymiser?.pseudonym(id) ?? id
                    return CustomerView.response(engine: processor.engine, userID: key, ownedPartitions: assigned.count)
                }
            }
            if telemetry.isDue(now) {
                telemetry.tick(now: now, engine: processor.engine, counts: processor.counts, assigned: assigned,
                               positions: checkpointer.positions, consumer: consumer)
                // Churn timers held for a lagging partition are released once it is read to its end.
                if telemetry.caughtUp != processor.engine.partitionClocks.caughtUp {
                    try processor.markCaughtUp(partitions: telemetry.caughtUp, sink: &sink)
                }
            }
            // Customer partitions are taken once the catalog is read (CatalogReader).
            if !subscribed, catalogReader?.isBootstrapping != true {
                try consumer.subscribe(topics: topics.customerKeyedInputs)
                subscribed = true
                unassignedSince = Date()
                logger.info("started", ["group": configuration.string("group.id"), "topics": topics.customerKeyedInputs.joined(separator: ","),
                                        "catalog": topics.catalog, "state_dir": configuration.string("state.dir")])
            }
            if subscribed {
                try pollOnce()
                try catalogReader?.poll { try handleMessage($0) }
            } else {
                try catalogReader?.poll(timeoutMs: 100, limit: 20_000) { try handleMessage($0) }
            }
            producer.poll(timeoutMs: 0)
            try checkpointer.maybeCheckpoint(producer: producer, consumer: consumer, stop: stopSignal)
            if options.stopWhenCaughtUp && restoredOnce && !assigned.isEmpty && eofPartitions.isSuperset(of: assigned)
                && Date().timeIntervalSince(lastMessageWall) > options.caughtUpIdleSeconds {
                // Every partition is read to its end: what waited for the backlog (held forgets and
                // churn timers) applies before the last checkpoint.
                try processor.markCaughtUp(partitions: Set(assigned.map(\.partition)), sink: &sink)
                break
            }
        }
        // Graceful stop: no more fetching; everything in hand is processed; flush, checkpoint, commit, leave.
        status.setStopping()
        queries.close()
        _ = try? notifier.stopping()
        logger.info("stopping", ["events": processor.counts.events])
        let deadline = Date().addingTimeInterval(deadlineSeconds)
        shutdownDeadline = deadline
        // After a failed restore the in-memory state is incomplete: no checkpoint.
        var clean = false
        if failure == nil {
            clean = try checkpointer.checkpoint(producer: producer, consumer: consumer, deadline: deadline, reason: "shutdown")
        }
        if clean {
            try consumer.close()
        } else {
            // The brokers could not be reached before the deadline: leaving the group would block
            // as long again. The next start resumes from the last checkpoint.
            consumer.abandon()
        }
        telemetry.publishFinal(engine: processor.engine, counts: processor.counts)
        logger.info("stopped", ["events": processor.counts.events, "clean": clean])
        return failureStatus ?? (clean ? 0 : 1)
    }

    private func pollOnce() throws {
        let event = try consumer.poll(timeoutMs: 100) { [self] (message: KafkaMessageView) throws -> TopicPartition in
            try handleMessage(message)
            return TopicPartition(message.topic, message.partition)
        }
        switch event {
        case .message(let tp)?:
            lastMessageWall = Date()
            eofPartitions.remove(tp)
        case .partitionEOF(let tpo)?:
            eofPartitions.insert(tpo.topicPartition)
        case .error(let e)?:
            metrics.kafkaErrors.increment()
            logger.warn("kafka", ["error": e.description], rateLimitKey: "kafka-\(e.code.rawValue)")
        case nil:
            if configuration.bool("time.idle_advance") {
                try processor.advanceIdle(wallNow: Int64(Date().timeIntervalSince1970 * 1000), sink: &sink)
            }
        }
    }

    /// One input message (from the group or the catalog reader): processed, its outputs handed
    /// to the sink, its offset noted for the next checkpoint.
    private func handleMessage(_ message: KafkaMessageView) throws {
        let position = SourcePosition(topic: message.topic, partition: message.partition, offset: message.offset)
        let started = LatencyRecorder.now()
        if let value = message.value {
            try processor.handle(value, at: position, messageTime: message.timestampMs, sink: &sink)
        } else {
            try processor.handleTombstone(key: message.key, at: position, sink: &sink)
        }
        telemetry.latency.record(from: started, to: LatencyRecorder.now())
        checkpointer.processed(TopicPartition(message.topic, message.partition), nextOffset: message.offset + 1)
        metrics.eventsIn.increment()
    }

    /// How long the start waits for the catalog to be read to its end before taking partitions.
    static let catalogBootstrapSeconds: Double = 120

    private func rebalance(_ event: RebalanceEvent) -> [TopicPartitionOffset]? {
        switch event {
        case .assigned(let partitions):
            if let problem = CoPartitioning.problem(assignment: assigned.union(partitions), userKeyed: topics.customerKeyedInputs) {
                logger.error("cannot start", ["error": problem])
                failure = problem
                failureStatus = 78  // EX_CONFIG: a deployment error, not worth a restart
                stopSignal.requestStop()
                return nil
            }
            do {
                let offsets = try checkpointer.restore(partitions: partitions)
                assigned.formUnion(partitions)
                restoredOnce = true
                status.setAssigned(assigned.count)
                status.setRestored()
                telemetry.refreshSoon()
                logger.info("partitions assigned", ["partitions": partitions.map(\.description).joined(separator: ","),
                                                    "customers": processor.engine.customers.count])
                if !sentReady && !assigned.isEmpty {
                    sentReady = true
                    do { try notifier.ready() } catch { logger.warn("sd_notify failed", ["error": "\(error)"]) }
                }
                return offsets
            } catch {
                logger.error("cannot restore state", ["error": "\(error)"])
                failure = "cannot restore state: \(error)"
                if let e = error as? DaemonError, e.exitStatus != 1 { failureStatus = e.exitStatus }
                stopSignal.requestStop()
                return nil
            }
        case .revoked(let partitions), .lost(let partitions):
            let lost: Bool
            if case .lost = event { lost = true } else { lost = false }
            if !lost && failure == nil {
                var deadline = Date().addingTimeInterval(30)
                if let shutdownDeadline { deadline = min(deadline, shutdownDeadline) }
                _ = try? checkpointer.checkpoint(producer: producer, consumer: consumer, deadline: deadline, reason: "revoke")
            }
            checkpointer.release(partitions: partitions)
            assigned.subtract(partitions)
            eofPartitions.subtract(partitions)
            status.setAssigned(assigned.count)
            telemetry.forget(partitions)
            telemetry.refreshSoon()
            logger.info(lost ? "partitions lost" : "partitions revoked",
                        ["partitions": partitions.map(\.description).joined(separator: ",")])
            return nil
        }
    }

    /// SIGHUP: re-reads the file, the environment and the `--set` overrides; applies the reloadable
    /// keys; names the changed keys that need a restart. A configuration that no longer validates
    /// is refused as a whole and the running one kept.
    private func reload() {
        if sentReady { _ = try? notifier.reloading() }
        defer { if sentReady { _ = try? notifier.ready() } }
        let fresh: Configuration
        do {
            fresh = try Configuration.load(file: options.configFile, environment: options.environment, overrides: options.overrides)
        } catch {
            metrics.reloads.labels("refused").increment()
            logger.error("reload refused; keeping the running configuration", ["error": "\(error)"])
            return
        }
        let plan = ReloadPlan(running: running, started: configuration, fresh: fresh)
        processor.engine.apply(ReloadableEngineSettings(fresh))
        for key in ConfigSchema.keys where key.reloadable {
            try? running.set(key.name, fresh.string(key.name), origin: "reload")
        }
        metrics.reloads.labels("ok").increment()
        // Shown when either the old or the new log level shows info.
        let newLevel = LogLevel(name: fresh.string("log.level")) ?? logger.level
        let showBefore = logger.isEnabled(.info)
        if !showBefore { logger.level = newLevel }
        logger.info("reloaded", ["changed": plan.applied.isEmpty ? "none" : plan.applied.joined(separator: ","),
                                 "need_restart": plan.needRestart.isEmpty ? "none" : plan.needRestart.joined(separator: ",")])
        logger.level = newLevel
        if !plan.needRestart.isEmpty {
            logger.warn("changed keys take effect only after a restart", ["keys": plan.needRestart.joined(separator: ",")])
        }
    }
}

/// How `CRMDaemon` runs beyond its configuration (tests, the demo, SIGHUP reload).
public struct DaemonOptions: Sendable {
    /// The configuration file, re-read on SIGHUP.
    public var configFile: String?
    /// `--set` overrides, re-applied on SIGHUP.
    public var overrides: [String] = []
    /// Stop once every assigned partition is at its end and nothing arrived for a while (demo, tests).
    public var stopWhenCaughtUp = false
    /// How long "a while" is, in seconds.
    public var caughtUpIdleSeconds = 1.0
    /// The environment a reload reads `STREAMCRM_*` overrides from (the process's by default).
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    /// How often metrics are published, lag refreshed and STATUS= sent.
    var telemetryIntervals = DaemonTelemetry.Intervals()
    /// Called at the start of every loop iteration on the loop's thread (tests stall the loop with it).
    public var onIteration: (@Sendable () -> Void)?
    public init() {}
}
