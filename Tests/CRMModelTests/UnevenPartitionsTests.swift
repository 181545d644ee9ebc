import XCTest
@testable import CRMModel

/// A consumer catching up a backlog reads its topic partitions unevenly; the first event of a
/// topic partition is not judged "far in the future" by the others' progress (``TimedSources``),
/// while strays on a partition already read, and strays against a restored clock, still are.
final class UnevenPartitionsTests: XCTestCase {
    let day = millisecondsPerDay
    let t0: EventTime = 1_764_755_200_000

    func click(_ user: String, _ n: Int, at ts: EventTime) -> ShopEvent {
        .click(ClickEvent(eventID: "c-\(user)-\(n)", type: .view, userID: user, sessionID: nil, itemID: "i\(n % 7)",
                          category: nil, price: nil, query: nil, ts: ts))
    }

    func order(_ user: String, _ n: Int, at ts: EventTime) -> ShopEvent {
        .order(OrderEvent(eventID: "o-\(user)-\(n)", type: .order, orderID: "o-\(user)-\(n)", userID: user, ts: ts,
                          items: [OrderLine(itemID: "i1", quantity: 1, price: 20)], total: 20))
    }

    /// Found by GuaranteeTests (one run in four): a fresh daemon read one clicks partition's first
    /// day, then an orders partition whose first order came nine days later, and refused that
    /// order as a stray, so the customer's order was lost from the state.
    func testAPartitionsFirstEventIsNotJudgedByTheOtherPartitionsProgress() {
        let engine = CRMEngine()
        var outputs: [ModelOutput] = []
        for i in 0..<10 {
            engine.process(click("a", i, at: t0 + Int64(i) * day / 10), at: SourcePosition(topic: "clicks", partition: 0, offset: Int64(i)),
                           into: &outputs)
        }
        let first = engine.process(order("b", 1, at: t0 + 9 * day), at: SourcePosition(topic: "orders", partition: 1, offset: 0), into: &outputs)
        XCTAssertEqual(first, .applied)
        XCTAssertEqual(engine.customers["b"]?.profile.orderCount, 1)
        // The stream's clock is at day 9 now; a stray 20 days past it on a partition already read is refused.
        let stray = engine.process(click("a", 10, at: t0 + 29 * day), at: SourcePosition(topic: "clicks", partition: 0, offset: 10),
                                   into: &outputs)
        guard case .rejected(let reason) = stray else { return XCTFail("stray accepted: \(stray)") }
        XCTAssertTrue(reason.contains("too far ahead"), reason)
        // So is one 20 days past its own partition's last event.
        let stray2 = engine.process(order("b", 2, at: t0 + 29 * day), at: SourcePosition(topic: "orders", partition: 1, offset: 1),
                                    into: &outputs)
        guard case .rejected = stray2 else { return XCTFail("stray accepted: \(stray2)") }
        XCTAssertEqual(engine.customers["b"]?.profile.orderCount, 1)
        XCTAssertEqual(engine.watermark.maxEventTime, t0 + 9 * day)
    }

    /// A restarted engine judges each partition's first event by the clock it restored.
    func testAPartitionsFirstEventIsJudgedByTheRestoredClock() throws {
        let before = CRMEngine()
        var outputs: [ModelOutput] = []
        for i in 0..<20 {
            before.process(click("a", i, at: t0 + Int64(i) * day / 2), at: SourcePosition(topic: "clicks", partition: 0, offset: Int64(i)),
                           into: &outputs)
        }
        let globals = Dictionary(uniqueKeysWithValues: before.encodeGlobals().map { ($0.key, $0.state) })
        let after = CRMEngine()
        try after.restoreGlobals { globals[$0] }
        // The restored clock is at day 9.5: day 12 on a partition not read since is plausible, day 30 is not.
        let near = after.process(order("b", 1, at: t0 + 12 * day), at: SourcePosition(topic: "orders", partition: 1, offset: 0), into: &outputs)
        XCTAssertEqual(near, .applied)
        let far = after.process(order("c", 1, at: t0 + 30 * day), at: SourcePosition(topic: "orders", partition: 2, offset: 0), into: &outputs)
        guard case .rejected = far else { return XCTFail("stray accepted as a partition's first event: \(far)") }
        XCTAssertNil(after.customers["c"])
    }

    /// A partition handed over and back is a first again: judged by the restored customers' times.
    func testAHandedOverPartitionsNextEventIsAFirstAgain() {
        let sources = { () -> TimedSources in
            var s = TimedSources()
            s.note(topic: "orders", partition: 1)
            s.note(topic: "clicks", partition: 2)
            s.note(topic: "clicks", partition: 2)
            return s
        }
        var s = sources()
        XCTAssertFalse(s.isFirst(topic: "orders", partition: 1))
        XCTAssertFalse(s.isFirst(topic: "clicks", partition: 2))
        XCTAssertTrue(s.isFirst(topic: "clicks", partition: 1))
        XCTAssertTrue(s.isFirst(topic: "orders", partition: 2))
        s.forget(partitions: [1])
        XCTAssertTrue(s.isFirst(topic: "orders", partition: 1))
        XCTAssertFalse(s.isFirst(topic: "clicks", partition: 2))
    }
}
