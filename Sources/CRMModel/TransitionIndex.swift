/// Parameters of a ``TransitionIndex``.
public struct TransitionConfig: Sendable, Equatable, Codable {
    /// A new item is counted as following each of the customer's this many latest distinct items
    /// (the d-th latest with weight 1/d, sequential-rules style). Default 5.
    public var steps: Int
    /// …touched within this window before it (ms). Default 24 hours.
    public var window: Int64
    /// Half-life of the counts (ms). Default 30 days.
    public var halfLife: Int64
    /// Successors kept per item; a new one on a full item evicts the smallest. Default 50.
    public var maxNextPerItem: Int
    /// Items tracked at most; past it the index is cleared and rebuilt from new events. Default 200 000.
    public var maxItems: Int

    public init(steps: Int = 5, window: Int64 = 24 * 3_600_000, halfLife: Int64 = 30 * millisecondsPerDay,
                maxNextPerItem: Int = 50, maxItems: Int = 200_000) {
        precondition(steps > 0 && window >= 0 && halfLife > 0 && maxNextPerItem > 0 && maxItems > 0,
                     "TransitionConfig bounds must be positive")
        self.steps = steps; self.window = window; self.halfLife = halfLife
        self.maxNextPerItem = maxNextPerItem; self.maxItems = maxItems
    }
}

/// A candidate's sequential score and the history item it follows most strongly.
public struct TransitionScore: Sendable, Equatable {
    /// `Σ_k decay^k · P(c | s_k)` over the customer's latest items `s_k`.
    public var score: Double
    /// The history item with the largest contribution.
    public var source: String

    public init(score: Double, source: String) { self.score = score; self.source = source }
}

/// Directed item → next-item transitions ("sequential rules", Ludewig & Jannach 2018): which
/// items customers touch *after* an item, not merely together with it. Unlike the symmetric
/// ``ItemSimilarity``, `a → b` and `b → a` are counted apart, so the items a session moves on to
/// rank before the ones it came from.
///
/// Counting: when a customer touches `x` at `t` and their latest distinct item is not `x`, each
/// d-th latest distinct item `p ≠ x` (d = 1 … ``TransitionConfig/steps``, touched within
/// ``TransitionConfig/window``) gets `count(p → x) += 1/d` and `total(p) += 1/d`, all decayed with
/// one half-life (``ForwardDecay``). Reading: `P(x | p) = count(p → x) / total(p)` (decay cancels).
/// Bounded: at most ``TransitionConfig/maxNextPerItem`` successors per item (the smallest is evicted,
/// ties by item id; its weight stays in `total`) and ``TransitionConfig/maxItems`` items.
/// Deterministic; not Sendable (one owner).
public final class TransitionIndex {
    struct Node: Sendable, Equatable, Codable {
        var total = 0.0
        var next: [String: Double] = [:]
    }

    public let config: TransitionConfig
    private var decay: ForwardDecay
    private var nodes: [String: Node] = [:]

    public init(config: TransitionConfig = TransitionConfig()) {
        self.config = config
        decay = ForwardDecay(halfLife: config.halfLife)
    }

    /// Number of items with successors.
    public var itemCount: Int { nodes.count }

    /// `P(next | item)` from the current counts (0 when never seen).
    public func probability(of next: String, after item: String) -> Double {
        guard let n = nodes[item], n.total > 0, let v = n.next[next] else { return 0 }
        return v / n.total
    }

    /// An independent copy (for a frozen evaluation).
    public func copy() -> TransitionIndex {
        let c = TransitionIndex(config: config)
        c.decay = decay
        c.nodes = nodes
        return c
    }

    /// Counts that a customer touched `item` at `ts`, given their history *before* the event
    /// (oldest first, as ``UserProfile/recent`` before the event is applied).
    public func observe(recent: [RecentItem], item: String, ts: EventTime) {
        guard let newest = recent.last, newest.itemID != item else { return }
        if let m = decay.rebaseIfNeeded(for: ts) {
            nodes = nodes.mapValues { n in Node(total: n.total * m, next: n.next.mapValues { $0 * m }) }
        }
        let w = decay.weight(at: ts)
        var d = 0
        var done = Set<String>()
        for r in recent.reversed() {
            guard d < config.steps, abs(ts - r.ts) <= config.window else { break }
            guard done.insert(r.itemID).inserted else { continue }
            d += 1
            if r.itemID == item { continue }
            add(from: r.itemID, to: item, w / Double(d))
        }
    }

    /// Removes everything counted from the items of `recent` (erasure, DESIGN.md §7): those items'
    /// successor lists are dropped; transitions into them from other items stay until evicted.
    public func forget(recent: [RecentItem]) {
        for r in recent { nodes[r.itemID] = nil }
    }

    /// Sequential scores for a customer with history `recent` (oldest first): the latest `sources`
    /// distinct items `s_k` (k = 0 the newest) each add `decay^k · P(c | s_k)` to their successors `c`.
    public func scores(recent: [RecentItem], sources: Int, decay positionDecay: Double) -> [String: TransitionScore] {
        var out: [String: TransitionScore] = [:]
        var best: [String: Double] = [:]
        var factor = 1.0
        var used = 0
        var done = Set<String>()
        for r in recent.reversed() where used < sources {
            guard done.insert(r.itemID).inserted else { continue }
            defer { factor *= positionDecay; used += 1 }
            guard let n = nodes[r.itemID], n.total > 0 else { continue }
            for (c, v) in n.next.sorted(by: { $0.key < $1.key }) {
                let contribution = factor * v / n.total
                if var e = out[c] {
                    e.score += contribution
                    if contribution > best[c]! { best[c] = contribution; e.source = r.itemID }
                    out[c] = e
                } else {
                    out[c] = TransitionScore(score: contribution, source: r.itemID)
                    best[c] = contribution
                }
            }
        }
        return out
    }

    private func add(from a: String, to b: String, _ w: Double) {
        if nodes[a] == nil && nodes.count >= config.maxItems { nodes.removeAll() }
        var node = nodes.removeValue(forKey: a) ?? Node()
        node.total += w
        if node.next[b] == nil && node.next.count >= config.maxNextPerItem {
            // Evict the smallest successor (ties: the larger item id), keeping its weight in the total.
            var victim: (id: String, v: Double)?
            for (id, v) in node.next {
                if let cur = victim, v > cur.v || (v == cur.v && id < cur.id) { continue }
                victim = (id, v)
            }
            if let victim { node.next[victim.id] = nil }
        }
        node.next[b, default: 0] += w
        nodes[a] = node
    }
}
