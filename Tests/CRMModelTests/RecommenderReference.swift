import Foundation
@testable import CRMModel

/// The recommender's documented formula written out independently, scoring every candidate and
/// sorting them all, and the seeded sparse worlds it is checked on (`RecommenderPruningTests`,
/// `TwoHopPruningTests`).
enum RecommenderReference {
    /// Every candidate (the sources' neighbours, with two steps their strongest candidates'
    /// neighbours, and the segment's and global popular items), score = Σ a_s·sim(s,c)
    /// + w_seg·seg(c)/top + w_glob·glob(c)/top + w_hop·hop(c), sorted, first k. With
    /// `similarityPopularityExponent` e > 0, sim(a,n) is read as sim·(c_n/c_a)^e.
    static func scores(_ p: UserProfile, at now: EventTime, sim: ItemSimilarity, pop: PopularityIndex,
                       segment: Int, config c: RecommenderConfig) -> [(String, Double)] {
        let sources = Set(p.recent.map(\.itemID)).union(p.topItems(limit: c.maxAffinitySources, at: now).map(\.itemID)).sorted()
        var position: [String: Double] = [:]
        var f = 1.0
        for r in p.recent.reversed() { position[r.itemID] = f; f *= c.recencyDecay }
        let raw = sources.map { p.itemAffinity($0, at: now) }
        let maxA = raw.max() ?? 0
        let e = c.similarityPopularityExponent
        func read(_ a: String, _ limit: Int) -> [(String, Double)] {
            sim.neighbours(of: a, limit: limit).map { n in
                guard e != 0, let t = sim.latestTime else { return (n.itemID, n.similarity) }
                let ratio = sim.occurrence(of: n.itemID, at: t) / sim.occurrence(of: a, at: t)
                return (n.itemID, n.similarity * (e == 0.5 ? ratio.squareRoot() : pow(ratio, e)))
            }
        }
        var cf: [String: Double] = [:]
        for (s, a) in zip(sources, raw) {
            let w = a / maxA * (position[s] ?? f)
            for (n, v) in read(s, c.neighboursPerSource) { cf[n, default: 0] += w * v }
        }
        // Two steps: the `twoHopExpand` strongest non-source one-step candidates (ties by id).
        var hop: [String: Double] = [:]
        if c.twoHopWeight > 0 {
            let expanded = cf.filter { !sources.contains($0.key) && $0.value > 0 }
                .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(c.twoHopExpand)
            for (n, v) in expanded {
                for (m, s) in read(n, c.twoHopNeighbours) where m != n { hop[m, default: 0] += v * s }
            }
        }
        let segTop = pop.popular(limit: c.popularCandidates, segment: segment)
        let globTop = pop.popular(limit: c.popularCandidates)
        var all = Set(cf.keys).union(hop.keys)
        for x in segTop + globTop { all.insert(x.itemID) }
        var scored: [(String, Double)] = []
        for item in all where !sources.contains(item) {
            let seg = c.segmentPopularityWeight * pop.score(of: item, segment: segment) / segTop[0].score
            let glob = c.globalPopularityWeight * pop.score(of: item) / globTop[0].score
            let s = c.similarityWeight * (cf[item] ?? 0) + seg + glob + c.twoHopWeight * (hop[item] ?? 0)
            if s > 0 { scored.append((item, s)) }
        }
        scored.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        return Array(scored.prefix(c.listSize))
    }

    /// 40 customers viewing `2 + [0, extraViews)` items each over `items` items, a `hotShare` of the
    /// views on items i0–i2; similarity and (segment = customer number mod 2) popularity learned
    /// from them. Draws from `rng` in a fixed order, so a seed gives the same world.
    static func world(_ rng: inout SeededRandom, items: Int, extraViews: Int, hotShare: Double)
        -> (sim: ItemSimilarity, pop: PopularityIndex, profiles: [UserProfile]) {
        let t0: EventTime = 1_764_755_200_000
        let sim = ItemSimilarity()
        let pop = PopularityIndex()
        var profiles: [UserProfile] = []
        for u in 0..<40 {
            var p = UserProfile()
            for k in 0..<(2 + rng.nextInt(in: 0..<extraViews)) {
                let hot = rng.nextDouble() < hotShare
                let item = "i\(hot ? rng.nextInt(in: 0..<3) : rng.nextInt(in: 0..<items))"
                let ts = t0 + Int64(u * 1000 + k)
                let prior = p.recent
                let outcome = p.apply(click: ClickEvent(eventID: "e\(u)-\(k)", type: .view, userID: "u\(u)", itemID: item, ts: ts))
                if outcome.weight > 0, sim.observe(recent: prior, item: item, ts: ts) {
                    pop.observe(item: item, segment: u % 2, ts: ts, weight: outcome.weight)
                }
            }
            profiles.append(p)
        }
        return (sim, pop, profiles)
    }

    /// The time the worlds are read at.
    static let now: EventTime = 1_764_755_200_000 + 50_000
}
