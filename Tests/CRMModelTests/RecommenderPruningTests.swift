import XCTest
@testable import CRMModel

/// The recommender scores only candidates that can still make the list (branch and bound on the
/// similarity terms) and keeps the best `listSize` by selection: checked against a brute-force
/// reference that scores every candidate by the documented formula and sorts them all.
final class RecommenderPruningTests: XCTestCase {
    /// Reference: every candidate (the sources' neighbours and the segment's and global popular
    /// items), score = Σ a_s·sim(s,c) + w_seg·seg(c)/top + w_glob·glob(c)/top, sorted, first k.
    func reference(_ p: UserProfile, at now: EventTime, sim: ItemSimilarity, pop: PopularityIndex,
                   segment: Int, config c: RecommenderConfig) -> [(String, Double)] {
        let sources = Set(p.recent.map(\.itemID)).union(p.topItems(limit: c.maxAffinitySources, at: now).map(\.itemID)).sorted()
        var position: [String: Double] = [:]
        var f = 1.0
        for r in p.recent.reversed() { position[r.itemID] = f; f *= c.recencyDecay }
        let raw = sources.map { p.itemAffinity($0, at: now) }
        let maxA = raw.max() ?? 0
        var cf: [String: Double] = [:]
        for (s, a) in zip(sources, raw) {
            let w = a / maxA * (position[s] ?? f)
            for n in sim.neighbours(of: s, limit: c.neighboursPerSource) { cf[n.itemID, default: 0] += w * n.similarity }
        }
        let segTop = pop.popular(limit: c.popularCandidates, segment: segment)
        let globTop = pop.popular(limit: c.popularCandidates)
        var all = Set(cf.keys)
        for x in segTop + globTop { all.insert(x.itemID) }
        var scored: [(String, Double)] = []
        for item in all where !sources.contains(item) {
            let seg = c.segmentPopularityWeight * pop.score(of: item, segment: segment) / segTop[0].score
            let glob = c.globalPopularityWeight * pop.score(of: item) / globTop[0].score
            let s = c.similarityWeight * (cf[item] ?? 0) + 0 + seg + glob + 0
            if s > 0 { scored.append((item, s)) }
        }
        scored.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        return Array(scored.prefix(c.listSize))
    }

    func testSelectionWithPruningEqualsScoringEverything() {
        var rng = SeededRandom(seed: 7)
        let t0: EventTime = 1_764_755_200_000
        for world in 0..<20 {
            let sim = ItemSimilarity()
            let pop = PopularityIndex()
            var profiles: [UserProfile] = []
            // 40 customers over 30 items, sessions of 2–8 views, a few strongly popular items.
            for u in 0..<40 {
                var p = UserProfile()
                for k in 0..<(2 + rng.nextInt(in: 0..<7)) {
                    let hot = rng.nextDouble() < 0.3
                    let item = "i\(hot ? rng.nextInt(in: 0..<3) : rng.nextInt(in: 0..<30))"
                    let ts = t0 + Int64(u * 1000 + k)
                    let prior = p.recent
                    let click = ClickEvent(eventID: "e\(u)-\(k)", type: .view, userID: "u\(u)", itemID: item, ts: ts)
                    let outcome = p.apply(click: click)
                    if outcome.weight > 0, sim.observe(recent: prior, item: item, ts: ts) {
                        pop.observe(item: item, segment: u % 2, ts: ts, weight: outcome.weight)
                    }
                }
                profiles.append(p)
            }
            let now = t0 + 50_000
            // Strong popularity weights make low-similarity candidates win: the bound must keep them.
            for (segW, globW) in [(0.1, 0.05), (0.8, 0.6), (2.0, 0.0)] {
                for k in [1, 3, 5] {
                    let config = RecommenderConfig(listSize: k, categoryWeight: 0, segmentPopularityWeight: segW,
                                                   globalPopularityWeight: globW, sessionWeight: 0)
                    for (u, p) in profiles.enumerated() where u % 5 == world % 5 {
                        let got = Recommender(config: config).recommend(for: p, at: now, similarity: sim,
                                                                        popularity: pop, segment: u % 2)
                        let want = reference(p, at: now, sim: sim, pop: pop, segment: u % 2, config: config)
                        XCTAssertEqual(got.map(\.itemID), want.map(\.0), "world \(world) customer \(u) k \(k) weights \(segW),\(globW)")
                        for (g, w) in zip(got, want) { XCTAssertEqual(g.score, w.1, accuracy: 1e-12) }
                    }
                }
            }
        }
    }
}
