import XCTest
@testable import CRMModel

/// Shared toy data: three customers, all at t0 (a whole number of half-lives after the epoch, so the
/// stored weight of one event is exactly 1).
enum Toy {
    static let h: Int64 = 7 * millisecondsPerDay
    static let t0: EventTime = 3000 * h
    static let customers: [(String, [String])] = [("A", ["i1", "i2", "i3"]), ("B", ["i1", "i2"]), ("C", ["i2", "i3"])]

    /// Feeds views through profiles and the cache the way the engine does (observe, then apply).
    @discardableResult
    static func feed(_ sim: ItemSimilarity, _ customers: [(String, [String])] = customers, ts: EventTime = t0,
                     popularity: PopularityIndex? = nil, segments: [String: Int] = [:]) -> [String: UserProfile] {
        var profiles: [String: UserProfile] = [:]
        for (user, items) in customers {
            var p = profiles[user] ?? UserProfile()
            for item in items {
                if sim.observe(recent: p.recent, item: item, ts: ts) {
                    popularity?.observe(item: item, segment: segments[user], ts: ts)
                }
                p.apply(click: ClickEvent(eventID: "\(user)-\(item)", type: .view, userID: user, itemID: item, ts: ts))
            }
            profiles[user] = p
        }
        return profiles
    }
}

final class ItemSimilarityTests: XCTestCase {
    let t0 = Toy.t0
    let h = Toy.h

    func testCoOccurrenceCountsOnThreeCustomers() {
        let sim = ItemSimilarity()
        Toy.feed(sim)
        // A: i1 → c1; i2 → c2, c12; i3 → c3, c13, c23.  B: i1 → c1; i2 → c2, c12.  C: i2 → c2; i3 → c3, c23.
        // c1 = 2, c2 = 3, c3 = 2; c12 = 2, c13 = 1, c23 = 2.
        XCTAssertEqual(sim.occurrence(of: "i1", at: t0), 2)
        XCTAssertEqual(sim.occurrence(of: "i2", at: t0), 3)
        XCTAssertEqual(sim.occurrence(of: "i3", at: t0), 2)
        XCTAssertEqual(sim.coOccurrence("i1", "i2", at: t0), 2)
        XCTAssertEqual(sim.coOccurrence("i2", "i1", at: t0), 2)
        XCTAssertEqual(sim.coOccurrence("i1", "i3", at: t0), 1)
        XCTAssertEqual(sim.coOccurrence("i2", "i3", at: t0), 2)
        XCTAssertEqual(sim.itemCount, 3)
        XCTAssertEqual(sim.pairCount, 3)
        // Counts halve after one half-life.
        XCTAssertEqual(sim.coOccurrence("i1", "i2", at: t0 + h), 1)
    }

    func testCosineJaccardLift() {
        let cos = ItemSimilarity()
        let jac = ItemSimilarity(config: ItemSimilarityConfig(measure: .jaccard))
        let lift = ItemSimilarity(config: ItemSimilarityConfig(measure: .lift))
        for s in [cos, jac, lift] { Toy.feed(s) }
        // cosine: s12 = 2/√(2·3) = 0.816496…, s13 = 1/√(2·2) = 0.5, s23 = 2/√(3·2) = 0.816496…
        XCTAssertEqual(cos.similarity("i1", "i2")!, 0.816496580927726, accuracy: 1e-12)
        XCTAssertEqual(cos.similarity("i1", "i3")!, 0.5, accuracy: 1e-12)
        // jaccard: j12 = 2/(2+3−2) = 2/3, j13 = 1/(2+2−1) = 1/3, j23 = 2/(3+2−2) = 2/3
        XCTAssertEqual(jac.similarity("i1", "i2")!, 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(jac.similarity("i1", "i3")!, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(jac.similarity("i3", "i2")!, 2.0 / 3, accuracy: 1e-12)
        // lift: l12 = 2/(2·3) = 1/3, l13 = 1/(2·2) = 1/4, l23 = 2/(3·2) = 1/3
        XCTAssertEqual(lift.similarity("i1", "i2")!, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(lift.similarity("i1", "i3")!, 0.25, accuracy: 1e-12)
        XCTAssertNil(cos.similarity("i1", "i9"))
        // Neighbour lists: i2 ties i1 and i3 at 0.8165 → by id.
        XCTAssertEqual(cos.neighbours(of: "i1").map(\.itemID), ["i2", "i3"])
        XCTAssertEqual(cos.neighbours(of: "i2").map(\.itemID), ["i1", "i3"])
        XCTAssertEqual(cos.neighbours(of: "i3").map(\.itemID), ["i2", "i1"])
        XCTAssertEqual(cos.neighbours(of: "i3", limit: 1).map(\.itemID), ["i2"])
        XCTAssertEqual(cos.neighbours(of: "i1")[0].similarity, 0.816496580927726, accuracy: 1e-12)
        XCTAssertEqual(jac.neighbours(of: "i1").map(\.similarity), [2.0 / 3, 1.0 / 3])
    }

    func testRepeatWithinWindowCountsNothingButOutsideWindowCounts() {
        let sim = ItemSimilarity()
        let recent = [RecentItem(itemID: "i1", ts: t0)]
        XCTAssertTrue(sim.observe(recent: [], item: "i1", ts: t0))
        XCTAssertFalse(sim.observe(recent: recent, item: "i1", ts: t0 + 3_600_000))
        XCTAssertEqual(sim.occurrence(of: "i1", at: t0), 1)
        // 25 hours later the earlier view is outside the 24 h window: counted again, no pair with it.
        let later = t0 + 25 * 3_600_000
        XCTAssertTrue(sim.observe(recent: recent, item: "i2", ts: later))
        XCTAssertEqual(sim.pairCount, 0)
    }

    func testTopKIsMaintainedIncrementally() {
        let sim = ItemSimilarity(config: ItemSimilarityConfig(topK: 1))
        Toy.feed(sim)
        XCTAssertEqual(sim.neighbours(of: "i2").map(\.itemID), ["i1"])  // tie 0.8165 → "i1"
        // D views i3 then i2: c3 = 3, c2 = 4, c23 = 3.
        Toy.feed(sim, [("D", ["i3", "i2"])])
        // s23 = 3/√(4·3) = 0.866025…; s12 = 2/√(2·4) = 0.707106…; s13 = 1/√(2·3) = 0.408248…
        let n2 = sim.neighbours(of: "i2")
        XCTAssertEqual(n2.map(\.itemID), ["i3"])
        XCTAssertEqual(n2[0].similarity, 0.8660254037844386, accuracy: 1e-12)
        XCTAssertEqual(sim.neighbours(of: "i3").map(\.itemID), ["i2"])
        let n1 = sim.neighbours(of: "i1")
        XCTAssertEqual(n1.map(\.itemID), ["i2"])
        XCTAssertEqual(n1[0].similarity, 0.7071067811865476, accuracy: 1e-12)
    }

    func testItemEvictionIsBounded() {
        let sim = ItemSimilarity(config: ItemSimilarityConfig(maxItems: 3))
        var p = UserProfile()
        for (i, item) in ["a", "b", "c", "d"].enumerated() {
            let ts = t0 + Int64(i) * 3_600_000
            sim.observe(recent: p.recent, item: item, ts: ts)
            p.apply(click: ClickEvent(eventID: item, type: .view, userID: "u", itemID: item, ts: ts))
        }
        // Pairs ab ac bc ad bd cd = 6; then "a" (least recently seen) goes with ab ac ad: 3 left.
        XCTAssertEqual(sim.itemCount, 3)
        XCTAssertEqual(sim.pairCount, 3)
        XCTAssertEqual(sim.occurrence(of: "a", at: t0), 0)
        XCTAssertEqual(sim.neighbours(of: "b").map(\.itemID).sorted(), ["c", "d"])
    }

    func testPairsPerItemAreBounded() {
        let sim = ItemSimilarity(config: ItemSimilarityConfig(maxPairsPerItem: 2))
        Toy.feed(sim, [("U", ["a", "b", "c"]), ("V", ["d", "a"])])
        // U: ab, ac, bc. V: a pairs with d, but a holds 2 pairs (ab = ac = 1): the tie drops the
        // larger id, ac. Left: ab, bc, ad.
        XCTAssertEqual(sim.pairCount, 3)
        XCTAssertEqual(sim.coOccurrence("a", "c", at: t0), 0)
        XCTAssertEqual(sim.coOccurrence("a", "d", at: t0), 1)
        XCTAssertEqual(sim.neighbours(of: "c").map(\.itemID), ["b"])
        XCTAssertEqual(sim.neighbours(of: "a").map(\.itemID).sorted(), ["b", "d"])
    }

    func testPruningRemovesTinyCounts() {
        let sim = ItemSimilarity(config: ItemSimilarityConfig(minPairCount: 0.3, minItemCount: 0.3))
        Toy.feed(sim, [("U", ["a", "b"])])
        sim.prune(at: t0 + h)      // counts 0.5 ≥ 0.3: kept
        XCTAssertEqual(sim.pairCount, 1)
        sim.prune(at: t0 + 2 * h)  // counts 0.25 < 0.3: gone
        XCTAssertEqual(sim.pairCount, 0)
        XCTAssertEqual(sim.itemCount, 0)
        // Automatic pruning once a day (pruneInterval) of event time passes.
        let auto = ItemSimilarity(config: ItemSimilarityConfig(minPairCount: 0.3, minItemCount: 0.3))
        Toy.feed(auto, [("V", ["x", "y"])])
        auto.observe(recent: [], item: "z", ts: t0 + h)
        XCTAssertEqual(auto.itemCount, 3)  // x, y at 0.5 ≥ 0.3: kept
        auto.observe(recent: [], item: "w", ts: t0 + 2 * h)
        XCTAssertEqual(auto.itemCount, 2)  // x, y at 0.25 pruned; z (0.5) and w (1) kept
        XCTAssertEqual(auto.pairCount, 0)
    }

    func testForgetRemovesACustomersContribution() {
        let sim = ItemSimilarity()
        let profiles = Toy.feed(sim)
        sim.forget(recent: profiles["B"]!.recent)
        // Without B: c1 = 1, c2 = 2, c3 = 2, c12 = 1, c13 = 1, c23 = 2 — as if only A and C were seen.
        let reference = ItemSimilarity()
        Toy.feed(reference, [Toy.customers[0], Toy.customers[2]])
        for a in ["i1", "i2", "i3"] {
            XCTAssertEqual(sim.occurrence(of: a, at: t0), reference.occurrence(of: a, at: t0))
            XCTAssertEqual(sim.neighbours(of: a), reference.neighbours(of: a))
        }
        XCTAssertEqual(sim.occurrence(of: "i1", at: t0), 1)
        XCTAssertEqual(sim.similarity("i1", "i2")!, 0.7071067811865476, accuracy: 1e-12)  // 1/√(1·2)
        // Forgetting everyone empties the cache.
        sim.forget(recent: profiles["A"]!.recent)
        sim.forget(recent: profiles["C"]!.recent)
        XCTAssertEqual(sim.itemCount, 0)
        XCTAssertEqual(sim.pairCount, 0)
    }

    func testBasketObservation() {
        let sim = ItemSimilarity()
        let counted = sim.observe(recent: [RecentItem(itemID: "v", ts: t0)], items: ["b", "a", "b"], ts: t0)
        // v is not tracked (never observed), so only a–b pairs; a then b (sorted, distinct).
        XCTAssertEqual(counted, ["a", "b"])
        XCTAssertEqual(sim.coOccurrence("a", "b", at: t0), 1)
        XCTAssertEqual(sim.pairCount, 1)
    }
}
