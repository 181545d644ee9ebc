/// Parameters of a ``PopularityIndex``.
public struct PopularityConfig: Sendable, Equatable, Codable {
    /// Half-life of popularity counts (ms). Default 7 days.
    public var halfLife: Int64
    /// Length of each maintained top list. Default 100.
    public var topN: Int
    /// Items counted at most globally; past it the smallest 5 % are dropped. Default 200 000.
    public var maxGlobalItems: Int
    /// Items counted at most per segment; past it the smallest 5 % are dropped. Default 20 000.
    public var maxItemsPerSegment: Int

    public init(halfLife: Int64 = 7 * millisecondsPerDay, topN: Int = 100, maxGlobalItems: Int = 200_000,
                maxItemsPerSegment: Int = 20_000) {
        precondition(halfLife > 0 && topN > 0 && maxGlobalItems > 0 && maxItemsPerSegment > 0,
                     "PopularityConfig bounds must be positive")
        self.halfLife = halfLife; self.topN = topN
        self.maxGlobalItems = maxGlobalItems; self.maxItemsPerSegment = maxItemsPerSegment
    }
}

/// A popular item with its decayed count.
public struct PopularItem: Sendable, Equatable, Codable {
    public var itemID: String
    public var score: Double
    public init(itemID: String, score: Double) { self.itemID = itemID; self.score = score }
}

/// Decayed item popularity, globally and per segment (segment id → items), with incrementally kept
/// top lists: the cold-start source of the ``Recommender``.
///
/// Counts share one ``ForwardDecay``, so relative order never changes by decay alone and a top list
/// only changes when a count grows. Which events count, and with what weight, is the caller's choice
/// (e.g. only events that ``ItemSimilarity/observe(recent:item:ts:)`` counted, so that one customer's
/// repeated views count once). Not Sendable: owned by one actor or thread.
public final class PopularityIndex {
    struct Counter: Sendable, Equatable, Codable {
        var counts: [IDKey: Double] = [:]
        var top: [PopularItem] = []
    }

    public let config: PopularityConfig
    private var decay: ForwardDecay
    private var global = Counter()
    private var segments: [Int: Counter] = [:]
    /// The latest event time observed; read values are decayed to it.
    public private(set) var latestTime: EventTime?

    public init(config: PopularityConfig = PopularityConfig()) {
        self.config = config
        self.decay = ForwardDecay(halfLife: config.halfLife)
    }

    /// The whole index as a value, for checkpoints: Codable, O(1) to take (copy-on-write).
    public struct Snapshot: Sendable, Equatable, Codable {
        var config: PopularityConfig
        var decay: ForwardDecay
        var global: Counter
        var segments: [Int: Counter]
        var latestTime: EventTime?
    }

    /// A snapshot of the current state.
    public func snapshot() -> Snapshot {
        Snapshot(config: config, decay: decay, global: global, segments: segments, latestTime: latestTime)
    }

    /// Restores an index from a snapshot (its configuration included).
    public convenience init(snapshot s: Snapshot) {
        self.init(config: s.config)
        decay = s.decay; global = s.global; segments = s.segments; latestTime = s.latestTime
    }

    /// Counts `weight` (ignored unless positive) for `item` at `ts`, globally and, when given, in
    /// `segment`.
    public func observe(item: String, segment: Int?, ts: EventTime, weight: Double = 1) {
        guard weight > 0, weight.isFinite else { return }
        latestTime = max(latestTime ?? ts, ts)
        if let m = decay.rebaseIfNeeded(for: ts) {
            global.rescale(m)
            segments = segments.mapValues { var c = $0; c.rescale(m); return c }
        }
        let s = weight * decay.weight(at: ts)
        global.add(item, s, topN: config.topN, maxItems: config.maxGlobalItems)
        if let segment {
            segments[segment, default: Counter()].add(item, s, topN: config.topN, maxItems: config.maxItemsPerSegment)
        }
    }

    /// The most popular items (of `segment`, or globally when nil), highest first, ties by item id,
    /// with counts decayed to ``latestTime``; at most `limit` (and at most ``PopularityConfig/topN``).
    public func popular(limit: Int = .max, segment: Int? = nil) -> [PopularItem] {
        let counter = segment.map { segments[$0] ?? Counter() } ?? global
        guard let now = latestTime else { return [] }
        // One decay factor for the whole list (realValue(s, at: now) is s × this factor).
        let f = Decay.factor(elapsed: now - decay.landmark, halfLife: decay.halfLife)
        return counter.top.prefix(limit).map { PopularItem(itemID: $0.itemID, score: $0.score * f) }
    }

    /// The kept top list (of `segment`, or global) in stored units, and the factor that decays them
    /// to ``latestTime``: `popular(limit:segment:)` is its prefix with each score times the factor
    /// (empty before the first observation). For reading without copying the list.
    func topList(segment: Int?) -> (items: [PopularItem], factor: Double) {
        guard let now = latestTime else { return ([], 0) }
        let f = Decay.factor(elapsed: now - decay.landmark, halfLife: decay.halfLife)
        if let segment { return (segments[segment]?.top ?? [], f) }
        return (global.top, f)
    }

    /// The decayed count of `item` (in `segment`, or globally) at ``latestTime``.
    public func score(of item: String, segment: Int? = nil) -> Double {
        let counter = segment.map { segments[$0] ?? Counter() } ?? global
        guard let now = latestTime, let s = counter.counts[item] else { return 0 }
        return decay.realValue(s, at: now)
    }

    /// Reads many decayed counts at once (the recommender's inner loop): the decay factor to
    /// ``latestTime`` is computed once, so `reader(segment:).score(of:)` equals `score(of:segment:)`.
    public struct Reader {
        let counts: [IDKey: Double]
        let factor: Double
        /// The decayed count of `item` (0 when not counted).
        @inline(__always) public func score(of item: String) -> Double {
            guard let s = counts[item] else { return 0 }
            return s * factor
        }
    }

    /// A ``Reader`` over `segment`'s counts (or the global ones when nil).
    public func reader(segment: Int? = nil) -> Reader {
        let counter = segment.map { segments[$0] ?? Counter() } ?? global
        guard let now = latestTime else { return Reader(counts: [:], factor: 0) }
        return Reader(counts: counter.counts, factor: Decay.factor(elapsed: now - decay.landmark, halfLife: decay.halfLife))
    }

    /// Number of items counted (in `segment`, or globally).
    public func itemCount(segment: Int? = nil) -> Int {
        (segment.map { segments[$0] ?? Counter() } ?? global).counts.count
    }

    /// Drops a segment's counts (e.g. when the segment is retired or reseeded).
    public func removeSegment(_ segment: Int) { segments[segment] = nil }
}

extension PopularityIndex.Counter {
    mutating func rescale(_ m: Double) {
        counts = counts.mapValues { $0 * m }
        top = top.map { PopularItem(itemID: $0.itemID, score: $0.score * m) }
    }

    static func ranksBefore(_ a: PopularItem, _ b: PopularItem) -> Bool {
        a.score != b.score ? a.score > b.score : a.itemID < b.itemID
    }

    mutating func add(_ item: String, _ s: Double, topN: Int, maxItems: Int) {
        let old = counts[item]
        let v = (old ?? 0) + s
        counts[item] = v
        let entry = PopularItem(itemID: item, score: v)
        // An item in `top` has its current count there, so an item counted below a full list's
        // last entry (or not counted before) is not in it and the scan can be skipped.
        if let old, !(top.count >= topN && old < top[top.count - 1].score) {
            top.removeAll { $0.itemID == item }
        }
        let at = top.firstIndex { Self.ranksBefore(entry, $0) } ?? top.endIndex
        if at < topN { top.insert(entry, at: at) }
        if top.count > topN { top.removeLast(top.count - topN) }
        if counts.count > maxItems { evict(target: maxItems - maxItems / 20, topN: topN) }
    }

    private mutating func evict(target: Int, topN: Int) {
        let order = counts.sorted { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }
        var lostTop = false
        for (k, _) in order.prefix(counts.count - target) {
            counts[k] = nil
            if top.contains(where: { $0.itemID == k.string }) { lostTop = true }
        }
        if lostTop {
            top = counts.map { PopularItem(itemID: $0.key.string, score: $0.value) }.sorted(by: Self.ranksBefore)
            if top.count > topN { top.removeLast(top.count - topN) }
        }
    }
}
