import XCTest
@testable import CRMModel

final class ChurnTimersTests: XCTestCase {
    func testFireInOrderRescheduleCancelsNoDuplicates() {
        var t = ChurnTimers()
        t.schedule(user: "u1", at: 100)
        t.schedule(user: "u2", at: 50)
        t.schedule(user: "u3", at: 100)
        t.schedule(user: "u1", at: 300) // replaces u1@100
        XCTAssertEqual(t.count, 3)
        XCTAssertEqual(t.nextFireTime(), 50)
        XCTAssertEqual(t.popDue(upTo: 49), [])
        XCTAssertEqual(t.popDue(upTo: 100), [DueTimer(userID: "u2", fireAt: 50), DueTimer(userID: "u3", fireAt: 100)])
        XCTAssertEqual(t.popDue(upTo: 100), [], "each timer fires once")
        XCTAssertEqual(t.popDue(upTo: 1000), [DueTimer(userID: "u1", fireAt: 300)])
        XCTAssertEqual(t.count, 0)
        XCTAssertEqual(t.popDue(upTo: .max), [])
    }

    func testTiesOrderedByUser() {
        var t = ChurnTimers()
        for u in ["c", "a", "b"] { t.schedule(user: u, at: 10) }
        XCTAssertEqual(t.popDue(upTo: 10).map(\.userID), ["a", "b", "c"])
    }

    func testCancel() {
        var t = ChurnTimers()
        t.schedule(user: "u", at: 5)
        XCTAssertTrue(t.cancel(user: "u"))
        XCTAssertFalse(t.cancel(user: "u"))
        XCTAssertNil(t.fireTime(of: "u"))
        XCTAssertEqual(t.popDue(upTo: 10), [])
        XCTAssertNil(t.nextFireTime())
    }

    func testStaleEntriesAreCompacted() {
        var t = ChurnTimers()
        for i in 0..<10_000 { t.schedule(user: "u\(i % 3)", at: EventTime(i)) }
        XCTAssertEqual(t.count, 3)
        XCTAssertLessThanOrEqual(t.heapSize, 65)
        // Last schedules: i = 9997 → u1, 9998 → u2, 9999 → u0.
        XCTAssertEqual(t.popDue(upTo: .max), [DueTimer(userID: "u1", fireAt: 9997), DueTimer(userID: "u2", fireAt: 9998),
                                              DueTimer(userID: "u0", fireAt: 9999)])
    }

    func testCodableRoundTripKeepsLiveTimersOnly() throws {
        var t = ChurnTimers()
        t.schedule(user: "a", at: 7)
        t.schedule(user: "b", at: 3)
        t.schedule(user: "a", at: 9)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(t)
        XCTAssertEqual(String(decoding: data, as: UTF8.self), #"{"fireAt":[3,9],"users":["b","a"]}"#)
        var back = try JSONDecoder().decode(ChurnTimers.self, from: data)
        XCTAssertEqual(back, t)
        XCTAssertEqual(back.popDue(upTo: 100), [DueTimer(userID: "b", fireAt: 3), DueTimer(userID: "a", fireAt: 9)])
    }
}
