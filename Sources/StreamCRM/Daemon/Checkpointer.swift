import CRMModel
import Foundation
import Kafka

/// Writes checkpoints: the changed customer state, the global model state and the input offsets
/// they reflect, in one store transaction, after every output of those events is acknowledged by
/// the brokers (so a crash after a checkpoint never loses an output). Then commits the same
/// offsets to Kafka for lag monitoring and for a fresh state directory.
final class Checkpointer {
    let store: StateStore
    let engine: CRMEngine
    let logger: Logger
    let metrics: DaemonMetrics
    let everyEvents: Int
    let everyMs: Int

    /// Next offset to read per partition, for the events processed so far.
    private(set) var positions: [TopicPartition: Int64] = [:]
    private var eventsSinceCheckpoint = 0
    private var lastCheckpoint = Date()

    init(store: StateStore, engine: CRMEngine, logger: Logger, metrics: DaemonMetrics, everyEvents: Int, everyMs: Int) {
        self.store = store; self.engine = engine; self.logger = logger; self.metrics = metrics
        self.everyEvents = everyEvents; self.everyMs = everyMs
    }

    /// Notes that the event before `nextOffset` on `tp` has been processed.
    func processed(_ tp: TopicPartition, nextOffset: Int64) {
        positions[tp] = nextOffset
        eventsSinceCheckpoint += 1
    }

    /// Restores the global model state (once, at start).
    func restoreGlobals() throws {
        try engine.restoreGlobals { try store.loadGlobal($0) }
    }

    /// Loads the customers of newly assigned partitions and returns where to resume each one:
    /// the checkpointed offset, or the group's committed offset when there is no checkpoint.
    func restore(partitions: [TopicPartition]) throws -> [TopicPartitionOffset] {
        let started = Date()
        let saved = try store.offsets()
        let numbers = Array(Set(partitions.map(\.partition))).sorted()
        var loaded = 0
        try store.loadCustomers(partitions: numbers) { partition, userID, state in
            if engine.customers[userID] == nil {
                try engine.restoreCustomer(userID: userID, partition: partition, from: state)
                loaded += 1
            }
        }
        var result: [TopicPartitionOffset] = []
        for tp in partitions {
            if let next = saved[TopicPartitionKey(topic: tp.topic, partition: tp.partition)] {
                result.append(TopicPartitionOffset(tp, next))
                positions[tp] = next
            } else {
                result.append(TopicPartitionOffset(tp, TopicPartitionOffset.stored))
            }
        }
        metrics.restoreSeconds.set(Date().timeIntervalSince(started))
        logger.info("state restored", ["partitions": numbers.map(String.init).joined(separator: ","), "customers": loaded,
                                       "seconds": String(format: "%.3f", Date().timeIntervalSince(started))])
        return result
    }

    /// Forgets partitions that moved to another instance (their state is in the store).
    func release(partitions: [TopicPartition]) {
        for tp in partitions { positions[tp] = nil }
        let stillOwned = Set(positions.keys.map(\.partition))
        let gone = Set(partitions.map(\.partition)).subtracting(stillOwned)
        if !gone.isEmpty { engine.dropCustomers(partitions: gone) }
    }

    /// Checkpoints when enough events or time have passed.
    func maybeCheckpoint(producer: KafkaProducer, consumer: KafkaConsumer, stop: StopSignal) throws {
        guard eventsSinceCheckpoint > 0 else { return }
        guard eventsSinceCheckpoint >= everyEvents || Date().timeIntervalSince(lastCheckpoint) * 1000 >= Double(everyMs) else { return }
        _ = try checkpoint(producer: producer, consumer: consumer, deadline: nil, reason: "interval", stop: stop)
    }

    /// One bounded flush; false when outputs are still unacknowledged after a second.
    private func flushOnce(_ producer: KafkaProducer) -> Bool {
        do {
            try producer.flush(timeoutMs: 1000)
            return true
        } catch {
            return false
        }
    }

    /// Flushes the producer (waiting out broker outages), writes the checkpoint and commits the
    /// offsets. With a deadline, gives up when it passes and returns false (the previous
    /// checkpoint stays; the events since are reprocessed on restart).
    @discardableResult
    func checkpoint(producer: KafkaProducer, consumer: KafkaConsumer, deadline: Date?, reason: String,
                    stop: StopSignal? = nil) throws -> Bool {
        let started = Date()
        // 1. Every output of the events being checkpointed must be acknowledged first.
        var waited = false
        while producer.outstanding > 0 {
            if flushOnce(producer) { continue }
            waited = true
            metrics.producerWaits.increment()
            logger.warn("waiting for brokers to acknowledge outputs", ["outstanding": producer.outstanding, "reason": reason],
                        rateLimitKey: "flush-wait")
            if let deadline, Date() > deadline { return false }
            if reason == "interval", let stop, stop.isStopRequested { return false }
        }
        if waited { logger.info("brokers acknowledged outputs again", ["reason": reason]) }
        let failures = producer.takeDeliveryFailures()
        if !failures.isEmpty {
            // Outputs that failed permanently (message.timeout.ms set by the operator) are lost:
            // do not move the offsets past them. Stop so that a restart re-emits them.
            throw DaemonError("\(failures.count) outputs could not be delivered (first: \(failures[0])); stopping without a checkpoint so that they are re-emitted on restart")
        }
        // 2. State and offsets in one transaction.
        var batch = CheckpointBatch()
        let dirty = engine.takeDirtyCustomers()
        for userID in dirty.changed {
            if let (partition, bytes) = engine.encodeCustomer(userID) {
                batch.upsertCustomer(partition: partition, userID: userID, state: bytes)
            }
        }
        for userID in dirty.erased { batch.deleteCustomer(userID) }
        for (key, bytes) in engine.encodeGlobals() { batch.setGlobal(key, state: bytes) }
        let offsets = positions.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }
        for (tp, next) in offsets { batch.setOffset(topic: tp.topic, partition: tp.partition, nextOffset: next) }
        try store.write(batch)
        // 3. Kafka's committed offsets follow the checkpoint.
        do {
            try consumer.commit(offsets: offsets.map { TopicPartitionOffset($0.key, $0.value) }, async: reason == "interval")
        } catch {
            logger.warn("offset commit failed (the checkpoint holds the offsets)", ["error": "\(error)"], rateLimitKey: "commit")
        }
        eventsSinceCheckpoint = 0
        lastCheckpoint = Date()
        metrics.checkpoints.increment()
        metrics.checkpointSeconds.observe(Date().timeIntervalSince(started))
        logger.debug("checkpoint", ["reason": reason, "customers": dirty.changed.count, "erased": dirty.erased.count])
        return true
    }
}

/// A fatal daemon error with its explanation.
public struct DaemonError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
