import XCTest
@testable import CRMModel

/// With the two-step scorer and the conditional reading on, the recommender's branch and bound and
/// top-K selection still equal a brute-force reference that scores every candidate by the
/// documented formula (``RecommenderReference``, written out independently) and sorts them all.
final class TwoHopPruningTests: XCTestCase {
    func testSelectionWithTwoStepScoresEqualsScoringEverything() {
        var rng = SeededRandom(seed: 11)
        for world in 0..<20 {
            // 40 customers over 40 items, sessions of 2–6 views: sparse, so two steps matter.
            let (sim, pop, profiles) = RecommenderReference.world(&rng, items: 40, extraViews: 5, hotShare: 0.2)
            for (hopW, expand, popW) in [(0.5, 20, 0.0), (2.0, 3, 0.05), (0.5, 1, 0.5)] {
                for k in [1, 3, 8] {
                    let config = RecommenderConfig(listSize: k, categoryWeight: 0, segmentPopularityWeight: popW,
                                                   globalPopularityWeight: popW, sessionWeight: 0,
                                                   twoHopWeight: hopW, twoHopExpand: expand, twoHopNeighbours: 4,
                                                   similarityPopularityExponent: 0.5)
                    for (u, p) in profiles.enumerated() where u % 5 == world % 5 {
                        let now = RecommenderReference.now
                        let got = Recommender(config: config).recommend(for: p, at: now, similarity: sim,
                                                                        popularity: pop, segment: u % 2)
                        let want = RecommenderReference.scores(p, at: now, sim: sim, pop: pop, segment: u % 2, config: config)
                        XCTAssertEqual(got.map(\.itemID), want.map(\.0), "world \(world) customer \(u) k \(k) hop \(hopW),\(expand)")
                        for (g, w) in zip(got, want) { XCTAssertEqual(g.score, w.1, accuracy: 1e-9) }
                    }
                }
            }
        }
    }
}
