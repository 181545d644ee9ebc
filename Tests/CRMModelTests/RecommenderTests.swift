import XCTest
@testable import CRMModel

final class RecommenderTests: XCTestCase {
    let t0 = Toy.t0

    /// The toy of ItemSimilarityTests with popularity: A and B in segment 0, C and E in segment 1;
    /// E views only i4. Counts: global i1 2, i2 3, i3 2, i4 1; segment 0: i1 2, i2 2, i3 1;
    /// segment 1: i2 1, i3 1, i4 1. Cosine: s12 = 0.816497, s13 = 0.5, s23 = 0.816497.
    func world() -> (ItemSimilarity, PopularityIndex) {
        let sim = ItemSimilarity()
        let pop = PopularityIndex()
        Toy.feed(sim, Toy.customers + [("E", ["i4"])], popularity: pop, segments: ["A": 0, "B": 0, "C": 1, "E": 1])
        return (sim, pop)
    }

    func viewer(_ item: String, category: String? = nil) -> UserProfile {
        var p = UserProfile()
        p.apply(click: ClickEvent(eventID: "u", type: .view, userID: "u", itemID: item, category: category, ts: t0))
        return p
    }

    func testRankingAndReasons() {
        let (sim, pop) = world()
        let list = Recommender().recommend(for: viewer("i1"), at: t0, similarity: sim, popularity: pop, segment: 0)
        // i1 is the only source (a = 1) and is excluded as seen.
        // i2: 1·0.816497 + 0.1·2/2 + 0.05·3/3 = 0.966497 (viewed together with i1)
        // i3: 1·0.5 + 0.1·1/2 + 0.05·2/3 = 0.583333 (viewed together with i1)
        // i4: 0 + 0 + 0.05·1/3 = 0.016667 (popular now)
        XCTAssertEqual(list.map(\.itemID), ["i2", "i3", "i4"])
        XCTAssertEqual(list[0].score, 0.816496580927726 + 0.15, accuracy: 1e-12)
        XCTAssertEqual(list[1].score, 0.5 + 0.05 + 0.05 * 2 / 3, accuracy: 1e-12)
        XCTAssertEqual(list[2].score, 0.05 / 3, accuracy: 1e-12)
        XCTAssertEqual(list.map(\.reason), ["viewed together with i1", "viewed together with i1", "popular now"])
    }

    func testCatalogCategoryBoostAndAvailability() {
        let (sim, pop) = world()
        let catalog: [String: CatalogItem] = [
            "i2": CatalogItem(itemID: "i2", available: false),
            "i3": CatalogItem(itemID: "i3", category: "shoes"),
            "i4": CatalogItem(itemID: "i4", category: "shoes"),
        ]
        let list = Recommender().recommend(for: viewer("i1", category: "shoes"), at: t0, similarity: sim,
                                           popularity: pop, segment: 0, catalog: catalog)
        // i2 unavailable. shoes is the strongest (only) category: boost 0.25.
        // i3: 0.5 + 0.25 + 0.05 + 0.033333 = 0.833333 (CF term 0.5 is the largest)
        // i4: 0.25 + 0.016667 = 0.266667 (matches your interest in shoes)
        XCTAssertEqual(list.map(\.itemID), ["i3", "i4"])
        XCTAssertEqual(list[0].score, 0.5 + 0.25 + 0.05 + 0.05 * 2 / 3, accuracy: 1e-12)
        XCTAssertEqual(list[1].score, 0.25 + 0.05 / 3, accuracy: 1e-12)
        XCTAssertEqual(list.map(\.reason), ["viewed together with i1", "matches your interest in shoes"])
    }

    func testBoughtSourceAndExclusion() {
        let (sim, pop) = world()
        var p = UserProfile()
        p.apply(order: OrderEvent(eventID: "o", type: .order, orderID: "o", userID: "u", ts: t0,
                                  items: [OrderLine(itemID: "i2", quantity: 1, price: 10)]))
        var config = RecommenderConfig(excludeSeen: false)
        let list = Recommender(config: config).recommend(for: p, at: t0, similarity: sim, popularity: pop, segment: nil)
        // i2 is bought → excluded even with excludeSeen off. i1: 0.816497 + 0.05·2/3, i3: 0.816497 + 0.05·2/3
        // (tie → id), i4: 0.05/3.
        XCTAssertEqual(list.map(\.itemID), ["i1", "i3", "i4"])
        XCTAssertEqual(list[0].reason, "bought together with i2")
        XCTAssertEqual(list[1].reason, "bought together with i2")
        config.excludeBought = false
        let all = Recommender(config: config).recommend(for: p, at: t0, similarity: sim, popularity: pop, segment: nil)
        // i2 itself now qualifies: retargeting (its own newest item, recentItemWeight 1) + popularity
        // 0.05·3/3 = 1.05, ahead of i1 and i3 (0.85); with retargeting off, popularity only (0.05).
        XCTAssertEqual(all.map(\.itemID), ["i2", "i1", "i3", "i4"])
        XCTAssertEqual(all[0].score, 1.05, accuracy: 1e-12)
        XCTAssertEqual(all[0].reason, "you bought it recently")
        config.recentItemWeight = 0
        let plain = Recommender(config: config).recommend(for: p, at: t0, similarity: sim, popularity: pop, segment: nil)
        XCTAssertEqual(plain.map(\.itemID), ["i1", "i3", "i2", "i4"])
    }

    func testColdStartFillsWithSegmentThenGlobalPopular() {
        let (sim, pop) = world()
        let list = Recommender(config: RecommenderConfig(listSize: 3)).recommend(
            for: UserProfile(), at: t0, similarity: sim, popularity: pop, segment: 1)
        // Segment 1 max 1: i2 0.1 + 0.05·3/3 = 0.15; i3 0.1 + 0.05·2/3 = 0.133333; i4 0.1 + 0.05/3 = 0.116667;
        // i1 only 0.05·2/3 = 0.033333 (cut by listSize 3).
        XCTAssertEqual(list.map(\.itemID), ["i2", "i3", "i4"])
        XCTAssertEqual(list.map(\.score)[0], 0.15, accuracy: 1e-12)
        XCTAssertEqual(Set(list.map(\.reason)), ["popular in your segment"])
        let global = Recommender().recommend(for: UserProfile(), at: t0, similarity: sim, popularity: pop, segment: nil)
        XCTAssertEqual(global.map(\.itemID), ["i2", "i1", "i3", "i4"])  // 3, 2, 2 (tie → id), 1
        XCTAssertEqual(Set(global.map(\.reason)), ["popular now"])
        // Nothing known at all: empty list.
        XCTAssertEqual(Recommender().recommend(for: UserProfile(), at: t0, similarity: ItemSimilarity(),
                                               popularity: PopularityIndex(), segment: nil), [])
    }

    func testShouldEmitNeedsAChangeAndTheInterval() {
        let a = [RecommendedItem(itemID: "i1", score: 1, reason: "r")]
        let a2 = [RecommendedItem(itemID: "i1", score: 0.5, reason: "other")]
        let b = [RecommendedItem(itemID: "i2", score: 1, reason: "r")]
        XCTAssertTrue(Recommender.shouldEmit(a, last: nil, lastEmitAt: nil, now: 0))
        XCTAssertFalse(Recommender.shouldEmit([], last: nil, lastEmitAt: nil, now: 0))
        XCTAssertFalse(Recommender.shouldEmit(a2, last: a, lastEmitAt: 0, now: 120_000))  // same items
        XCTAssertFalse(Recommender.shouldEmit(b, last: a, lastEmitAt: 0, now: 59_999))    // too soon
        XCTAssertTrue(Recommender.shouldEmit(b, last: a, lastEmitAt: 0, now: 60_000))
        XCTAssertFalse(Recommender(config: RecommenderConfig(minEmitInterval: 120_000))
            .shouldEmit(b, last: a, lastEmitAt: 0, now: 60_000))
    }
}
