/// One due churn timer.
public struct DueTimer: Sendable, Equatable {
    /// The customer.
    public var userID: String
    /// The event time the timer was set to.
    public var fireAt: EventTime
}

/// Per-customer churn timers on event time: a binary min-heap of (fireAt, userID, generation)
/// with lazy cancellation.
///
/// Each customer has at most one live timer. `schedule(user:at:)` replaces the previous one by
/// bumping a generation number; the old heap entry stays in the heap and is discarded when it
/// surfaces. `popDue(upTo:)` returns the live timers with fireAt ≤ the watermark, in
/// deterministic order (fireAt, then userID), each exactly once. The heap is rebuilt when stale
/// entries outnumber live ones, so memory stays O(live timers).
///
/// Codable: only live timers are encoded (sorted), so a checkpoint is canonical.
public struct ChurnTimers: Sendable, Codable, Equatable {
    struct Entry: Sendable, Comparable {
        var fireAt: EventTime
        var userID: String
        var generation: UInt64
        static func < (l: Entry, r: Entry) -> Bool {
            (l.fireAt, l.userID, l.generation) < (r.fireAt, r.userID, r.generation)
        }
    }

    struct Live: Sendable, Codable, Equatable {
        var fireAt: EventTime
        var generation: UInt64
    }

    private var heap: [Entry] = []
    private var live: [String: Live] = [:]
    private var nextGeneration: UInt64 = 0

    /// An empty timer set.
    public init() {}

    /// Number of live timers.
    public var count: Int { live.count }

    /// Number of heap entries, live and stale (for metrics and tests).
    public var heapSize: Int { heap.count }

    /// The customer's live timer, if any.
    public func fireTime(of user: String) -> EventTime? { live[user]?.fireAt }

    /// The earliest live fire time, if any.
    public mutating func nextFireTime() -> EventTime? {
        dropStaleTop()
        return heap.first?.fireAt
    }

    /// Sets (or replaces) the customer's timer.
    /// - Parameters:
    ///   - user: the customer id.
    ///   - fireAt: event time at which it fires.
    public mutating func schedule(user: String, at fireAt: EventTime) {
        nextGeneration &+= 1
        live[user] = Live(fireAt: fireAt, generation: nextGeneration)
        push(Entry(fireAt: fireAt, userID: user, generation: nextGeneration))
        compactIfNeeded()
    }

    /// Cancels the customer's timer; returns whether there was one.
    @discardableResult
    public mutating func cancel(user: String) -> Bool {
        let had = live.removeValue(forKey: user) != nil
        compactIfNeeded()
        return had
    }

    /// Removes and returns every live timer with fireAt ≤ `watermark`, ordered by (fireAt, userID).
    /// - Parameter watermark: the current event-time watermark.
    public mutating func popDue(upTo watermark: EventTime) -> [DueTimer] {
        var due: [DueTimer] = []
        while let top = heap.first, top.fireAt <= watermark {
            pop()
            if let l = live[top.userID], l.generation == top.generation {
                live[top.userID] = nil
                due.append(DueTimer(userID: top.userID, fireAt: top.fireAt))
            }
        }
        return due
    }

    // MARK: - Heap

    private mutating func dropStaleTop() {
        while let top = heap.first, live[top.userID]?.generation != top.generation { pop() }
    }

    private mutating func push(_ e: Entry) {
        heap.append(e)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i] < heap[parent] else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    private mutating func pop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        let n = heap.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n, heap[l] < heap[m] { m = l }
            if r < n, heap[r] < heap[m] { m = r }
            if m == i { return }
            heap.swapAt(i, m)
            i = m
        }
    }

    private mutating func compactIfNeeded() {
        guard heap.count > 64, heap.count > 2 * live.count else { return }
        rebuild()
    }

    private mutating func rebuild() {
        heap = live.map { Entry(fireAt: $0.value.fireAt, userID: $0.key, generation: $0.value.generation) }.sorted()
        // A sorted array is a valid min-heap.
    }

    // MARK: - Codable / Equatable (live timers only)

    private enum CodingKeys: String, CodingKey { case users, fireAt }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let users = try c.decode([String].self, forKey: .users)
        let times = try c.decode([EventTime].self, forKey: .fireAt)
        guard users.count == times.count else {
            throw DecodingError.dataCorruptedError(forKey: .fireAt, in: c, debugDescription: "length mismatch")
        }
        for (u, t) in zip(users, times) { schedule(user: u, at: t) }
    }

    public func encode(to encoder: Encoder) throws {
        let sorted = live.sorted { ($0.value.fireAt, $0.key) < ($1.value.fireAt, $1.key) }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sorted.map(\.key), forKey: .users)
        try c.encode(sorted.map(\.value.fireAt), forKey: .fireAt)
    }

    public static func == (l: ChurnTimers, r: ChurnTimers) -> Bool {
        l.live.mapValues(\.fireAt) == r.live.mapValues(\.fireAt)
    }
}
