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
/// resumes there; a fresh state directory reads the catalog from its beginning. At start it reads
/// up to the end of every partition before the daemon takes customer partitions (bounded by
/// `catalogBootstrapSeconds`), so that recommendations see the whole catalog from the first event.
///
/// Threading: used only by the daemon's thread.
final class CatalogReader {
    let topic: String
    private let consumer: KafkaConsumer   // owns its librdkafka handle (released in its deinit)
    private let logger: Logger
    private var atEnd: Set<Int32> = []
    private(set) var partitions: [TopicPartition] = []

    init(topic: String, settings: KafkaConfig, logger: Logger) throws {
        self.topic = topic
        self.logger = logger
        var config = settings
        config.set("enable.partition.eof", "true")   // to know when the bootstrap read is done
        consumer = try KafkaConsumer(config: config)
    }

    /// Assigns every partition at its checkpointed offset (`stored`, the next offset to read by
    /// partition) or its beginning, then reads to the end of each, or until `deadline`.
    func start(stored: [Int32: Int64], deadline: Date, handle: (KafkaMessageView) throws -> Void) throws {
        let count = try consumer.partitionCount(of: topic, timeoutMs: 30_000)
        partitions = (0..<Int32(count)).map { TopicPartition(topic, $0) }
        try consumer.assign(partitions.map { TopicPartitionOffset($0, stored[$0.partition] ?? TopicPartitionOffset.beginning) })
        var read = 0
        while atEnd.count < count && Date() < deadline {
            read += try poll(timeoutMs: 100, limit: 10_000, handle: handle)
        }
        if atEnd.count < count {
            logger.warn("catalog not read to its end before starting", ["topic": topic, "records": read,
                                                                        "partitions_at_end": atEnd.count, "partitions": count])
        } else {
            logger.info("catalog read", ["topic": topic, "records": read, "partitions": count])
        }
    }

    /// Handles what has arrived (at most `limit` messages); returns how many.
    @discardableResult
    func poll(timeoutMs: Int32 = 0, limit: Int = 1_000, handle: (KafkaMessageView) throws -> Void) throws -> Int {
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
        return n
    }

    /// Stops reading (it never joined the group: nothing to leave).
    func close() {
        consumer.abandon()
    }
}
