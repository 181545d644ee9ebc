/// How the similarity of two items is computed from decayed co-occurrence counts `c_ij` and item
/// counts `c_i`, `c_j` (the measures of Microsoft's SAR).
public enum SimilarityMeasure: String, Sendable, CaseIterable, Codable {
    /// `c_ij / sqrt(c_i · c_j)`, clamped to at most 1. The default: symmetric, bounded, and, unlike
    /// lift, it does not push rare items (seen once, together) to the top.
    case cosine
    /// `c_ij / (c_i + c_j − c_ij)`, clamped to at most 1. Stricter than cosine with popular items.
    case jaccard
    /// `c_ij / (c_i · c_j)`: favours discovery of rare items; unbounded, and, with decayed counts, it
    /// depends on time (it is reported with the counts decayed to ``ItemSimilarity/latestTime``).
    case lift
}

/// Parameters of an ``ItemSimilarity`` cache (DESIGN.md §4 "Item similarity cache").
public struct ItemSimilarityConfig: Sendable, Equatable, Codable {
    /// A new item pairs with at most this many of the customer's latest items. Default 20.
    public var recentLimit: Int
    /// …and only with those touched within this window before it (ms). Default 24 hours.
    public var window: Int64
    /// Half-life of all counts (ms). Default 7 days.
    public var halfLife: Int64
    /// Similarity measure. Default ``SimilarityMeasure/cosine``.
    public var measure: SimilarityMeasure
    /// Neighbours kept per item. Default 20.
    public var topK: Int
    /// Items tracked at most; past it the least recently seen 5 % are evicted (ties: smaller count,
    /// then item id). Default 200 000.
    public var maxItems: Int
    /// Pairs kept per item; a new pair on a full item evicts its smallest pair. Default 100.
    public var maxPairsPerItem: Int
    /// Pairs whose decayed count falls below this are pruned. Default 0.05.
    public var minPairCount: Double
    /// Items whose decayed count falls below this are pruned. Default 0.05.
    public var minItemCount: Double
    /// Pruning runs whenever event time has advanced this much since the last run (ms). Default 1 day.
    public var pruneInterval: Int64
    /// Session-aware pair weights: a new item pairs with the d-th most recent distinct item of the
    /// history (d = 1 the newest) with weight `sequenceDecay^(d−1)`, so items touched one after
    /// the other count more than items far apart in the history. 1 = every pair counts 1. Default 1.
    public var sequenceDecay: Double

    public init(recentLimit: Int = 20, window: Int64 = 24 * 3_600_000, halfLife: Int64 = 7 * millisecondsPerDay,
                measure: SimilarityMeasure = .cosine, topK: Int = 20, maxItems: Int = 200_000,
                maxPairsPerItem: Int = 100, minPairCount: Double = 0.05, minItemCount: Double = 0.05,
                pruneInterval: Int64 = millisecondsPerDay, sequenceDecay: Double = 1) {
        precondition(recentLimit > 0 && window >= 0 && halfLife > 0 && topK > 0 && maxItems > 0
                     && maxPairsPerItem > 0 && pruneInterval > 0, "ItemSimilarityConfig bounds must be positive")
        self.recentLimit = recentLimit; self.window = window; self.halfLife = halfLife; self.measure = measure
        self.topK = topK; self.maxItems = maxItems; self.maxPairsPerItem = maxPairsPerItem
        self.minPairCount = minPairCount; self.minItemCount = minItemCount; self.pruneInterval = pruneInterval
        self.sequenceDecay = sequenceDecay
    }
}

/// A similar item and its similarity.
public struct Neighbour: Sendable, Equatable, Codable {
    public var itemID: String
    public var similarity: Double
    public init(itemID: String, similarity: Double) { self.itemID = itemID; self.similarity = similarity }
}

/// Incremental item-to-item similarity from co-occurrence in customers' recent histories
/// (DESIGN.md §4 "Item similarity cache").
///
/// Counting rule: when a customer touches item `x` at time `t`, and `x` is not already among their
/// last ``ItemSimilarityConfig/recentLimit`` items within ``ItemSimilarityConfig/window`` (a repeat
/// counts nothing), `c_x` gains 1 and, for each distinct item `p` among those recent items, `c_xp`
/// gains 1. All counts decay with one half-life (``ForwardDecay``, so stored counts are comparable and
/// a contribution can be subtracted exactly). Cosine and Jaccard do not change under uniform decay,
/// so a similarity changes only when its counts do.
///
/// Top-K maintenance: when `x` is counted, `x`'s whole neighbour list is recomputed from its pairs
/// (at most ``ItemSimilarityConfig/maxPairsPerItem``), and `x`'s entry in each partner's list is
/// updated. Other items' lists keep `x` where it was (its similarity to them moved only through
/// `c_x`) until those items are next counted: membership may lag, values do not (they are re-scored
/// on read). One event costs O(recentLimit · topK) plus one O(maxPairsPerItem) recomputation.
///
/// Not Sendable: a mutable cache meant to be owned by one actor or thread.
public final class ItemSimilarity {
    struct Node: Sendable, Equatable, Codable {
        var count = 0.0
        var lastSeen: EventTime = .min
        var pairs: [IDKey: Double] = [:]
        var top: [Neighbour] = []
    }

    public let config: ItemSimilarityConfig
    private var decay: ForwardDecay
    private var nodes: [IDKey: Node] = [:]
    private var undirectedPairs = 0
    private var lastPruneAt: EventTime?
    /// The latest event time observed.
    public private(set) var latestTime: EventTime?

    public init(config: ItemSimilarityConfig = ItemSimilarityConfig()) {
        self.config = config
        self.decay = ForwardDecay(halfLife: config.halfLife)
    }

    /// The whole cache as a value, for checkpoints (DESIGN.md §5): Codable, O(1) to take (the
    /// storage is shared copy-on-write until the cache next changes).
    public struct Snapshot: Sendable, Equatable, Codable {
        var config: ItemSimilarityConfig
        var decay: ForwardDecay
        var nodes: [IDKey: Node]
        var undirectedPairs: Int
        var lastPruneAt: EventTime?
        var latestTime: EventTime?
    }

    /// A snapshot of the current state.
    public func snapshot() -> Snapshot {
        Snapshot(config: config, decay: decay, nodes: nodes, undirectedPairs: undirectedPairs,
                 lastPruneAt: lastPruneAt, latestTime: latestTime)
    }

    /// Restores a cache from a snapshot (its configuration included).
    public convenience init(snapshot s: Snapshot) {
        self.init(config: s.config)
        decay = s.decay; nodes = s.nodes; undirectedPairs = s.undirectedPairs
        lastPruneAt = s.lastPruneAt; latestTime = s.latestTime
    }

    /// Number of items tracked.
    public var itemCount: Int { nodes.count }
    /// Number of item pairs with a count.
    public var pairCount: Int { undirectedPairs }

    /// The decayed occurrence count of an item at `now` (0 when untracked).
    public func occurrence(of item: String, at now: EventTime) -> Double {
        decay.realValue(nodes[item]?.count ?? 0, at: now)
    }

    /// The decayed co-occurrence count of two items at `now` (0 when untracked).
    public func coOccurrence(_ a: String, _ b: String, at now: EventTime) -> Double {
        decay.realValue(nodes[a]?.pairs[b] ?? 0, at: now)
    }

    /// The similarity of two items from the current counts (nil when they have no pair).
    public func similarity(_ a: String, _ b: String) -> Double? {
        guard let na = nodes[a], let sab = na.pairs[b], let nb = nodes[b] else { return nil }
        return scaledForReading(rawSimilarity(sab, na.count, nb.count))
    }

    /// The nearest neighbours of `item`, most similar first (ties by item id), at most
    /// ``ItemSimilarityConfig/topK``. Membership is the incrementally kept top-K list; the values are
    /// re-scored from the current counts on read (K lookups), so they are never stale.
    public func neighbours(of item: String, limit: Int = .max) -> [Neighbour] {
        guard let node = nodes[item], limit > 0 else { return [] }
        var list: [Neighbour] = []
        list.reserveCapacity(node.top.count)
        for e in node.top {
            guard let v = node.pairs[e.itemID], let other = nodes[e.itemID] else { continue }
            list.append(Neighbour(itemID: e.itemID,
                                  similarity: scaledForReading(rawSimilarity(v, node.count, other.count))))
        }
        list.sort(by: Self.ranksBefore)
        if list.count > limit { list.removeLast(list.count - limit) }
        return list
    }

    // MARK: Counting

    /// Counts that a customer touched `item` at `ts`, given their history *before* this event
    /// (oldest first, e.g. ``UserProfile/recent`` read before ``UserProfile/apply(click:weights:)``).
    /// Returns whether the event counted (false for a repeat within the window).
    @discardableResult
    public func observe(recent: [RecentItem], item: String, ts: EventTime) -> Bool {
        advance(to: ts)
        guard let partners = Self.partners(prior: recent[...], item: item, ts: ts, config: config) else {
            return false
        }
        let w = decay.weight(at: ts)
        nodes[item, default: Node()].count += w
        nodes[item]!.lastSeen = max(nodes[item]!.lastSeen, ts)
        var linked: [String] = []
        linked.reserveCapacity(partners.count)
        for (p, pw) in partners where nodes[p] != nil {
            addPair(item, p, w * pw, refreshedLater: item)
            linked.append(p)
        }
        refreshTop(item)
        for p in linked where nodes[p] != nil && nodes[item] != nil { upsertTop(p, item) }
        if nodes.count > config.maxItems { evictItems() }
        return true
    }

    /// Counts a basket bought together: each item in turn (sorted by id) is observed with the history
    /// plus the basket's earlier items. Call it with the history read before
    /// ``UserProfile/apply(order:weights:categoryOf:)``. Returns the items that counted.
    @discardableResult
    public func observe(recent: [RecentItem], items: [String], ts: EventTime) -> [String] {
        var history = recent
        var counted: [String] = []
        for item in Set(items).sorted() {
            if observe(recent: history, item: item, ts: ts) { counted.append(item) }
            history.append(RecentItem(itemID: item, ts: ts, bought: true))
        }
        return counted
    }

    /// Removes a customer's contribution (DESIGN.md §7), replaying their recent history (oldest
    /// first) with the counting rule and subtracting exactly what each counted event added.
    ///
    /// Approximation: only the history still held is removed. Contributions of items that already
    /// left the history, pairs with such items, and events that were repeats at the time but not in
    /// the replay (or the reverse, after the history moved an item to its end) are not corrected;
    /// counts already pruned or evicted stay gone. Counts are floored at zero.
    public func forget(recent: [RecentItem]) {
        var touched = Set<String>()
        for k in recent.indices {
            let x = recent[k]
            guard nodes[x.itemID] != nil,
                  let partners = Self.partners(prior: recent[..<k], item: x.itemID, ts: x.ts, config: config)
            else { continue }
            let w = decay.weight(at: x.ts)
            nodes[x.itemID]!.count = max(nodes[x.itemID]!.count - w, 0)
            touched.insert(x.itemID)
            for (p, pw) in partners where nodes[x.itemID]!.pairs[p] != nil {
                let v = max(nodes[x.itemID]!.pairs[p]! - w * pw, 0)
                nodes[x.itemID]!.pairs[p] = v
                nodes[p]!.pairs[x.itemID] = v
                touched.insert(p)
            }
        }
        guard let now = latestTime else { return }
        var refresh: [String] = []
        for t in touched.sorted() where nodes[t] != nil {
            if decay.realValue(nodes[t]!.count, at: now) < config.minItemCount {
                refresh.append(contentsOf: removeItem(t))
                continue
            }
            for (p, v) in nodes[t]!.pairs.sorted(by: { $0.key < $1.key })
            where decay.realValue(v, at: now) < config.minPairCount {
                removePair(t, p.string)
                refresh.append(p.string)
            }
            refresh.append(t)
        }
        for r in Set(refresh).sorted() where nodes[r] != nil { refreshTop(r) }
    }

    /// Removes pairs and items whose decayed counts at `now` are below the configured minimums and
    /// refreshes the neighbour lists that lost entries. Also runs by itself every
    /// ``ItemSimilarityConfig/pruneInterval`` of event time.
    public func prune(at now: EventTime) {
        lastPruneAt = now
        var deadItems: [String] = []
        var deadPairs: [(String, String)] = []
        for (id, node) in nodes {
            if decay.realValue(node.count, at: now) < config.minItemCount { deadItems.append(id.string); continue }
            for (p, v) in node.pairs where id < p && decay.realValue(v, at: now) < config.minPairCount {
                deadPairs.append((id.string, p.string))
            }
        }
        var refresh = Set<String>()
        for (a, b) in deadPairs { removePair(a, b); refresh.insert(a); refresh.insert(b) }
        for id in deadItems.sorted() where nodes[id] != nil { refresh.formUnion(removeItem(id)) }
        for r in refresh.sorted() where nodes[r] != nil { refreshTop(r) }
    }

    // MARK: Internals

    /// The distinct items `item` pairs with and their pair weights (``ItemSimilarityConfig/sequenceDecay``
    /// by distance from the newest), sorted by item id; nil when `item` is a repeat within the window.
    static func partners(prior: ArraySlice<RecentItem>, item: String, ts: EventTime,
                         config: ItemSimilarityConfig) -> [(String, Double)]? {
        var result: [(String, Double)] = []
        var weight = 1.0
        for r in prior.suffix(config.recentLimit).reversed() where abs(ts - r.ts) <= config.window {
            if r.itemID == item { return nil }
            if !result.contains(where: { $0.0 == r.itemID }) {
                result.append((r.itemID, weight))
                weight *= config.sequenceDecay
            }
        }
        result.sort { $0.0 < $1.0 }
        return result
    }

    private func advance(to ts: EventTime) {
        latestTime = max(latestTime ?? ts, ts)
        if let m = decay.rebaseIfNeeded(for: ts) {
            let liftFactor = 1 / m
            let lift = config.measure == .lift
            nodes = nodes.mapValues { n in
                var n = n
                n.count *= m
                n.pairs = n.pairs.mapValues { $0 * m }
                if lift { n.top = n.top.map { Neighbour(itemID: $0.itemID, similarity: $0.similarity * liftFactor) } }
                return n
            }
        }
        if lastPruneAt == nil { lastPruneAt = ts }
        if let last = lastPruneAt, ts - last >= config.pruneInterval { prune(at: ts) }
    }

    private func rawSimilarity(_ sij: Double, _ si: Double, _ sj: Double) -> Double {
        Self.rawSimilarity(sij, si, sj, config.measure)
    }

    private static func rawSimilarity(_ sij: Double, _ si: Double, _ sj: Double, _ measure: SimilarityMeasure) -> Double {
        guard si > 0, sj > 0, sij > 0 else { return 0 }
        switch measure {
        case .cosine: return min(sij / (si * sj).squareRoot(), 1)
        case .jaccard:
            let union = si + sj - sij
            return union <= sij ? 1 : sij / union
        case .lift: return sij / (si * sj)
        }
    }

    /// Lift is cached in stored units; to read it at ``latestTime`` it is divided by the decay factor.
    private func scaledForReading(_ s: Double) -> Double {
        guard config.measure == .lift, let now = latestTime else { return s }
        return s * decay.weight(at: now)
    }

    /// Adds `w` to the pair (a, b), first making room on a full item. `refreshedLater` is an item
    /// whose neighbour list the caller recomputes afterwards anyway (evictions skip it).
    private func addPair(_ a: String, _ b: String, _ w: Double, refreshedLater: String? = nil) {
        if nodes[a]!.pairs[b] == nil {
            if nodes[a]!.pairs.count >= config.maxPairsPerItem { evictSmallestPair(of: a, refreshedLater: refreshedLater) }
            if nodes[b]!.pairs.count >= config.maxPairsPerItem { evictSmallestPair(of: b, refreshedLater: refreshedLater) }
            undirectedPairs += 1
        }
        nodes[a]!.pairs[b, default: 0] += w
        nodes[b]!.pairs[a, default: 0] += w
    }

    private func evictSmallestPair(of x: String, refreshedLater: String?) {
        var minKey: IDKey?
        var minValue = Double.infinity
        for (k, v) in nodes[x]!.pairs where v < minValue || (v == minValue && k > minKey!) {
            minKey = k; minValue = v
        }
        guard let k = minKey?.string else { return }
        removePair(x, k)
        if k != refreshedLater { refreshTop(k) }
        if x != refreshedLater { refreshTop(x) }
    }

    private func removePair(_ a: String, _ b: String) {
        guard nodes[a]?.pairs.removeValue(forKey: b) != nil else { return }
        nodes[b]?.pairs[a] = nil
        undirectedPairs -= 1
        nodes[a]!.top.removeAll { $0.itemID == b }
        nodes[b]?.top.removeAll { $0.itemID == a }
    }

    /// Removes an item and its pairs; returns the items whose lists lost it.
    private func removeItem(_ id: String) -> [String] {
        guard let node = nodes.removeValue(forKey: id) else { return [] }
        var affected: [String] = []
        for p in node.pairs.keys.sorted() {
            nodes[p]?.pairs[id] = nil
            nodes[p]?.top.removeAll { $0.itemID == id }
            undirectedPairs -= 1
            affected.append(p.string)
        }
        return affected
    }

    private func evictItems() {
        let target = config.maxItems - config.maxItems / 20
        let order = nodes.map { (id: $0.key.string, seen: $0.value.lastSeen, count: $0.value.count) }.sorted {
            if $0.seen != $1.seen { return $0.seen < $1.seen }
            if $0.count != $1.count { return $0.count < $1.count }
            return $0.id < $1.id
        }
        var refresh = Set<String>()
        for victim in order.prefix(nodes.count - target) {
            refresh.remove(victim.id)
            refresh.formUnion(removeItem(victim.id))
        }
        for r in refresh.sorted() where nodes[r] != nil { refreshTop(r) }
    }

    private static func ranksBefore(_ a: Neighbour, _ b: Neighbour) -> Bool {
        a.similarity != b.similarity ? a.similarity > b.similarity : a.itemID < b.itemID
    }

    private func refreshTop(_ id: String) {
        guard let node = nodes[id] else { return }
        // `nodes` is passed as an argument (one access for the whole scan, no copy), and the list
        // is stored after the scan.
        let list = Self.bestNeighbours(of: node, in: nodes, k: config.topK, measure: config.measure)
        nodes[id]!.top = list
    }

    /// The best `k` neighbours of `node` by selection (a total order: similarity, then item id), as
    /// a full sort followed by truncation would give.
    private static func bestNeighbours(of node: Node, in nodes: [IDKey: Node], k: Int,
                                       measure: SimilarityMeasure) -> [Neighbour] {
        var list: [Neighbour] = []
        list.reserveCapacity(min(node.pairs.count, k) + 1)
        for (p, v) in node.pairs {
            guard let other = nodes[p]?.count else { continue }
            let entry = Neighbour(itemID: p.string, similarity: rawSimilarity(v, node.count, other, measure))
            if list.count == k {
                guard ranksBefore(entry, list[k - 1]) else { continue }
                list.removeLast()
            }
            var at = list.count
            while at > 0 && ranksBefore(entry, list[at - 1]) { at -= 1 }
            list.insert(entry, at: at)
        }
        return list
    }

    /// Updates (or inserts) `item`'s entry in `owner`'s neighbour list.
    private func upsertTop(_ owner: String, _ item: String) {
        guard let v = nodes[owner]?.pairs[item], let ownerCount = nodes[owner]?.count,
              let itemCount = nodes[item]?.count else { return }
        let entry = Neighbour(itemID: item, similarity: rawSimilarity(v, ownerCount, itemCount))
        var top = nodes[owner]!.top
        nodes[owner]!.top = []  // keep `top` uniquely referenced while editing
        top.removeAll { $0.itemID == item }
        let at = top.firstIndex { Self.ranksBefore(entry, $0) } ?? top.endIndex
        if at < config.topK { top.insert(entry, at: at) }
        if top.count > config.topK { top.removeLast(top.count - config.topK) }
        nodes[owner]!.top = top
    }
}
