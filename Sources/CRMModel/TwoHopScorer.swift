/// A candidate reached through one intermediate item: its two-step score and the strongest path.
public struct TwoHopScore: Sendable, Equatable {
    /// `Σ_n cf(n) · sim(n, c)` over the expanded intermediate items `n`.
    public var score: Double
    /// The intermediate item of the path with the largest contribution.
    public var via: String
    /// The source the path starts from (the intermediate item's strongest source).
    public var source: String

    public init(score: Double, via: String, source: String) {
        self.score = score; self.via = via; self.source = source
    }
}

/// Second-order item-based collaborative filtering (a two-step walk on the item-similarity graph,
/// as in RP3 / "items similar to items similar to yours"): on sparse session data most items a
/// customer touches next never co-occurred with their own items, but often with those items'
/// neighbours.
///
/// Given the one-step candidates `n` with their similarity score `cf(n) = Σ_s a_s · sim(s, n)` (what
/// ``Recommender`` computes from the customer's sources), the `expand` strongest of them (score
/// descending, ties by item id; sources themselves are not expanded) each read `neighbours` of their
/// own neighbours `c`, and `c` gains `cf(n) · sim(n, c)`. An item never gains through itself
/// (`c ≠ n`). Bounded: at most `expand · neighbours` similarity reads per list. Deterministic:
/// intermediate items are visited in a fixed order and neighbour lists are sorted.
public struct TwoHopScorer: Sendable {
    /// Intermediate items expanded per list.
    public var expand: Int
    /// Neighbours read per intermediate item.
    public var neighbours: Int

    public init(expand: Int, neighbours: Int) {
        self.expand = expand; self.neighbours = neighbours
    }

    /// Two-step scores.
    /// - Parameters:
    ///   - oneStep: candidate → (its one-step similarity score, its strongest source).
    ///   - sources: the customer's source items (never expanded).
    ///   - neighboursOf: an item's neighbours with their similarity, most similar first.
    /// - Returns: candidate → its two-step score and strongest path (only scores above 0).
    public func scores(oneStep: [String: (cf: Double, source: String)], sources: Set<String>,
                       neighboursOf: (String, Int) -> [Neighbour]) -> [String: TwoHopScore] {
        guard expand > 0, neighbours > 0 else { return [:] }
        var order: [(item: String, cf: Double, source: String)] = []
        order.reserveCapacity(oneStep.count)
        for (item, v) in oneStep where v.cf > 0 && !sources.contains(item) { order.append((item, v.cf, v.source)) }
        order.sort { $0.cf != $1.cf ? $0.cf > $1.cf : $0.item < $1.item }
        var out: [String: TwoHopScore] = [:]
        var best: [String: Double] = [:]
        for n in order.prefix(expand) {
            for m in neighboursOf(n.item, neighbours) where m.itemID != n.item {
                let contribution = n.cf * m.similarity
                guard contribution > 0 else { continue }
                if var e = out[m.itemID] {
                    e.score += contribution
                    if contribution > best[m.itemID]! {
                        best[m.itemID] = contribution; e.via = n.item; e.source = n.source
                    }
                    out[m.itemID] = e
                } else {
                    out[m.itemID] = TwoHopScore(score: contribution, via: n.item, source: n.source)
                    best[m.itemID] = contribution
                }
            }
        }
        return out
    }
}
