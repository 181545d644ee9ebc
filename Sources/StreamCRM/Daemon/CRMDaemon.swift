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
    private var producer: KafkaProducer!
    private var sink: KafkaSink!
    /// Partitions currently assigned and whether their state has been restored.
    private(set) var assigned: Set<TopicPartition> = []
    private var eofPartitions: Set<TopicPartition> = []
    private var restoredOnce = false
    private var lastMessageWall = Date()
    private var notifier = SystemdNotifier()

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
        processor.pseudonymiser = Pseudonymiser(key: configuration.string("privacy.pseudonymise.key"))
        metrics = DaemonMetrics()
        store = try StateStore(directory: configuration.string("state.dir"))
        let changelog = topics.changelog.isEmpty ? nil : StateChangelog(
            topic: topics.changelog,
            readerConfig: (configuration.kafkaCommon + configuration.kafkaConsumer).map { (key: $0.0, value: $0.1) })
        checkpointer = try Checkpointer(store: store, engine: engine, logger: logger, metrics: metrics,
                                        everyEvents: Int(configuration.int("checkpoint.interval.events")),
                                        everyMs: Int(configuration.int("checkpoint.interval.ms")),
                                        changelog: changelog, inputTopics: topics.inputs)
        try checkpointer.restoreGlobals()
    }

    /// Runs until a stop is requested (or, with `options.stopWhenCaughtUp`, until every assigned
    /// partition is at its end). Returns the process exit status.
    public func run() throws -> Int32 {
        let settings = KafkaSettings(configuration, logHandler: { [logger] record in
            let level: LogLevel = record.level <= .error ? .error : (record.level <= .warning ? .warn : .info)
            logger.log(level, "librdkafka: \(record.message)", ["facility": record.facility], rateLimitKey: "rdkafka-\(record.facility)")
        })
        var consumerConfig = settings.consumer
        if options.stopWhenCaughtUp { consumerConfig.set("enable.partition.eof", "true") }
        producer = try KafkaProducer(config: settings.producer)
        sink = KafkaSink(producer: producer)
        consumer = try KafkaConsumer(config: consumerConfig) { [unowned self] event in
            self.rebalance(event)
        }
        try consumer.subscribe(topics: topics.inputs)
        logger.info("started", ["group": configuration.string("group.id"), "topics": topics.inputs.joined(separator: ","),
                                "state_dir": configuration.string("state.dir")])
        let deadlineSeconds = Double(configuration.int("shutdown.deadline.s"))
        while !stopSignal.isStopRequested {
            if stopSignal.takeReloadRequest() { reload() }
            processor.engine.wallNow = Int64(Date().timeIntervalSince1970 * 1000)
            try pollOnce()
            producer.poll(timeoutMs: 0)
            try checkpointer.maybeCheckpoint(producer: producer, consumer: consumer, stop: stopSignal)
            if options.stopWhenCaughtUp && restoredOnce && !assigned.isEmpty && eofPartitions.isSuperset(of: assigned)
                && Date().timeIntervalSince(lastMessageWall) > options.caughtUpIdleSeconds {
                break
            }
            _ = try? notifier.watchdog()
        }
        // Graceful stop: no more fetching; everything in hand is processed; flush, checkpoint, commit, leave.
        _ = try? notifier.stopping()
        logger.info("stopping", ["events": processor.counts.events])
        let deadline = Date().addingTimeInterval(deadlineSeconds)
        let clean = try checkpointer.checkpoint(producer: producer, consumer: consumer, deadline: deadline, reason: "shutdown")
        try consumer.close()
        logger.info("stopped", ["events": processor.counts.events, "clean": clean])
        return clean ? 0 : 1
    }

    private func pollOnce() throws {
        let event = try consumer.poll(timeoutMs: 100) { [self] (message: KafkaMessageView) throws -> TopicPartition in
            let position = SourcePosition(topic: message.topic, partition: message.partition, offset: message.offset)
            let empty = UnsafeRawBufferPointer(start: nil, count: 0)
            try processor.handle(message.value ?? empty, at: position, sink: &sink)
            checkpointer.processed(TopicPartition(message.topic, message.partition), nextOffset: message.offset + 1)
            metrics.eventsIn.increment()
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

    private func rebalance(_ event: RebalanceEvent) -> [TopicPartitionOffset]? {
        switch event {
        case .assigned(let partitions):
            do {
                let offsets = try checkpointer.restore(partitions: partitions)
                assigned.formUnion(partitions)
                restoredOnce = true
                logger.info("partitions assigned", ["partitions": partitions.map(\.description).joined(separator: ","),
                                                    "customers": processor.engine.customers.count])
                if !(try notifier.ready()) { _ = () }
                return offsets
            } catch {
                logger.error("cannot restore state", ["error": "\(error)"])
                stopSignal.requestStop()
                return nil
            }
        case .revoked(let partitions), .lost(let partitions):
            let lost: Bool
            if case .lost = event { lost = true } else { lost = false }
            if !lost {
                _ = try? checkpointer.checkpoint(producer: producer, consumer: consumer,
                                                 deadline: Date().addingTimeInterval(30), reason: "revoke")
            }
            checkpointer.release(partitions: partitions)
            assigned.subtract(partitions)
            eofPartitions.subtract(partitions)
            logger.info(lost ? "partitions lost" : "partitions revoked",
                        ["partitions": partitions.map(\.description).joined(separator: ",")])
            return nil
        }
    }

    private func reload() {
        do {
            let fresh = try Configuration.load(file: options.configFile, overrides: options.overrides)
            if let level = LogLevel(name: fresh.string("log.level")) { logger.level = level }
            let restartKeys = ConfigSchema.keys.filter { !$0.reloadable && fresh.values[$0.name] != configuration.values[$0.name] }
            logger.info("reloaded", ["log_level": fresh.string("log.level"),
                                     "need_restart": restartKeys.map(\.name).joined(separator: ",")])
        } catch {
            logger.error("reload refused; keeping the running configuration", ["error": "\(error)"])
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
    public init() {}
}
