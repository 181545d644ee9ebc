import XCTest
@testable import CRMModel

/// A refused cancel or refund leaves nothing behind: no customer, no remembered event id (so a
/// corrected retry applies), and an order already undone is refused with a reason, not counted as
/// a duplicate.
final class RefusedOrderEventTests: XCTestCase {
    let t0: EventTime = 1_764_755_200_000
    var offset: Int64 = 0

    func send(_ e: CRMEngine, _ type: OrderType, event: String, order: String, user: String = "u", at ts: EventTime) -> EngineVerdict {
        offset += 1
        var out: [ModelOutput] = []
        let o = OrderEvent(eventID: event, type: type, orderID: order, userID: user, ts: ts,
                           items: [OrderLine(itemID: "i", quantity: 1, price: 10)], total: 10)
        return e.process(.order(o), at: SourcePosition(topic: "orders", partition: 0, offset: offset), into: &out)
    }

    func refused(_ v: EngineVerdict) -> String? { if case .rejected(let r) = v { return r } else { return nil } }

    func testACancelBeforeItsOrderIsRefusedAndItsRetryApplies() {
        let e = CRMEngine(config: EngineConfig())
        XCTAssertEqual(refused(send(e, .cancel, event: "c1", order: "o1", at: t0)),
                       "field 'order_id': cancel names order 'o1', which customer 'u' does not have")
        XCTAssertNil(e.customers["u"], "a refused cancel must not create a customer")
        XCTAssertEqual(send(e, .order, event: "o1", order: "o1", at: t0 + 1), .applied)
        XCTAssertEqual(send(e, .cancel, event: "c1", order: "o1", at: t0 + 2), .applied, "the retry is no duplicate")
        XCTAssertEqual(e.customers["u"]?.profile.orderCount, 0)
        XCTAssertEqual(e.customers["u"]?.profile.monetary, 0)
        XCTAssertEqual(e.stats.duplicates, 0)
        XCTAssertEqual(e.stats.rejected, 1)
        // The same cancel delivered again is a duplicate (its id is remembered now).
        XCTAssertEqual(send(e, .cancel, event: "c1", order: "o1", at: t0 + 2), .duplicate)
    }

    func testRefundsOfUnknownCustomersLeaveNoState() {
        let e = CRMEngine(config: EngineConfig())
        for i in 0..<3 { XCTAssertNotNil(refused(send(e, .refund, event: "r\(i)", order: "x\(i)", user: "ghost\(i)", at: t0))) }
        XCTAssertTrue(e.customers.isEmpty)
        XCTAssertTrue(e.takeDirtyCustomers().changed.isEmpty)
    }

    func testUndoingAnOrderTwiceIsRefusedWithAReason() {
        let e = CRMEngine(config: EngineConfig())
        XCTAssertEqual(send(e, .order, event: "o1", order: "o1", at: t0), .applied)
        XCTAssertEqual(send(e, .cancel, event: "c1", order: "o1", at: t0 + 1), .applied)
        XCTAssertEqual(refused(send(e, .refund, event: "r1", order: "o1", at: t0 + 2)),
                       "field 'order_id': refund names order 'o1' of customer 'u', which is already cancelled or refunded")
        XCTAssertEqual(refused(send(e, .cancel, event: "c2", order: "o1", at: t0 + 3)),
                       "field 'order_id': cancel names order 'o1' of customer 'u', which is already cancelled or refunded")
        XCTAssertEqual(e.stats.duplicates, 0)
        XCTAssertEqual(e.customers["u"]?.profile.monetary, 0)
    }
}
