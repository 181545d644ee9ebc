import XCTest
@testable import CRMModel

/// A `forget_user` with a time waits until its customer's partition has reached that time, so
/// that a backlog read out of order between the control topic and the event topics still erases
/// the events before it and keeps the ones after it.
final class HeldForgetTests: XCTestCase {
    let t0: EventTime = 1_764_755_200_000
    var offset: Int64 = 0

    func order(_ e: CRMEngine, _ user: String, at ts: EventTime, partition: Int32 = 0, into out: inout [ModelOutput]) {
        offset += 1
        let o = OrderEvent(eventID: "e\(offset)", type: .order, orderID: "o\(offset)", userID: user, ts: ts,
                           items: [OrderLine(itemID: "i", quantity: 1, price: 10)])
        XCTAssertEqual(e.process(.order(o), at: SourcePosition(topic: "orders", partition: partition, offset: offset), into: &out), .applied)
    }

    func forget(_ e: CRMEngine, _ user: String, at time: EventTime?, partition: Int32 = 0, offset: Int64, into out: inout [ModelOutput]) {
        XCTAssertEqual(e.process(.forgetUser(userID: user), at: SourcePosition(topic: "control", partition: partition, offset: offset),
                                 messageTime: time, into: &out), .applied)
    }

    func tombstones(_ out: [ModelOutput]) -> [String] {
        out.compactMap { if case .tombstone(let u) = $0 { return u } else { return nil } }
    }

    func testAForgetReadBeforeTheCustomersOlderEventsErasesThemWhenThePartitionReachesIt() {
        let e = CRMEngine(config: EngineConfig())
        var out: [ModelOutput] = []
        order(e, "bob", at: t0, into: &out)
        // The forget was requested at t0 + 10 s, but read while the partition is at t0 (a backlog).
        forget(e, "bob", at: t0 + 10_000, offset: 7, into: &out)
        XCTAssertEqual(e.heldForgets.count, 1)
        XCTAssertEqual(e.heldForgets.floor(topic: "control", partition: 0), 7)
        XCTAssertNil(e.heldForgets.floor(topic: "orders", partition: 0))
        XCTAssertEqual(tombstones(out), [])
        // bob's order from before the request, read after it: applied, and erased with the rest.
        order(e, "bob", at: t0 + 5_000, into: &out)
        XCTAssertEqual(e.customers["bob"]?.profile.orderCount, 2)
        // Another partition reaching the time does not release it.
        order(e, "carol", at: t0 + 20_000, partition: 1, into: &out)
        XCTAssertEqual(e.heldForgets.count, 1)
        // bob's next order, after the request: the forget applies first, the order starts fresh.
        out.removeAll()
        order(e, "bob", at: t0 + 10_000, into: &out)
        XCTAssertEqual(tombstones(out), ["bob"])
        XCTAssertEqual(e.customers["bob"]?.profile.orderCount, 1)
        XCTAssertEqual(e.customers["bob"]?.profile.monetary, 10)
        XCTAssertTrue(e.heldForgets.isEmpty)
        XCTAssertEqual(e.stats.forgotten, 1)
    }

    func testAForgetAppliesAtOnceWithoutATimeOrWhenThePartitionIsThereOrCaughtUp() {
        let e = CRMEngine(config: EngineConfig())
        var out: [ModelOutput] = []
        order(e, "a", at: t0, into: &out)
        order(e, "b", at: t0, partition: 1, into: &out)
        order(e, "c", at: t0, partition: 2, into: &out)
        forget(e, "a", at: nil, offset: 1, into: &out)                      // replay: no time
        forget(e, "b", at: t0 - 1, partition: 1, offset: 1, into: &out)     // partition already there
        e.markCaughtUp(partitions: [2], into: &out)
        forget(e, "c", at: t0 + 99_000, partition: 2, offset: 1, into: &out) // partition read to its end
        XCTAssertEqual(tombstones(out), ["a", "b", "c"])
        XCTAssertTrue(e.customers.isEmpty)
        XCTAssertTrue(e.heldForgets.isEmpty)
    }

    func testHeldForgetsApplyWhenThePartitionIsCaughtUpOrTimeMovesAndLeaveWithTheirPartition() {
        let e = CRMEngine(config: EngineConfig())
        var out: [ModelOutput] = []
        for (u, p) in [("a", Int32(0)), ("b", 1), ("c", 2)] { order(e, u, at: t0, partition: p, into: &out) }
        for (u, p) in [("a", Int32(0)), ("b", 1), ("c", 2)] { forget(e, u, at: t0 + 60_000, partition: p, offset: 3, into: &out) }
        XCTAssertEqual(e.heldForgets.count, 3)
        e.markCaughtUp(partitions: [1], into: &out)
        XCTAssertEqual(tombstones(out), ["b"])
        // Partition 2 moves to another instance: its held forget goes (the new owner reads it again).
        e.dropCustomers(partitions: [2])
        XCTAssertNil(e.heldForgets.floor(topic: "control", partition: 2))
        e.advance(to: t0 + 1_000, into: &out)
        XCTAssertEqual(tombstones(out), ["b", "a"])
        XCTAssertTrue(e.heldForgets.isEmpty)
    }
}
