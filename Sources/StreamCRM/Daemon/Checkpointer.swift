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
    /// The changelog that lets partitions move between instances (nil = off).
    let changelog: StateChangelog?
    /// The input topics (offsets are kept per input topic and partition).
    let inputTopics: [String]
    /// The customer-keyed input topics (all inputs but the catalog): their partition numbers are
    /// the ones customer state is held, restored and handed over by.
    let customerTopics: Set<String>
    /// This state directory's identity in changelog markers.
    let instanceID: String
    /// How long the store keeps the state of a partition owned elsewhere (`state.cleanup.delay.ms`).
    let cleanupDelay: TimeInterval

    /// Next offset to read per partition, for the events processed so far.
    private(set) var positions: [TopicPartition: Int64] = [:]
    /// Partition numbers whose customers are in memory.
    private(set) var ownedPartitions: Set<Int32> = []
    private var sequence: Int64 = 0
    /// Called about once a second while a checkpoint waits for the brokers (outage).
    var onWait: (() -> Void)?
    private var eventsSinceCheckpoint = 0
    private var lastCheckpoint = Date()
    /// Customers taken from the engine by a checkpoint that then gave up (brokers down at the
    /// changelog flush): the next checkpoint must still write them, or its offsets would move past
    /// changes that are in no checkpoint.
    private var carriedChanged: Set<String> = []
    private var carriedErased: [String: Int32] = [:]
    /// Partitions the store holds but this instance does not own (kept only with a changelog).
    private var released = ReleasedPartitions()
    /// Whether the store's partitions were compared with a first assignment yet.
    private var surveyed = false
    private var lastReleasedCheck = Date.distantPast
    /// Set by a restore that resumed partitions from the store: Kafka's committed offsets may lag
    /// the checkpoint (a commit lost with the partitions in an outage, or a crash between the
    /// store and the commit), and with no new event no checkpoint would commit them.
    private var restoredCommitPending = false

    static let checkpointGlobalKey = "checkpoint"

    init(store: StateStore, engine: CRMEngine, logger: Logger, metrics: DaemonMetrics, everyEvents: Int, everyMs: Int,
         changelog: StateChangelog?, inputTopics: [String], customerTopics: [String], cleanupDelayMs: Int = 600_000) throws {
        self.store = store; self.engine = engine; self.logger = logger; self.metrics = metrics
        self.everyEvents = everyEvents; self.everyMs = everyMs
        self.cleanupDelay = Double(cleanupDelayMs) / 1000
        self.changelog = changelog
        self.inputTopics = inputTopics
        self.customerTopics = Set(customerTopics)
        if let id = try store.meta("instance_id") {
            instanceID = id
        } else {
            instanceID = UUID().uuidString.lowercased()
            try store.setMeta("instance_id", instanceID)
        }
        if let bytes = try store.loadGlobal(Self.checkpointGlobalKey), let seq = Int64(String(decoding: bytes, as: UTF8.self)) {
            sequence = seq
        }
    }

    /// Notes that the event before `nextOffset` on `tp` has been processed.
    func processed(_ tp: TopicPartition, nextOffset: Int64) {
        positions[tp] = nextOffset
        eventsSinceCheckpoint += 1
    }

    /// Restores the global model state (once, at start): the store's own, or, when the store has
    /// none yet and `seed` names a state directory (`model.seed`), that directory's models.
    func restoreGlobals(seed: String) throws {
        if !seed.isEmpty, try !ModelSeed.hasGlobals(store) {
            let blobs = try ModelSeed.load(from: seed, config: engine.config)
            try engine.restoreGlobals { blobs[$0] }
            logger.info("global models seeded", ["seed": seed, "keys": blobs.keys.sorted().joined(separator: ","),
                                                 "similarity_items": engine.similarity.itemCount])
        } else {
            if !seed.isEmpty {
                logger.info("model.seed not used: the state directory has global models of its own",
                            ["seed": seed, "state_dir": store.directory])
            }
            let notes: [String]
            do {
                notes = try engine.restoreGlobals { try store.loadGlobal($0) }
            } catch {
                throw DaemonError("cannot restore the global models of \(store.databasePath): \(error)")
            }
            for note in notes { logger.warn(note, ["state_dir": store.directory]) }
        }
        if engine.config.freezeGlobalModels, engine.similarity.itemCount == 0, !engine.kmeans.isInitialized {
            logger.warn("model.frozen=true with empty global models: nothing will be recommended from similarity and no segment assigned (set model.seed)")
        }
    }

    /// Loads the customers of newly assigned partitions and returns where to resume each one.
    ///
    /// For each partition number: if the changelog's last checkpoint on it was written by another
    /// instance, or the local store no longer holds it (``ReleasedPartitions``), the partition's
    /// state is rebuilt from the changelog (and written to the local store); otherwise the local
    /// store is this partition's latest consistent state. With no checkpoint anywhere, the
    /// partition starts from the group's committed offset. Then drops what is due of the
    /// partitions owned elsewhere.
    func restore(partitions: [TopicPartition], now: Date = Date()) throws -> [TopicPartitionOffset] {
        let started = Date()
        // Catalog partitions carry no customer state (the catalog may have another partition count).
        let numbers = Set(partitions.filter { customerTopics.contains($0.topic) }.map(\.partition))
            .subtracting(ownedPartitions).sorted()
        var local = try store.offsets()
        var loaded = 0, rebuilt: [Int32] = []
        for p in numbers {
            let held = local.keys.contains { $0.partition == p && customerTopics.contains($0.topic) }
            if let changelog, let remote = try rebuildIfMoved(p, changelog, heldLocally: held) {
                rebuilt.append(p)
                loaded += remote
                local = try store.offsets()
                continue
            }
            try store.loadCustomers(partitions: [p]) { partition, userID, state in
                try engine.restoreCustomer(userID: userID, partition: partition, from: state)
                loaded += 1
            }
        }
        ownedPartitions.formUnion(numbers)
        if changelog != nil {
            released.owned(numbers)
            if !surveyed {
                // A restart: what the store holds beyond this assignment is owned elsewhere now.
                let stored = try store.customerPartitions().union(
                    local.keys.filter { customerTopics.contains($0.topic) }.map(\.partition))
                released.released(stored.subtracting(ownedPartitions), at: now)
            }
            surveyed = true
        }
        var result: [TopicPartitionOffset] = []
        for tp in partitions {
            if let next = local[TopicPartitionKey(topic: tp.topic, partition: tp.partition)] {
                result.append(TopicPartitionOffset(tp, next))
                positions[tp] = next
                restoredCommitPending = true
            } else {
                result.append(TopicPartitionOffset(tp, TopicPartitionOffset.stored))
            }
        }
        metrics.restoreSeconds.set(Date().timeIntervalSince(started))
        logger.info("state restored", ["partitions": numbers.map(String.init).joined(separator: ","), "customers": loaded,
                                       "from_changelog": rebuilt.map(String.init).joined(separator: ","),
                                       "seconds": String(format: "%.3f", Date().timeIntervalSince(started))])
        try dropReleased(now: now)
        return result
    }

    /// Rebuilds partition `p` from the changelog when another instance checkpointed it last, or
    /// when this store dropped it (`heldLocally` false) after checkpointing it last; returns the
    /// number of customers loaded, or nil when the local store is current.
    private func rebuildIfMoved(_ p: Int32, _ changelog: StateChangelog, heldLocally: Bool) throws -> Int? {
        let remote = try changelog.read(partition: p)
        guard let marker = remote.marker, marker.instance != instanceID || !heldLocally else { return nil }
        if remote.lowWatermark > 0 {
            logger.error("changelog partition starts after offset 0: records before it were removed; customers among them start fresh",
                         ["topic": changelog.topic, "partition": p, "low_watermark": remote.lowWatermark])
        }
        try store.dropPartitions([p], offsetsOf: customerTopics.sorted())
        engine.dropCustomers(partitions: [p])
        var batch = CheckpointBatch()
        var loaded = 0
        for (userID, blob) in remote.customers.sorted(by: { $0.key < $1.key }) {
            guard let blob else { continue }
            try blob.withUnsafeBytes { try engine.restoreCustomer(userID: userID, partition: p, from: $0) }
            batch.upsertCustomer(partition: p, userID: userID, state: blob)
            loaded += 1
        }
        for (topic, next) in marker.offsets where inputTopics.contains(topic) {
            batch.setOffset(topic: topic, partition: p, nextOffset: next)
        }
        try store.write(batch)
        logger.info("partition state rebuilt from the changelog", ["partition": p, "customers": loaded,
                                                                    "written_by": marker.instance, "checkpoint": marker.sequence])
        return loaded
    }

    /// Forgets partitions that moved to another instance (their state is checkpointed). With a
    /// changelog, the store drops their rows `cleanupDelay` later unless they come back.
    func release(partitions: [TopicPartition], now: Date = Date()) {
        for tp in partitions { positions[tp] = nil }
        let gone = Set(partitions.filter { customerTopics.contains($0.topic) }.map(\.partition))
        ownedPartitions.subtract(gone)
        engine.dropCustomers(partitions: gone)
        if changelog != nil { released.released(gone, at: now) }
    }

    /// Drops from the store the partitions owned elsewhere for `cleanupDelay` (their state is in
    /// the changelog, and a partition assigned back is rebuilt from it).
    func dropReleased(now: Date = Date()) throws {
        guard !released.isEmpty else { return }
        let due = released.takeDue(at: now, delay: cleanupDelay)  // never owned: restore marks them so
        guard !due.isEmpty else { return }
        let removed = try store.dropPartitions(due, offsetsOf: customerTopics.sorted())
        logger.info("state of partitions owned elsewhere dropped from the local store (the changelog holds it)",
                    ["partitions": due.map(String.init).joined(separator: ","), "customers": removed,
                     "after_ms": Int(cleanupDelay * 1000)])
    }

    /// Checkpoints when enough events or time have passed; drops what is due of the partitions
    /// owned elsewhere.
    func maybeCheckpoint(producer: KafkaProducer, consumer: KafkaConsumer, stop: StopSignal) throws {
        if restoredCommitPending {
            restoredCommitPending = false
            // Only while the positions are the checkpoint's: otherwise the next checkpoint commits.
            if eventsSinceCheckpoint == 0 { commit(checkpointOffsets(), consumer: consumer, async: true) }
        }
        if !released.isEmpty, Date().timeIntervalSince(lastReleasedCheck) >= 1 {
            lastReleasedCheck = Date()
            try dropReleased(now: lastReleasedCheck)
        }
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
            onWait?()
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
        // 2. The changed state, encoded once: to the changelog (then acknowledged), then to the
        //    local store with the offsets, in one transaction.
        var batch = CheckpointBatch()
        let taken = engine.takeDirtyCustomers()
        var erasedMap = carriedErased
        for e in taken.erased { erasedMap[e.userID] = e.partition }
        for userID in taken.changed { erasedMap[userID] = nil }
        let dirty = (changed: carriedChanged.union(taken.changed).filter { erasedMap[$0] == nil }.sorted(),
                     erased: erasedMap.sorted { $0.key < $1.key }.map { (userID: $0.key, partition: $0.value) })
        carriedChanged = Set(dirty.changed)
        carriedErased = erasedMap
        sequence += 1
        var touched = Set<Int32>()
        for userID in dirty.changed {
            if let (partition, bytes) = engine.encodeCustomer(userID) {
                batch.upsertCustomer(partition: partition, userID: userID, state: bytes)
                try changelog?.appendCustomer(userID, partition: partition, state: bytes, producer: producer)
                touched.insert(partition)
            }
        }
        for erased in dirty.erased {
            batch.deleteCustomer(erased.userID)
            try changelog?.appendCustomer(erased.userID, partition: erased.partition, state: nil, producer: producer)
            touched.insert(erased.partition)
        }
        let offsets = checkpointOffsets()
        if let changelog {
            var byPartition: [Int32: [String: Int64]] = [:]
            for (tp, next) in offsets where customerTopics.contains(tp.topic) { byPartition[tp.partition, default: [:]][tp.topic] = next }
            for p in ownedPartitions.union(touched).sorted() {
                let marker = StateChangelog.Marker(instance: instanceID, sequence: sequence, offsets: byPartition[p] ?? [:])
                try changelog.appendMarker(marker, partition: p, producer: producer)
            }
            while producer.outstanding > 0 {
                if flushOnce(producer) { continue }
                onWait?()
                metrics.producerWaits.increment()
                logger.warn("waiting for brokers to acknowledge the changelog", ["outstanding": producer.outstanding],
                            rateLimitKey: "flush-wait")
                if let deadline, Date() > deadline { return false }
                if reason == "interval", let stop, stop.isStopRequested { return false }
            }
            let failures = producer.takeDeliveryFailures()
            if !failures.isEmpty { throw DaemonError("changelog records could not be delivered (first: \(failures[0]))") }
        }
        for (key, bytes) in engine.encodeGlobals() { batch.setGlobal(key, state: bytes) }
        batch.setGlobal(Self.checkpointGlobalKey, state: Array(String(sequence).utf8))
        for (tp, next) in offsets { batch.setOffset(topic: tp.topic, partition: tp.partition, nextOffset: next) }
        try store.write(batch)
        carriedChanged.removeAll()
        carriedErased.removeAll()
        // 3. Kafka's committed offsets follow the checkpoint.
        commit(offsets, consumer: consumer, async: reason == "interval")
        restoredCommitPending = false
        eventsSinceCheckpoint = 0
        lastCheckpoint = Date()
        metrics.checkpoints.increment()
        metrics.checkpointSeconds.observe(Date().timeIntervalSince(started))
        logger.debug("checkpoint", ["reason": reason, "customers": dirty.changed.count, "erased": dirty.erased.count])
        return true
    }
}

extension Checkpointer {
    /// The offsets a checkpoint records: the positions, each held at its oldest waiting
    /// forget_user (``HeldForgets``), so that a restart or the partition's next owner reads it again.
    func checkpointOffsets() -> [(key: TopicPartition, value: Int64)] {
        positions.map { tp, next in
            (key: tp, value: min(next, engine.heldForgets.floor(topic: tp.topic, partition: tp.partition) ?? next))
        }.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }
    }

    /// Commits the customer topics' offsets to the group (the catalog is read outside the group,
    /// by ``CatalogReader``: its offsets stay in the store); a failure is a warning, since the
    /// store holds the offsets.
    func commit(_ offsets: [(key: TopicPartition, value: Int64)], consumer: KafkaConsumer, async: Bool) {
        do {
            try consumer.commit(offsets: offsets.filter { customerTopics.contains($0.key.topic) }.map { TopicPartitionOffset($0.key, $0.value) },
                                async: async)
        } catch {
            logger.warn("offset commit failed (the checkpoint holds the offsets)", ["error": "\(error)"], rateLimitKey: "commit")
        }
    }
}

/// A fatal daemon error with its explanation.
public struct DaemonError: Error, CustomStringConvertible {
    public var description: String
    /// The exit status the daemon stops with: 1, or 78 (EX_CONFIG) for a deployment error that a
    /// restart cannot fix (systemd's RestartPreventExitStatus=78 then stops retrying).
    public var exitStatus: Int32
    public init(_ description: String, exitStatus: Int32 = 1) {
        self.description = description
        self.exitStatus = exitStatus
    }
}
