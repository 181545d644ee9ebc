import XCTest
@testable import CRMModel

final class PopularityIndexTests: XCTestCase {
    let h = Toy.h
    let t0 = Toy.t0

    func testDecayedGlobalAndSegmentTopLists() {
        let pop = PopularityIndex()
        for _ in 0..<3 { pop.observe(item: "a", segment: 0, ts: t0) }
        pop.observe(item: "b", segment: 0, ts: t0)
        pop.observe(item: "c", segment: 1, ts: t0)
        pop.observe(item: "b", segment: nil, ts: t0 + h, weight: 2)
        // At t0 + h: a = 3/2 = 1.5; b = 1/2 + 2 = 2.5; c = 0.5.
        XCTAssertEqual(pop.popular(), [PopularItem(itemID: "b", score: 2.5), PopularItem(itemID: "a", score: 1.5),
                                       PopularItem(itemID: "c", score: 0.5)])
        // Segment 0 never saw b's second event: a 1.5, b 0.5.
        XCTAssertEqual(pop.popular(segment: 0), [PopularItem(itemID: "a", score: 1.5), PopularItem(itemID: "b", score: 0.5)])
        XCTAssertEqual(pop.popular(limit: 1, segment: 1), [PopularItem(itemID: "c", score: 0.5)])
        XCTAssertEqual(pop.popular(segment: 7), [])
        XCTAssertEqual(pop.score(of: "b"), 2.5)
        XCTAssertEqual(pop.score(of: "b", segment: 0), 0.5)
        pop.observe(item: "z", segment: nil, ts: t0, weight: 0)  // ignored
        XCTAssertEqual(pop.itemCount(), 3)
        pop.removeSegment(0)
        XCTAssertEqual(pop.itemCount(segment: 0), 0)
    }

    func testTopListAndCountsAreBounded() {
        let pop = PopularityIndex(config: PopularityConfig(topN: 2, maxGlobalItems: 3))
        // Weights a 4, b 3, c 2, d 1 (all at t0): d makes 4 items > 3 → smallest (d) dropped.
        for (item, w) in [("a", 4.0), ("b", 3), ("c", 2), ("d", 1)] {
            pop.observe(item: item, segment: nil, ts: t0, weight: w)
        }
        XCTAssertEqual(pop.itemCount(), 3)
        XCTAssertEqual(pop.score(of: "d"), 0)
        XCTAssertEqual(pop.popular().map(\.itemID), ["a", "b"])
        // c overtakes a: 2 + 3 = 5 > 4.
        pop.observe(item: "c", segment: nil, ts: t0, weight: 3)
        XCTAssertEqual(pop.popular().map(\.itemID), ["c", "a"])
    }
}

/// The kept top lists equal a full ranking of the counts after every observation (the top-list
/// scan is skipped for items counted below a full list's last entry).
final class PopularityTopListReferenceTests: XCTestCase {
    func testTopListsEqualFullRanking() {
        let config = PopularityConfig(halfLife: 3_600_000, topN: 8, maxGlobalItems: 60, maxItemsPerSegment: 40)
        let pop = PopularityIndex(config: config)
        var rng = SeededRandom(seed: 9)
        var ts: EventTime = 1_700_000_000_000
        for step in 0..<6_000 {
            ts += Int64.random(in: 0..<120_000, using: &rng)
            let item = "i\(Int.random(in: 0..<90, using: &rng))"
            let segment = step % 3 == 0 ? nil : Int.random(in: 0..<2, using: &rng)
            pop.observe(item: item, segment: segment, ts: ts, weight: [1, 1, 2, 3][step % 4])
            for s in [nil, 0, 1] as [Int?] {
                let counts = pop.snapshot()
                let counter = s.map { counts.segments[$0] ?? PopularityIndex.Counter() } ?? counts.global
                let reference = counter.counts.map { PopularItem(itemID: $0.key.string, score: $0.value) }
                    .sorted { $0.score != $1.score ? $0.score > $1.score : $0.itemID < $1.itemID }.prefix(config.topN)
                XCTAssertEqual(counter.top, Array(reference), "step \(step) segment \(String(describing: s))")
            }
        }
    }
}
