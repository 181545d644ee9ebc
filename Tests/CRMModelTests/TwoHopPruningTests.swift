import XCTest
@testable import CRMModel

/// With the two-step scorer and the conditional reading on, the recommender's branch and bound and
/// top-K selection still equal a brute-force reference that scores every candidate by the
/// documented formula (written out independently here) and sorts them all.
final class TwoHopPruningTests: XCTestCase {
    func reference(_ p: UserProfile, at now: EventTime, sim: ItemSimilarity, pop: PopularityIndex,
                   segment: Int, config c: RecommenderConfig) -> [(String, Double)] {
        let sources = Set(p.recent.map(\.itemID)).union(p.topItems(limit: c.maxAffinitySources, at: now).map(\.itemID)).sorted()
        var position: [String: Double] = [:]
        var f = 1.0
        for r in p.recent.reversed() { position[r.itemID] = f; f *= c.recencyDecay }
        let raw = sources.map { p.itemAffinity($0, at: now) }
        let maxA = raw.max() ?? 0
        let t = sim.latestTime!
        func read(_ a: String, _ limit: Int) -> [(String, Double)] {
            sim.neighbours(of: a, limit: limit).map { n in
                (n.itemID, n.similarity * (sim.occurrence(of: n.itemID, at: t) / sim.occurrence(of: a, at: t))
                    .squareRoot())
            }
        }
        var cf: [String: Double] = [:]
        for (s, a) in zip(sources, raw) {
            let w = a / maxA * (position[s] ?? f)
            for (n, v) in read(s, c.neighboursPerSource) { cf[n, default: 0] += w * v }
        }
        // Two steps: the `twoHopExpand` strongest non-source one-step candidates (ties by id).
        let expanded = cf.filter { !sources.contains($0.key) && $0.value > 0 }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(c.twoHopExpand)
        var hop: [String: Double] = [:]
        for (n, v) in expanded {
            for (m, s) in read(n, c.twoHopNeighbours) where m != n { hop[m, default: 0] += v * s }
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

    func testSelectionWithTwoStepScoresEqualsScoringEverything() {
        var rng = SeededRandom(seed: 11)
        let t0: EventTime = 1_764_755_200_000
        for world in 0..<20 {
            let sim = ItemSimilarity()
            let pop = PopularityIndex()
            var profiles: [UserProfile] = []
            // 40 customers over 40 items, sessions of 2–6 views: sparse, so two steps matter.
            for u in 0..<40 {
                var p = UserProfile()
                for k in 0..<(2 + rng.nextInt(in: 0..<5)) {
                    let item = "i\(rng.nextDouble() < 0.2 ? rng.nextInt(in: 0..<3) : rng.nextInt(in: 0..<40))"
                    let ts = t0 + Int64(u * 1000 + k)
                    let prior = p.recent
                    let outcome = p.apply(click: ClickEvent(eventID: "e\(u)-\(k)", type: .view, userID: "u\(u)",
                                                            itemID: item, ts: ts))
                    if outcome.weight > 0, sim.observe(recent: prior, item: item, ts: ts) {
                        pop.observe(item: item, segment: u % 2, ts: ts, weight: outcome.weight)
                    }
                }
                profiles.append(p)
            }
            let now = t0 + 50_000
            for (hopW, expand, popW) in [(0.5, 20, 0.0), (2.0, 3, 0.05), (0.5, 1, 0.5)] {
                for k in [1, 3, 8] {
                    let config = RecommenderConfig(listSize: k, categoryWeight: 0, segmentPopularityWeight: popW,
                                                   globalPopularityWeight: popW, sessionWeight: 0,
                                                   twoHopWeight: hopW, twoHopExpand: expand, twoHopNeighbours: 4,
                                                   similarityPopularityExponent: 0.5)
                    for (u, p) in profiles.enumerated() where u % 5 == world % 5 {
                        let got = Recommender(config: config).recommend(for: p, at: now, similarity: sim,
                                                                        popularity: pop, segment: u % 2)
                        let want = reference(p, at: now, sim: sim, pop: pop, segment: u % 2, config: config)
                        XCTAssertEqual(got.map(\.itemID), want.map(\.0), "world \(world) customer \(u) k \(k) hop \(hopW),\(expand)")
                        for (g, w) in zip(got, want) { XCTAssertEqual(g.score, w.1, accuracy: 1e-9) }
                    }
                }
            }
        }
    }
}
