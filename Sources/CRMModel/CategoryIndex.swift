/// Parameters of a ``CategoryIndex``.
public struct CategoryIndexConfig: Sendable, Equatable, Codable {
    /// Half-life of the per-category item counts (ms). Default 1 day.
    public var halfLife: Int64
    /// Length of each category's kept top list. Default 50.
    public var topN: Int
    /// Categories tracked at most; past it the least recently updated 5 % are dropped. Default 20 000.
    public var maxCategories: Int
    /// Items counted per category at most; past it the smallest 5 % are dropped. Default 1 000.
    public var maxItemsPerCategory: Int
    /// Item → category entries remembered at most; past it the map is cleared. Default 500 000.
    public var maxItems: Int

    public init(halfLife: Int64 = millisecondsPerDay, topN: Int = 50, maxCategories: Int = 20_000,
                maxItemsPerCategory: Int = 1_000, maxItems: Int = 500_000) {
        precondition(halfLife > 0 && topN > 0 && maxCategories > 0 && maxItemsPerCategory > 0 && maxItems > 0,
                     "CategoryIndexConfig bounds must be positive")
        self.halfLife = halfLife; self.topN = topN; self.maxCategories = maxCategories
        self.maxItemsPerCategory = maxItemsPerCategory; self.maxItems = maxItems
    }
}

/// Decayed item popularity within each category, learnt from the categories events carry (content
/// side of the ``Recommender``: popular items of the customer's favourite categories), and the
/// category of each item seen with one. Bounded; deterministic; not Sendable (one owner).
public final class CategoryIndex {
    struct Entry: Sendable, Equatable, Codable {
        var counter = PopularityIndex.Counter()
        var lastSeen: EventTime = .min
    }

    public let config: CategoryIndexConfig
    private var decay: ForwardDecay
    private var entries: [IDKey: Entry] = [:]
    private var itemCategory: [IDKey: String] = [:]
    /// The latest event time observed; read values are decayed to it.
    public private(set) var latestTime: EventTime?

    public init(config: CategoryIndexConfig = CategoryIndexConfig()) {
        self.config = config
        decay = ForwardDecay(halfLife: config.halfLife)
    }

    /// The whole state, for checkpoints.
    public struct Snapshot: Sendable, Codable {
        var config: CategoryIndexConfig
        var decay: ForwardDecay
        var entries: [IDKey: Entry]
        var itemCategory: [IDKey: String]
        var latestTime: EventTime?
    }

    /// A snapshot of the current state.
    public func snapshot() -> Snapshot {
        Snapshot(config: config, decay: decay, entries: entries, itemCategory: itemCategory, latestTime: latestTime)
    }

    /// An index restored from a snapshot, under `config` (the running configuration).
    public convenience init(snapshot s: Snapshot, config: CategoryIndexConfig) {
        self.init(config: config)
        decay = ForwardDecay(halfLife: config.halfLife, landmark: s.decay.landmark, rebaseAfterHalfLives: s.decay.rebaseAfterHalfLives)
        entries = s.entries; itemCategory = s.itemCategory; latestTime = s.latestTime
    }

    /// An independent copy (for a frozen evaluation).
    public func copy() -> CategoryIndex {
        let c = CategoryIndex(config: config)
        c.decay = decay; c.entries = entries; c.itemCategory = itemCategory; c.latestTime = latestTime
        return c
    }

    /// Number of categories tracked.
    public var categoryCount: Int { entries.count }

    /// Counts `weight` (ignored unless positive) for `item` in `category` at `ts`.
    public func observe(item: String, category: String, ts: EventTime, weight: Double = 1) {
        guard weight > 0, weight.isFinite else { return }
        latestTime = max(latestTime ?? ts, ts)
        if let m = decay.rebaseIfNeeded(for: ts) {
            entries = entries.mapValues { var e = $0; e.counter.rescale(m); return e }
        }
        if itemCategory.count >= config.maxItems && itemCategory[item] == nil { itemCategory.removeAll() }
        itemCategory[item] = category
        var e = entries.removeValue(forKey: category) ?? Entry()
        e.counter.add(item, weight * decay.weight(at: ts), topN: config.topN, maxItems: config.maxItemsPerCategory)
        e.lastSeen = max(e.lastSeen, ts)
        entries[category] = e
        if entries.count > config.maxCategories { evict() }
    }

    /// The category `item` was last seen with.
    public func category(of item: String) -> String? { itemCategory[item] }

    /// The most popular items of `category`, highest first (ties by id), at most `limit`, with counts
    /// decayed to ``latestTime``.
    public func popular(in category: String, limit: Int = .max) -> [PopularItem] {
        guard let e = entries[category], let now = latestTime else { return [] }
        return e.counter.top.prefix(limit).map { PopularItem(itemID: $0.itemID, score: decay.realValue($0.score, at: now)) }
    }

    /// The kept top list of `category` in stored units (the items of ``popular(in:limit:)``, in its
    /// order; empty when the category is unknown or nothing was observed).
    func topList(in category: String) -> [PopularItem] {
        guard latestTime != nil, let e = entries[IDKey(category)] else { return [] }
        return e.counter.top
    }

    /// The decayed count of `item` in `category` at ``latestTime``.
    public func score(of item: String, in category: String) -> Double {
        guard let now = latestTime, let s = entries[category]?.counter.counts[item] else { return 0 }
        return decay.realValue(s, at: now)
    }

    /// Reads many per-category counts at once (the recommender's inner loop): the decay factor to
    /// ``latestTime`` is computed once; values equal ``score(of:in:)`` and ``popular(in:limit:)``.
    public struct Reader {
        let entries: [IDKey: Entry]
        let itemCategory: [IDKey: String]
        let factor: Double
        /// The category `item` was last seen with.
        @inline(__always) public func category(of item: String) -> String? { itemCategory[item] }
        /// The decayed count of `item` in `category` (0 when not counted).
        public func score(of item: String, in category: String) -> Double {
            guard let s = entries[category]?.counter.counts[item] else { return 0 }
            return s * factor
        }
        /// The stored counts of `category` (empty when unknown), for ``score(of:counts:)``.
        func counts(in category: String) -> [IDKey: Double] { entries[IDKey(category)]?.counter.counts ?? [:] }
        /// ``score(of:in:)`` with the category's counts read once by ``counts(in:)``.
        @inline(__always) func score(of item: String, counts: [IDKey: Double]) -> Double {
            guard let s = counts[item] else { return 0 }
            return s * factor
        }
        /// The decayed count of the most popular item of `category` (nil when it has none).
        public func topScore(in category: String) -> Double? {
            guard let s = entries[category]?.counter.top.first?.score else { return nil }
            return s * factor
        }
    }

    /// A ``Reader`` of the current counts.
    public func reader() -> Reader {
        guard let now = latestTime else { return Reader(entries: [:], itemCategory: itemCategory, factor: 0) }
        return Reader(entries: entries, itemCategory: itemCategory,
                      factor: Decay.factor(elapsed: now - decay.landmark, halfLife: decay.halfLife))
    }

    private func evict() {
        let target = config.maxCategories - config.maxCategories / 20
        let order = entries.map { (key: $0.key, seen: $0.value.lastSeen) }
            .sorted { $0.seen != $1.seen ? $0.seen < $1.seen : $0.key < $1.key }
        for victim in order.prefix(entries.count - target) { entries[victim.key] = nil }
    }
}
