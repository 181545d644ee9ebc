import XCTest
@testable import CRMModel

/// The recommender scores only candidates that can still make the list (branch and bound on the
/// similarity terms) and keeps the best `listSize` by selection: checked against a brute-force
/// reference that scores every candidate by the documented formula and sorts them all
/// (``RecommenderReference``).
final class RecommenderPruningTests: XCTestCase {
    func testSelectionWithPruningEqualsScoringEverything() {
        var rng = SeededRandom(seed: 7)
        for world in 0..<20 {
            // 40 customers over 30 items, sessions of 2–8 views, a few strongly popular items.
            let (sim, pop, profiles) = RecommenderReference.world(&rng, items: 30, extraViews: 7, hotShare: 0.3)
            // Strong popularity weights make low-similarity candidates win: the bound must keep them.
            for (segW, globW) in [(0.1, 0.05), (0.8, 0.6), (2.0, 0.0)] {
                for k in [1, 3, 5] {
                    let config = RecommenderConfig(listSize: k, categoryWeight: 0, segmentPopularityWeight: segW,
                                                   globalPopularityWeight: globW, sessionWeight: 0)
                    for (u, p) in profiles.enumerated() where u % 5 == world % 5 {
                        let now = RecommenderReference.now
                        let got = Recommender(config: config).recommend(for: p, at: now, similarity: sim,
                                                                        popularity: pop, segment: u % 2)
                        let want = RecommenderReference.scores(p, at: now, sim: sim, pop: pop, segment: u % 2, config: config)
                        XCTAssertEqual(got.map(\.itemID), want.map(\.0), "world \(world) customer \(u) k \(k) weights \(segW),\(globW)")
                        for (g, w) in zip(got, want) { XCTAssertEqual(g.score, w.1, accuracy: 1e-12) }
                    }
                }
            }
        }
    }
}
