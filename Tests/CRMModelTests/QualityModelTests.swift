import XCTest
@testable import CRMModel

final class QualityModelTests: XCTestCase {
    let t0: EventTime = 1_700_000_000_000

    /// Views a then b; no similarity, no popularity. Keep-seen: b (newest) scores 1, a 0.5
    /// (recencyDecay 0.5). Remove-seen: nothing left.
    func testRetargetingScoresRecentItemsByPosition() {
        var p = UserProfile()
        p.apply(click: ClickEvent(eventID: "1", type: .view, userID: "u", itemID: "a", ts: t0))
        p.apply(click: ClickEvent(eventID: "2", type: .view, userID: "u", itemID: "b", ts: t0 + 1000))
        var config = RecommenderConfig(excludeSeen: false, recencyDecay: 0.5, recentItemWeight: 1)
        let list = Recommender(config: config).recommend(for: p, at: t0 + 2000, similarity: ItemSimilarity(),
                                                          popularity: PopularityIndex(), segment: nil)
        XCTAssertEqual(list.map(\.itemID), ["b", "a"])
        XCTAssertEqual(list[0].score, 1, accuracy: 1e-12)
        XCTAssertEqual(list[1].score, 0.5, accuracy: 1e-12)
        XCTAssertEqual(list[0].reason, "you looked at it recently")
        config.excludeSeen = true
        XCTAssertTrue(Recommender(config: config).recommend(for: p, at: t0 + 2000, similarity: ItemSimilarity(),
                                                            popularity: PopularityIndex(), segment: nil).isEmpty)
    }

    /// Position weighting of sources: history a (older), b (newest); a's neighbour x and b's
    /// neighbour y have cosine 1 each. Equal affinities; with recencyDecay 0.5, y scores 1 and x 0.5.
    func testSourcesAreWeightedByRecency() {
        let sim = ItemSimilarity()
        sim.observe(recent: [], item: "a", ts: t0)
        sim.observe(recent: [RecentItem(itemID: "a", ts: t0)], item: "x", ts: t0)
        sim.observe(recent: [], item: "b", ts: t0 + 100_000_000)
        sim.observe(recent: [RecentItem(itemID: "b", ts: t0 + 100_000_000)], item: "y", ts: t0 + 100_000_000)
        var p = UserProfile()
        p.apply(click: ClickEvent(eventID: "1", type: .view, userID: "u", itemID: "a", ts: t0 + 200_000_000))
        p.apply(click: ClickEvent(eventID: "2", type: .view, userID: "u", itemID: "b", ts: t0 + 200_000_000))
        let config = RecommenderConfig(excludeSeen: true, recencyDecay: 0.5)
        let list = Recommender(config: config).recommend(for: p, at: t0 + 200_000_000, similarity: sim,
                                                          popularity: PopularityIndex(), segment: nil)
        XCTAssertEqual(list.map(\.itemID), ["y", "x"])
        XCTAssertEqual(list[0].score, 1, accuracy: 1e-9)
        XCTAssertEqual(list[1].score, 0.5, accuracy: 1e-9)
    }

    /// sequenceDecay 0.5: history a, b; c pairs with b (newest, weight 1) and a (weight 0.5).
    /// Counts 1 each: cosine(c, a) = 0.5/√(1·1) = 0.5, cosine(c, b) = 1.
    func testSequenceDecayWeightsPairsByDistance() {
        let sim = ItemSimilarity(config: ItemSimilarityConfig(sequenceDecay: 0.5))
        let a = RecentItem(itemID: "a", ts: t0), b = RecentItem(itemID: "b", ts: t0)
        sim.observe(recent: [], item: "a", ts: t0)
        sim.observe(recent: [a], item: "b", ts: t0)
        sim.observe(recent: [a, b], item: "c", ts: t0)
        XCTAssertEqual(sim.coOccurrence("c", "a", at: t0), 0.5, accuracy: 1e-12)
        XCTAssertEqual(sim.coOccurrence("c", "b", at: t0), 1, accuracy: 1e-12)
        XCTAssertEqual(sim.similarity("c", "a")!, 0.5, accuracy: 1e-12)
        XCTAssertEqual(sim.similarity("c", "b")!, 1, accuracy: 1e-12)
        // forget subtracts exactly what was added.
        sim.forget(recent: [a, b, RecentItem(itemID: "c", ts: t0)])
        XCTAssertEqual(sim.coOccurrence("c", "a", at: t0), 0, accuracy: 1e-12)
    }

    /// 1-D, k = 3, decay 1: buffer 0, 1, 10 → centroids 0, 1, 10 (weights 1, spread 0). Then 10, 20, 30
    /// join centroid 10: mean of 10, 10, 20, 30 = 17.5, spread 56.25+56.25+6.25+156.25 = 275.
    /// Split-and-merge: worst = 2 (SSE 275); cheapest merge 0+1, Δ = 1·1/2·1² = 0.5 < 0.36·275 = 99:
    /// merged at 0.5, weight 2, spread 0.25 + 0.25 = 0.5. Split 2: sd = √(275/4) = 8.291562;
    /// ±0.8·sd → 24.133250 (id 2) and 10.866750 (id 1), weights 2 and 2, spread 275·0.36/2 = 49.5 each.
    func testSplitAndMergeByHand() {
        var km = OnlineKMeans(configuration: .init(k: 3, dimension: 1, decay: 1, initialBufferSize: 3,
                                                   splitMergeEvery: 0))
        for x in [0.0, 1, 10, 10, 20, 30] { km.update([x]) }
        XCTAssertEqual(km.centroids.map { $0[0] }, [0, 1, 17.5])
        XCTAssertEqual(km.spread[2][0], 275, accuracy: 1e-9)
        km.splitAndMerge()
        XCTAssertEqual(km.centroids[0][0], 0.5, accuracy: 1e-12)
        XCTAssertEqual(km.centroids[1][0], 10.866750, accuracy: 1e-6)
        XCTAssertEqual(km.centroids[2][0], 24.133250, accuracy: 1e-6)
        XCTAssertEqual(km.weights, [2, 2, 2])
        XCTAssertEqual(km.spread[0][0], 0.5, accuracy: 1e-12)
        XCTAssertEqual(km.spread[1][0], 49.5, accuracy: 1e-9)
        XCTAssertEqual(km.spread[2][0], 49.5, accuracy: 1e-9)
        XCTAssertEqual(km.generations, [0, 1, 0])
        XCTAssertEqual(km.splitMerges, 1)
        // When the split gains less than the cheapest merge costs, nothing happens.
        var calm = OnlineKMeans(configuration: .init(k: 3, dimension: 1, decay: 1, initialBufferSize: 3,
                                                     splitMergeEvery: 0, splitGain: 0.001))
        for x in [0.0, 1, 10, 10, 20, 30] { calm.update([x]) }
        calm.splitAndMerge()
        XCTAssertEqual(calm.splitMerges, 0)
    }
}
