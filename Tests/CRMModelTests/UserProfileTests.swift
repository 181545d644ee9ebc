import XCTest
@testable import CRMModel

final class UserProfileTests: XCTestCase {
    let h: Int64 = 7 * millisecondsPerDay
    let t0: EventTime = 1_764_755_200_123
    let day = millisecondsPerDay

    func click(_ type: ClickType, _ item: String?, _ ts: EventTime, category: String? = nil) -> ClickEvent {
        ClickEvent(eventID: "c-\(ts)-\(item ?? "-")", type: type, userID: "u1", itemID: item, category: category, ts: ts)
    }

    func order(_ type: OrderType, _ id: String, _ ts: EventTime, lines: [OrderLine] = [], total: Double? = nil) -> OrderEvent {
        OrderEvent(eventID: "e-\(type)-\(id)-\(ts)", type: type, orderID: id, userID: "u1", ts: ts, items: lines, total: total)
    }

    func testAffinityDecaysByHalfLife() {
        var p = UserProfile()
        p.apply(click: click(.view, "i1", t0, category: "shoes"))
        p.apply(click: click(.addToCart, "i1", t0, category: "shoes"))
        // view 1 + add_to_cart 3 = 4; after 7 days 2; after 14 days 1.
        XCTAssertEqual(p.itemAffinity("i1", at: t0), 4, accuracy: 1e-12)
        XCTAssertEqual(p.itemAffinity("i1", at: t0 + h), 2, accuracy: 1e-12)
        XCTAssertEqual(p.itemAffinity("i1", at: t0 + 2 * h), 1, accuracy: 1e-12)
        XCTAssertEqual(p.categoryAffinity("shoes", at: t0 + h), 2, accuracy: 1e-12)
        // A later view after one half-life: 2 + 1 = 3.
        p.apply(click: click(.view, "i1", t0 + h))
        XCTAssertEqual(p.itemAffinity("i1", at: t0 + h), 3, accuracy: 1e-12)
        XCTAssertEqual(p.views, 2)
        XCTAssertEqual(p.cartAdds, 1)
        XCTAssertEqual(p.lastEventAt, t0 + h)
    }

    func testBoundedAffinityDropsSmallest() {
        var p = UserProfile(config: UserProfileConfig(maxItems: 2, maxCategories: 1))
        p.apply(click: click(.view, "a", t0, category: "x"))      // a 1, x 1
        p.apply(click: click(.wishlist, "b", t0, category: "y"))  // b 2, y 2 → x (1) dropped
        p.apply(click: click(.addToCart, "c", t0))                 // c 3 → a (1) dropped
        XCTAssertEqual(p.topItems(at: t0).map(\.itemID), ["c", "b"])
        XCTAssertEqual(p.topCategories(at: t0).map(\.category), ["y"])
        // One half-life later: b 1, c 1.5; a view of d adds 1 → tie b = d = 1: the larger id "d" goes.
        p.apply(click: click(.view, "d", t0 + h))
        let top = p.topItems(at: t0 + h)
        XCTAssertEqual(top.map(\.itemID), ["c", "b"])
        XCTAssertEqual(top[0].affinity, 1.5, accuracy: 1e-12)
        XCTAssertEqual(top[1].affinity, 1, accuracy: 1e-12)
        XCTAssertEqual(p.itemAffinityCount, 2)
    }

    func testRemoveFromCartNeverGoesNegativeAndSearchHasNoItem() {
        var p = UserProfile()
        p.apply(click: click(.view, "x", t0))            // x: 1
        p.apply(click: click(.removeFromCart, "x", t0))  // x: 1 − 1 = 0 → removed
        p.apply(click: click(.removeFromCart, "y", t0))  // y: −1 → never stored
        let s = p.apply(click: click(.search, nil, t0))
        XCTAssertEqual(p.itemAffinityCount, 0)
        XCTAssertEqual(p.cartRemoves, 2)
        XCTAssertEqual(p.searches, 1)
        XCTAssertNil(s.itemID)
        XCTAssertFalse(s.addedToRecent)
        // Only positive events enter the history.
        XCTAssertEqual(p.recent.map(\.itemID), ["x"])
    }

    func testRecentHistoryIsDistinctAndBounded() {
        var p = UserProfile(config: UserProfileConfig(recentLimit: 3))
        for (i, item) in ["a", "b", "c", "a", "d"].enumerated() {
            p.apply(click: click(.view, item, t0 + Int64(i)))
        }
        // a b c → a moves to the end: b c a → d: b c a d → oldest dropped: c a d.
        XCTAssertEqual(p.recent, [RecentItem(itemID: "c", ts: t0 + 2), RecentItem(itemID: "a", ts: t0 + 3),
                                  RecentItem(itemID: "d", ts: t0 + 4)])
    }

    func testOrderStatsDedupCancelAndRefundOnce() {
        var p = UserProfile()
        XCTAssertNil(p.purchaseSummary(at: t0))
        XCTAssertEqual(p.apply(order: order(.order, "o1", t0, lines: [OrderLine(itemID: "i1", quantity: 1, price: 100)])), .applied)
        XCTAssertEqual(p.apply(order: order(.order, "o1", t0)), .duplicate)
        // o2: no total, lines 2 × 25 = 50; three days later.
        XCTAssertEqual(p.apply(order: order(.order, "o2", t0 + 3 * day, lines: [OrderLine(itemID: "i2", quantity: 2, price: 25)])), .applied)
        // Same day as o2: no new order day.
        XCTAssertEqual(p.apply(order: order(.order, "o3", t0 + 3 * day + 60_000, total: 30)), .applied)
        XCTAssertEqual(p.orderCount, 3)
        XCTAssertEqual(p.monetary, 180)                  // 100 + 50 + 30
        XCTAssertEqual(p.averageOrderValue, 60)          // 180 / 3
        XCTAssertEqual(p.distinctOrderDays, 2)
        XCTAssertEqual(p.firstOrderAt, t0)
        XCTAssertEqual(p.lastOrderAt, t0 + 3 * day + 60_000)
        // x = 2 days − 1 = 1; t_x = 3 days + 1 min; T = 10 days.
        let s = p.purchaseSummary(at: t0 + 10 * day)!
        XCTAssertEqual(s.frequency, 1)
        XCTAssertEqual(s.recencyDays, 3 + 1.0 / 1440, accuracy: 1e-12)
        XCTAssertEqual(s.ageDays, 10, accuracy: 1e-12)
        // Order lines: affinity 5 each, bought, in history with the bought flag.
        XCTAssertEqual(p.itemAffinity("i2", at: t0 + 3 * day), 5, accuracy: 1e-12)
        XCTAssertTrue(p.hasBought("i1"))
        XCTAssertEqual(p.recent.map(\.bought), [true, true])

        // Refund 20 of o2: value only; once.
        XCTAssertEqual(p.apply(order: order(.refund, "o2", t0 + 4 * day, total: 20)), .refunded(undoneValue: 20))
        XCTAssertEqual(p.monetary, 160)
        XCTAssertEqual(p.orderCount, 3)
        XCTAssertEqual(p.apply(order: order(.refund, "o2", t0 + 4 * day, total: 20)), .alreadyUndone)
        XCTAssertEqual(p.monetary, 160)
        // Cancel o3: count and its 30; the last order goes back to o2; o2's day still has an order.
        XCTAssertEqual(p.apply(order: order(.cancel, "o3", t0 + 5 * day)), .cancelled(undoneValue: 30))
        XCTAssertEqual(p.monetary, 130)
        XCTAssertEqual(p.orderCount, 2)
        XCTAssertEqual(p.lastOrderAt, t0 + 3 * day)
        XCTAssertEqual(p.distinctOrderDays, 2)
        XCTAssertEqual(p.apply(order: order(.cancel, "o3", t0 + 5 * day)), .alreadyUndone)
        // Cancel o2 after its refund: only the remaining 30 goes; its day is gone.
        XCTAssertEqual(p.apply(order: order(.cancel, "o2", t0 + 5 * day)), .cancelled(undoneValue: 30))
        XCTAssertEqual(p.monetary, 100)
        XCTAssertEqual(p.orderCount, 1)
        XCTAssertEqual(p.distinctOrderDays, 1)
        XCTAssertEqual(p.lastOrderAt, t0)
        XCTAssertEqual(p.apply(order: order(.refund, "o2", t0 + 5 * day)), .alreadyUndone)
        // A refund without total or lines undoes the remaining value of o1.
        XCTAssertEqual(p.apply(order: order(.refund, "o1", t0 + 6 * day)), .refunded(undoneValue: 100))
        XCTAssertEqual(p.monetary, 0)
        XCTAssertEqual(p.apply(order: order(.cancel, "o9", t0 + 6 * day)), .unknownOrder)
        XCTAssertEqual(p.orderCount, 1)
        // Cancel the last order: no orders left.
        XCTAssertEqual(p.apply(order: order(.cancel, "o1", t0 + 7 * day)), .cancelled(undoneValue: 0))
        XCTAssertEqual(p.orderCount, 0)
        XCTAssertNil(p.firstOrderAt)
        XCTAssertNil(p.lastOrderAt)
    }

    func testAppliedOrderLogAndBoughtSetAreBounded() {
        var p = UserProfile(config: UserProfileConfig(maxBoughtItems: 2, maxAppliedOrders: 2))
        for i in 0..<3 {
            p.apply(order: order(.order, "o\(i)", t0 + Int64(i), lines: [OrderLine(itemID: "i\(i)", quantity: 1, price: 1)]))
        }
        XCTAssertEqual(p.appliedOrders.map(\.orderID), ["o1", "o2"])
        XCTAssertEqual(p.bought.keys.sorted(), ["i1", "i2"])
        // o0 fell out of the log: a cancel of it is unknown (a dead letter for the caller).
        XCTAssertEqual(p.apply(order: order(.cancel, "o0", t0 + 9)), .unknownOrder)
    }

    func testBrowseToBuyAndCategorySpread() {
        var p = UserProfile()
        for i in 0..<4 { p.apply(click: click(.view, "i\(i)", t0, category: i < 2 ? "a" : "b")) }
        p.apply(click: click(.click, "i0", t0))
        p.apply(click: click(.click, "i1", t0))
        p.apply(order: order(.order, "o1", t0, total: 1))
        p.apply(order: order(.order, "o2", t0, total: 1))
        XCTAssertEqual(p.browseToBuyRatio, 3)  // (4 views + 2 clicks) / 2 orders
        XCTAssertEqual(p.categorySpread, 2)
    }
}
