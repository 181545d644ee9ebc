/// `forget_user` requests waiting for their customer's partition to reach them.
///
/// The control topic is not ordered against the event topics: a daemon catching up a backlog (a
/// restart, a new instance, a rebalance) can read a forget before the customer's older events,
/// which would then recreate the customer the forget was meant to erase. So a forget that comes
/// with a time (its Kafka message timestamp) waits, per partition, until that partition's events
/// reach the time — it is applied just before the first event at or after it, so that the
/// customer's later events start fresh — or until the partition is read to its end, the stream is
/// idle, or event time is moved explicitly.
///
/// Not checkpointed: the daemon's checkpoints keep the control topic's offset at the oldest held
/// forget (``floor(topic:partition:)``), so after a restart or a handover the forget is read again.
public struct HeldForgets: Sendable {
    /// One held request.
    public struct Entry: Sendable, Equatable {
        public var userID: String
        /// When the forget was requested (its message timestamp), ms.
        public var at: EventTime
        /// Where it was read, so that checkpoints do not move past it.
        public var topic: String
        public var offset: Int64
    }

    private var byPartition: [Int32: [Entry]] = [:]

    /// Nothing held.
    public init() {}

    /// Number of held requests, over all partitions.
    public var count: Int { byPartition.values.reduce(0) { $0 + $1.count } }
    /// Whether nothing is held (checked per event).
    public var isEmpty: Bool { byPartition.isEmpty }

    /// Holds a request on `partition`.
    public mutating func hold(_ entry: Entry, partition: Int32) {
        byPartition[partition, default: []].append(entry)
    }

    /// The requests on `partition` at or before `time`, removed, in the order they were held.
    public mutating func release(partition: Int32, reaching time: EventTime) -> [Entry] {
        guard var entries = byPartition[partition] else { return [] }
        let due = entries.filter { $0.at <= time }
        guard !due.isEmpty else { return [] }
        entries.removeAll { $0.at <= time }
        byPartition[partition] = entries.isEmpty ? nil : entries
        return due
    }

    /// Every request on `partitions` (nil: on every partition), removed, by partition then in order.
    public mutating func releaseAll(partitions: Set<Int32>? = nil) -> [(partition: Int32, entry: Entry)] {
        var out: [(partition: Int32, entry: Entry)] = []
        for p in byPartition.keys.sorted() where partitions?.contains(p) ?? true {
            for e in byPartition.removeValue(forKey: p) ?? [] { out.append((p, e)) }
        }
        return out
    }

    /// Forgets the requests of partitions that moved to another instance (it reads them again).
    public mutating func drop(partitions: Set<Int32>) {
        for p in partitions { byPartition[p] = nil }
    }

    /// The offset of the oldest request held from `topic`'s `partition`, nil when none is.
    public func floor(topic: String, partition: Int32) -> Int64? {
        byPartition[partition]?.filter { $0.topic == topic }.map(\.offset).min()
    }
}
