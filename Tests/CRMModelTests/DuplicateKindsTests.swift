import XCTest
@testable import CRMModel

/// Redelivery is detected per event kind: a cancel that reuses its order's event_id (the DESIGN's
/// `"event_id":"o-77","order_id":"o-77"` style) is applied, while the same cancel delivered twice
/// is applied once.
final class DuplicateKindsTests: XCTestCase {
    func testACancelReusingItsOrdersEventIDIsNotADuplicate() {
        let e = CRMEngine()
        var out: [ModelOutput] = []
        let t0: EventTime = 1_764_755_200_000
        func send(_ type: OrderType, offset: Int64) -> EngineVerdict {
            let o = OrderEvent(eventID: "o-77", type: type, orderID: "o-77", userID: "u42", ts: t0 + offset,
                               items: type == .order ? [OrderLine(itemID: "i17", quantity: 1, price: 59.9)] : [])
            return e.process(.order(o), at: SourcePosition(topic: "shop.orders", partition: 0, offset: offset), into: &out)
        }
        XCTAssertEqual(send(.order, offset: 0), .applied)
        XCTAssertEqual(e.customers["u42"]?.profile.orderCount, 1)
        XCTAssertEqual(send(.order, offset: 1), .duplicate, "the order redelivered")
        XCTAssertEqual(send(.cancel, offset: 2), .applied)
        XCTAssertEqual(e.customers["u42"]?.profile.orderCount, 0, "the cancel undid the order's count")
        XCTAssertEqual(e.customers["u42"]?.profile.monetary ?? -1, 0, accuracy: 1e-9)
        XCTAssertEqual(send(.cancel, offset: 3), .duplicate, "the cancel redelivered")
        XCTAssertEqual(e.stats.duplicates, 2)
    }
}
