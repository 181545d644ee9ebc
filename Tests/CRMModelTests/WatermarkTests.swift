import XCTest
@testable import CRMModel

final class WatermarkTests: XCTestCase {
    let hour: Int64 = 3_600_000

    func testAdvancesWithLatenessAndClassifiesLateEvents() {
        var w = Watermark() // lateness 5 s, max jump 1 h
        XCTAssertNil(w.current)
        XCTAssertEqual(w.observe(1_000_000), .onTime)
        XCTAssertEqual(w.current, 995_000)
        XCTAssertEqual(w.observe(998_000), .onTime, "within the allowed lateness")
        XCTAssertEqual(w.current, 995_000)
        XCTAssertEqual(w.observe(990_000), .late(by: 5_000))
        XCTAssertEqual(w.current, 995_000, "late events do not move the clock")
        XCTAssertEqual(w.observe(1_010_000), .onTime)
        XCTAssertEqual(w.current, 1_005_000)
    }

    func testFarFutureEventIsBoundedAndClamped() {
        var w = Watermark()
        _ = w.observe(1_000_000)
        XCTAssertEqual(w.observe(1_000_000 + hour), .onTime, "exactly the bound is allowed")
        let ref = 1_000_000 + hour
        XCTAssertEqual(w.observe(ref + hour + 1), .tooFarInFuture(by: hour + 1))
        XCTAssertEqual(w.current, ref - 5_000, "the outlier did not move the clock")
        XCTAssertEqual(w.clamped(ref + 10 * hour), ref + hour)
        XCTAssertEqual(w.clamped(ref + 1), ref + 1)
    }

    func testStreakOfFutureEventsIsAccepted() {
        var w = Watermark(configuration: .init(futureStreakToAccept: 3))
        _ = w.observe(0)
        let far: EventTime = 100 * hour
        XCTAssertEqual(w.observe(far), .tooFarInFuture(by: far))
        XCTAssertEqual(w.observe(far + 1), .tooFarInFuture(by: far + 1))
        XCTAssertEqual(w.observe(far + 2), .onTime, "third in a row: the stream moved")
        XCTAssertEqual(w.current, far + 2 - 5_000)
        // A normal event resets the streak.
        var v = Watermark(configuration: .init(futureStreakToAccept: 2))
        _ = v.observe(0)
        _ = v.observe(far)
        _ = v.observe(10)
        XCTAssertEqual(v.observe(far), .tooFarInFuture(by: far - 10), "reference is now 10")
    }

    func testIdleAdvanceByWallClock() {
        var w = Watermark(configuration: .init(idleAdvance: true, idleTimeout: 30_000))
        _ = w.observe(1_000_000, wallNow: 50)
        XCTAssertFalse(w.advanceIdle(wallNow: 20_050), "not idle long enough")
        XCTAssertTrue(w.advanceIdle(wallNow: 60_050))
        // 1_000_000 + 60_000 (idle wall time) − 5_000 (lateness)
        XCTAssertEqual(w.current, 1_055_000)
        XCTAssertEqual(w.observe(1_050_000, wallNow: 60_100), .late(by: 5_000))
        // The far-future bound is measured from the advanced clock.
        XCTAssertEqual(w.observe(1_060_000 + hour, wallNow: 60_200), .onTime)
        // Off by default (replay).
        var r = Watermark()
        _ = r.observe(1_000_000, wallNow: 0)
        XCTAssertFalse(r.advanceIdle(wallNow: 10 * hour))
        XCTAssertEqual(r.current, 995_000)
    }

    func testStartFromCheckpoint() {
        var w = Watermark(start: 500_000)
        XCTAssertEqual(w.current, 500_000)
        XCTAssertEqual(w.observe(400_000), .late(by: 100_000))
    }
}
