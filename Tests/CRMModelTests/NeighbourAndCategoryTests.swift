import XCTest
@testable import CRMModel

final class NeighbourAndCategoryTests: XCTestCase {
    let t0: EventTime = 1_700_000_000_000

    /// c1: x 1, y 3; c2: z 1. One day later (half-life 1 day) c1's counts read as y 1.5, x 0.5.
    func testCategoryIndexCountsAndDecay() {
        let index = CategoryIndex()
        index.observe(item: "x", category: "c1", ts: t0)
        index.observe(item: "y", category: "c1", ts: t0, weight: 3)
        index.observe(item: "z", category: "c2", ts: t0)
        XCTAssertEqual(index.popular(in: "c1").map(\.itemID), ["y", "x"])
        XCTAssertEqual(index.score(of: "y", in: "c1"), 3, accuracy: 1e-12)
        XCTAssertEqual(index.category(of: "z"), "c2")
        index.observe(item: "w", category: "c2", ts: t0 + millisecondsPerDay)
        let scores = index.popular(in: "c1").map(\.score)
        XCTAssertEqual(scores[0], 1.5, accuracy: 1e-12)
        XCTAssertEqual(scores[1], 0.5, accuracy: 1e-12)
        XCTAssertEqual(index.categoryCount, 2)
        // A copy is independent.
        let copy = index.copy()
        index.observe(item: "x", category: "c1", ts: t0 + millisecondsPerDay, weight: 10)
        XCTAssertEqual(copy.score(of: "x", in: "c1"), 0.5, accuracy: 1e-12)
    }

    /// The customer viewed a (category c1). c1's counts: y 3, a 1, x 1. Candidates: c1's popular items;
    /// a is seen and excluded. y: 0.25 · 1 · (0.5 + 0.5 · 3/3) = 0.25; x: 0.25 · (0.5 + 0.5 · 1/3) = 0.1666667.
    func testRecommenderTakesCandidatesFromTheCustomersCategories() {
        let index = CategoryIndex()
        index.observe(item: "y", category: "c1", ts: t0, weight: 3)
        index.observe(item: "a", category: "c1", ts: t0)
        index.observe(item: "x", category: "c1", ts: t0)
        var p = UserProfile()
        p.apply(click: ClickEvent(eventID: "1", type: .view, userID: "u", itemID: "a", category: "c1", ts: t0))
        let list = Recommender(config: RecommenderConfig(excludeSeen: true, categoryWeight: 0.25))
            .recommend(for: p, at: t0, similarity: ItemSimilarity(), popularity: PopularityIndex(), segment: nil,
                       catalog: NoCatalog(), categories: index)
        XCTAssertEqual(list.map(\.itemID), ["y", "x"])
        XCTAssertEqual(list[0].score, 0.25, accuracy: 1e-12)
        XCTAssertEqual(list[1].score, 0.25 * (0.5 + 0.5 / 3), accuracy: 1e-12)
        XCTAssertEqual(list[0].reason, "matches your interest in c1")
    }

    /// s1: a, b, c; s2: a, d; me: a, b (b newest). decay 0.5 → weights b 1, a 0.5, |H| = 2.
    /// s1: overlap 1.5, sim 1.5/√(2·3) = 0.6123724; s2: overlap 0.5, sim 0.5/√(2·2) = 0.25.
    /// Scores: a 0.8623724, b 0.6123724, c 0.6123724, d 0.25. With one neighbour: s1 only.
    func testSessionNeighboursByHand() {
        let histories: [String: [String]] = ["s1": ["a", "b", "c"], "s2": ["a", "d"], "me": ["a", "b"]]
        let recent = histories.mapValues { $0.map { RecentItem(itemID: $0, ts: t0) } }
        for k in 1...2 {
            let index = SessionNeighbours(config: SessionNeighboursConfig(neighbours: k))
            for (c, items) in histories.sorted(by: { $0.key < $1.key }) {
                for i in items { index.observe(customer: c, item: i) }
            }
            let s = index.scores(customer: "me", recent: recent["me"]!, decay: 0.5, history: { recent[$0] })
            let s1 = 1.5 / 6.0.squareRoot()
            if k == 2 {
                XCTAssertEqual(s["a"]!, s1 + 0.25, accuracy: 1e-12)
                XCTAssertEqual(s["d"]!, 0.25, accuracy: 1e-12)
            } else {
                XCTAssertEqual(s["a"]!, s1, accuracy: 1e-12)
                XCTAssertNil(s["d"])
            }
            XCTAssertEqual(s["b"]!, s1, accuracy: 1e-12)
            XCTAssertEqual(s["c"]!, s1, accuracy: 1e-12)
        }
    }

    /// An item keeps only its latest customers; a repeat moves the customer to the end.
    func testSessionNeighboursBounds() {
        let index = SessionNeighbours(config: SessionNeighboursConfig(customersPerItem: 2))
        for c in ["u1", "u2", "u1", "u3"] { index.observe(customer: c, item: "a") }
        // a's customers: u1, u3 (u2 dropped). "me" touching a finds u1 and u3.
        let hist: [String: [RecentItem]] = ["u1": [RecentItem(itemID: "x", ts: 0), RecentItem(itemID: "a", ts: 0)],
                                            "u2": [RecentItem(itemID: "a", ts: 0), RecentItem(itemID: "y", ts: 0)],
                                            "u3": [RecentItem(itemID: "a", ts: 0)]]
        let s = index.scores(customer: "me", recent: [RecentItem(itemID: "a", ts: 0)], decay: 1, history: { hist[$0] })
        XCTAssertNil(s["y"])
        XCTAssertEqual(s["x"]!, 1 / 2.0.squareRoot(), accuracy: 1e-12)
    }
}
