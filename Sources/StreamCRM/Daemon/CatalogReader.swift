import Foundation
import Kafka

/// Reads every partition of the catalog topic into the engine, whichever customer partitions this
/// instance owns: a global table, as Kafka Streams' GlobalKTable. Catalog records are keyed by
/// item, not by customer, so with the catalog read through the consumer group each instance
/// would know only the items of its own partition numbers (categories missing, withdrawn items
/// still recommended elsewhere).
///
/// Its own consumer is assigned every partition and never joins the group nor commits: where it
/// stands is part of each checkpoint (``Checkpointer/processed(_:nextOffset:)``), so a restart
/// resumes there; a fresh state directory reads the catalog from its beginning. The daemon takes
/// customer partitions only once the catalog is read to its end (``isBootstrapping``), or once
/// `bootstrapDeadline` has passed, so that recommendations see the whole catalog from the first
/// event. Brokers that cannot be reached, or a topic that does not exist yet, are retried every
/// second from the daemon's loop (never blocking it: stop, reload and the watchdog carry on).
///
/// Threading: used only by the daemon's thread.
final class CatalogReader {
    let topic: String
    private let consumer: KafkaConsumer   // owns its librdkafka handle (released in its deinit)
    private let logger: Logger
    private let stored: [Int32: Int64]
    private let bootstrapDeadline: Date
    private var partitionCount: Int?
    private var atEnd: Set<Int32> = []
    private var lastAssignAttempt = Date.distantPast
    private var bootstrapDone = false
    private var bootstrapRecords = 0

    /// - Parameters:
    ///   - stored: the checkpointed next offset by partition (a partition without one starts at its beginning).
    ///   - bootstrapSeconds: how long the daemon waits for the catalog before taking partitions anyway.
    init(topic: String, settings: KafkaConfig, logger: Logger, stored: [Int32: Int64], bootstrapSeconds: Double) throws {
        self.topic = topic
        self.logger = logger
        self.stored = stored
        bootstrapDeadline = Date().addingTimeInterval(bootstrapSeconds)
        var config = settings
        config.set("enable.partition.eof", "true")   // to know when the bootstrap read is done
        consumer = try KafkaConsumer(config: config)
    }

    /// True until the catalog has been read to its end (or the bootstrap deadline passed).
    var isBootstrapping: Bool {
        if bootstrapDone { return false }
        if let n = partitionCount, atEnd.count >= n {
            bootstrapDone = true
            logger.info("catalog read", ["topic": topic, "records": bootstrapRecords, "partitions": n])
            return false
        }
        if Date() >= bootstrapDeadline {
            bootstrapDone = true
            logger.warn("catalog not read to its end: taking partitions anyway", ["topic": topic, "records": bootstrapRecords,
                                                                                  "partitions_at_end": atEnd.count,
                                                                                  "partitions": partitionCount ?? -1])
            return false
        }
        return true
    }

    /// Handles what has arrived (at most `limit` messages); returns how many. Until the topic's
    /// partitions are known, tries (once a second) to learn them and assign them instead.
    /// `timeoutMs` bounds the wait for the first message (the daemon waits here while nothing else
    /// is to be done, during the bootstrap read).
    @discardableResult
    func poll(timeoutMs: Int32 = 0, limit: Int = 1_000, handle: (KafkaMessageView) throws -> Void) throws -> Int {
        guard partitionCount != nil || assign() else {
            if timeoutMs > 0 { Thread.sleep(forTimeInterval: Double(timeoutMs) / 1000) }
            return 0
        }
        var n = 0
        var timeout = timeoutMs
        while n < limit {
            guard let event = try consumer.poll(timeoutMs: timeout, { message -> Int32 in
                try handle(message)
                return message.partition
            }) else { break }
            timeout = 0
            switch event {
            case .message(let p):
                n += 1
                atEnd.remove(p)
            case .partitionEOF(let tpo):
                atEnd.insert(tpo.topicPartition.partition)
            case .error(let e):
                logger.warn("kafka (catalog reader)", ["error": e.description], rateLimitKey: "catalog-\(e.code.rawValue)")
            }
        }
        if !bootstrapDone { bootstrapRecords += n }
        return n
    }

    /// Learns the partition count and assigns every partition; false (to retry) when the brokers
    /// cannot tell yet or the topic does not exist.
    private func assign() -> Bool {
        guard Date().timeIntervalSince(lastAssignAttempt) >= 1 else { return false }
        lastAssignAttempt = Date()
        do {
            let count = try consumer.partitionCount(of: topic, timeoutMs: 1_000)
            let partitions = (0..<Int32(count)).map { TopicPartition(topic, $0) }
            try consumer.assign(partitions.map { TopicPartitionOffset($0, stored[$0.partition] ?? TopicPartitionOffset.beginning) })
            partitionCount = count
            return true
        } catch let error as KafkaError where [.unknownTopicOrPartition, .unknownTopic].contains(error.code) {
            logger.warn("catalog topic does not exist (yet): running without a catalog until it does (topic.catalog= turns it off)",
                        ["topic": topic], rateLimitKey: "catalog-missing")
            bootstrapDone = true   // nothing to wait for
        } catch {
            logger.warn("catalog topic not readable yet", ["topic": topic, "error": "\(error)"], rateLimitKey: "catalog-assign")
        }
        return false
    }

    /// Stops reading (it never joined the group: nothing to leave).
    func close() {
        consumer.abandon()
    }
}
