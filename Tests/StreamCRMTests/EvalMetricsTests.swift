import CRMModel
import XCTest
@testable import StreamCRM

final class EvalMetricsTests: XCTestCase {
    /// Four targets, cutoff 20, worked out by hand:
    /// 1. target a, list [a, b]: rank 1 → HR@10, HR@20, RR 1, DCG 1/log2(2) = 1.
    /// 2. target c, list [b, x, c]: rank 3 → HR@10, HR@20, RR 1/3, DCG 1/log2(4) = 0.5.
    /// 3. target z, list [b]: miss (cold customer).
    /// 4. target t, list [i1 … i11, t]: rank 12 → HR@20 only, RR 1/12, DCG 1/log2(13) = 0.270238.
    /// HR@10 = 2/4 = 0.5; HR@20 = 3/4; MRR@20 = (1 + 1/3 + 1/12)/4 = 17/48 = 0.3541667;
    /// NDCG@20 = (1 + 0.5 + 0.270238)/4 = 0.4425595. Distinct items: a, b, x, c, i1…i11, t = 16;
    /// catalogue 32 → coverage 0.5. Cold share 1/4.
    func testMetricsOnATinyDataSetWorkedOutByHand() {
        var m = RankingMetrics(cutoff: 20)
        m.record(list: ["a", "b"], target: "a", cold: false)
        m.record(list: ["b", "x", "c"], target: "c", cold: false)
        m.record(list: ["b"], target: "z", cold: true)
        m.record(list: (1...11).map { "i\($0)" } + ["t"], target: "t", cold: false)
        XCTAssertEqual(m.targets, 4)
        XCTAssertEqual(m.hr10, 0.5, accuracy: 1e-12)
        XCTAssertEqual(m.hr20, 0.75, accuracy: 1e-12)
        XCTAssertEqual(m.mrr20, 17.0 / 48.0, accuracy: 1e-12)
        XCTAssertEqual(m.ndcg20, 0.4425595, accuracy: 1e-6)
        XCTAssertEqual(m.coverage(catalogSize: 32), 0.5, accuracy: 1e-12)
        XCTAssertEqual(m.coldShare, 0.25, accuracy: 1e-12)
    }

    /// Only the first `cutoff` items count: with cutoff 2, a target at rank 3 is a miss.
    func testCutoffLimitsTheList() {
        var m = RankingMetrics(cutoff: 2)
        m.record(list: ["a", "b", "c"], target: "c", cold: false)
        XCTAssertEqual(m.hr20, 0)
        XCTAssertEqual(m.recommended, ["a", "b"])
    }

    /// Counts a 2, b 1, c 3, d 1 → ranking c, a, b, d (b before d on the tie, by id).
    func testPopularityFillRanksAndFills() {
        var f = PopularityFill()
        for item in ["a", "a", "b", "c", "c", "c", "d"] { f.add(item) }
        XCTAssertEqual(f.ranked(limit: 10), ["c", "a", "b", "d"])
        // The list's own duplicates and excluded items go; then popular items not yet in it.
        XCTAssertEqual(f.fill(["b", "b", "c"], length: 3, excluding: ["c"]), ["b", "a", "d"])
        XCTAssertEqual(f.fill(["x"], length: 2, excluding: []), ["x", "c"])
        // Not enough items: the list stays short.
        XCTAssertEqual(f.fill([], length: 6, excluding: ["a"]), ["c", "b", "d"])
    }

    /// A kept ranking of 2 entries still fills past it (by sorting all counts).
    func testPopularityFillBeyondTheKeptRanking() {
        var f = PopularityFill(keep: 2)
        for item in ["a", "a", "a", "b", "b", "c"] { f.add(item) }
        XCTAssertEqual(f.fill([], length: 3, excluding: []), ["a", "b", "c"])
    }

    func testTouches() {
        let view = ShopEvent.click(ClickEvent(eventID: "1", type: .view, userID: "u", itemID: "i", ts: 1))
        let search = ShopEvent.click(ClickEvent(eventID: "2", type: .search, userID: "u", query: "q", ts: 1))
        let removal = ShopEvent.click(ClickEvent(eventID: "3", type: .removeFromCart, userID: "u", itemID: "i", ts: 1))
        let order = ShopEvent.order(OrderEvent(eventID: "4", type: .order, orderID: "o", userID: "u", ts: 1,
                                               items: [OrderLine(itemID: "x", quantity: 1, price: 1),
                                                       OrderLine(itemID: "y", quantity: 1, price: 1),
                                                       OrderLine(itemID: "x", quantity: 2, price: 1)]))
        XCTAssertEqual(QualityEvaluator.touches(view), ["i"])
        XCTAssertEqual(QualityEvaluator.touches(search), [])
        XCTAssertEqual(QualityEvaluator.touches(removal), [])
        XCTAssertEqual(QualityEvaluator.touches(order), ["x", "y"])
    }

    /// Five views; split at ⌊0.8·5⌋ = 4, so only the last event (u2 views b) is a target. Before it,
    /// u1 and u2 each viewed a then b: counts a 2, b 2, pair 2 → cosine(a, b) = 1. u2's position
    /// weights (recencyDecay 0.7): b 1, a 0.7. Keep-seen scores: b = retarget 1 + a's share 0.7·1 = 1.7;
    /// a = retarget 0.7 + b's share 1·1 = 1.7 (popularity terms are equal: both have count 2).
    /// Tie → by id: a, b. The target b is at rank 2: MRR 0.5, in both variants (the frozen copy
    /// holds the same 4 events). Remove-seen: a and b are removed, nothing else exists: a miss.
    func testEvaluatorOnATinyStream() {
        func v(_ id: Int, _ u: String, _ i: String) -> ShopEvent {
            .click(ClickEvent(eventID: "\(id)", type: .view, userID: u, itemID: i, ts: 1_000_000 + Int64(id) * 1000))
        }
        let events = [v(1, "u1", "a"), v(2, "u1", "b"), v(3, "u2", "a"), v(4, "u2", "b"), v(5, "u2", "b")]
        let (report, _) = QualityEvaluator(events: events, engineConfig: EngineConfig()).run()
        XCTAssertEqual(report.trainEvents, 4)
        XCTAssertEqual(report.targets, 1)
        XCTAssertEqual(report.metrics[.prequential]![.keepSeen]!.mrr20, 0.5)
        XCTAssertEqual(report.metrics[.frozen]![.keepSeen]!.mrr20, 0.5)
        XCTAssertEqual(report.metrics[.prequential]![.removeSeen]!.hr20, 0)
        XCTAssertEqual(report.catalogSize, 2)
        XCTAssertEqual(report.customerOrder, ["u1", "u2"])
    }
}
