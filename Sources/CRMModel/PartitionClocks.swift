/// Event time per input partition, so that a churn timer fires only once its customer's own
/// partition has reached the timer's time.
///
/// The stream's watermark is the largest event time seen on any partition (minus the allowed
/// lateness). When partitions are read unevenly — a consumer catching up on a backlog fetches
/// one partition's batch far ahead of another's — the watermark runs ahead of the partitions that
/// lag, and a customer on a lagging partition would be alerted for a silence that is only the
/// backlog: their next order is already in Kafka, just not read yet. So a due timer whose
/// partition's own clock (its largest event time minus the allowed lateness) has not reached
/// the timer is *held* here, and released when that partition's clock gets there (as Kafka
/// Streams keeps stream time per task), when the partition is read to its end (caught up: no
/// backlog can hide an order; the daemon says so from the consumer lag), when the stream is idle,
/// or when event time is moved explicitly (end of a replay). With one partition known, its clock
/// is the watermark and nothing is held.
///
/// Not checkpointed: the clocks are rebuilt on restore from the restored customers' last event
/// times, and a held timer is written as the customer's timer (it is re-held if still early).
public struct PartitionClocks: Sendable {
    /// Largest event time seen per partition.
    public private(set) var latest: [Int32: EventTime] = [:]
    private var held: [Int32: ChurnTimers] = [:]
    /// Partitions read to their end (consumer lag 0): their timers are not held.
    public private(set) var caughtUp: Set<Int32> = []

    /// No partitions, nothing held.
    public init() {}

    /// Timers held back, over all partitions.
    public var heldCount: Int { held.values.reduce(0) { $0 + $1.count } }

    /// Notes an event time seen on `partition`.
    public mutating func observe(_ t: EventTime, partition: Int32) {
        if let c = latest[partition], c >= t { return }
        latest[partition] = t
    }

    /// Whether `partition`'s clock has reached `fireAt` (always, while at most one partition is known).
    public func hasReached(_ fireAt: EventTime, partition: Int32, lateness: Int64) -> Bool {
        guard latest.count > 1, !caughtUp.contains(partition) else { return true }
        guard let c = latest[partition] else { return false }
        return c - lateness >= fireAt
    }

    /// Holds a due timer of a customer on `partition` until that partition reaches it.
    public mutating func hold(_ due: DueTimer, partition: Int32) {
        held[partition, default: ChurnTimers()].schedule(user: due.userID, at: due.fireAt)
    }

    /// The held timers `partition`'s clock has now reached, removed from the held set.
    /// (Called per event: with nothing held, no lookup. Partitions left with no held timer are
    /// dropped from `held`, so an empty `held` means nothing is held anywhere.)
    public mutating func release(partition: Int32, lateness: Int64) -> [DueTimer] {
        guard !held.isEmpty, let c = latest[partition], var timers = held.removeValue(forKey: partition) else { return [] }
        // (Taken out of the dictionary, so popping does not copy its storage.)
        let due = timers.popDue(upTo: c - lateness)
        if timers.count > 0 { held[partition] = timers }
        return due
    }

    /// Every held timer (the stream is idle, or event time was moved explicitly), removed from
    /// the held set, in (fireAt, userID) order.
    public mutating func releaseAll() -> [DueTimer] {
        var all: [DueTimer] = []
        for p in held.keys.sorted() { all += held[p]!.popDue(upTo: .max) }
        held = [:]
        return all.sorted { ($0.fireAt, $0.userID) < ($1.fireAt, $1.userID) }
    }

    /// Marks the partitions now read to their end; returns (and removes) the held timers of
    /// those that were not caught up before.
    public mutating func setCaughtUp(_ partitions: Set<Int32>) -> [DueTimer] {
        var released: [DueTimer] = []
        for p in partitions.subtracting(caughtUp).sorted() {
            if var h = held[p] { released += h.popDue(upTo: .max) }
            held[p] = nil
        }
        caughtUp = partitions
        return released.sorted { ($0.fireAt, $0.userID) < ($1.fireAt, $1.userID) }
    }

    /// The customer's held timer, if any.
    public func fireTime(of user: String, partition: Int32) -> EventTime? {
        held[partition]?.fireTime(of: user)
    }

    /// Forgets the customer's held timer (re-armed, erased).
    public mutating func cancel(user: String, partition: Int32) {
        guard !held.isEmpty, var timers = held.removeValue(forKey: partition) else { return }
        _ = timers.cancel(user: user)
        if timers.count > 0 { held[partition] = timers }
    }

    /// Forgets partitions that moved to another instance: their clocks and held timers.
    public mutating func drop(partitions: Set<Int32>) {
        for p in partitions { latest[p] = nil; held[p] = nil; caughtUp.remove(p) }
    }
}
