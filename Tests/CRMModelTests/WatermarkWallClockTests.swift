import XCTest
@testable import CRMModel

/// A live stream judges "far in the future" against its own clock, excusing events that jump
/// together with the wall clock.
final class WatermarkWallClockTests: XCTestCase {
    let day = millisecondsPerDay
    let t0: EventTime = 1_764_755_200_000

    func testJumpAfterALongPauseIsAcceptedWhenTheWallClockAgrees() {
        var replay = Watermark(configuration: .init(allowedLateness: 0, maxForwardJump: 7 * day, futureStreakToAccept: 0))
        XCTAssertEqual(replay.observe(t0), .onTime)
        // Ten days later with no wall clock (replay): refused, by 10 days past the reference.
        XCTAssertEqual(replay.observe(t0 + 10 * day), .tooFarInFuture(by: 10 * day))
        var live = Watermark(configuration: .init(allowedLateness: 0, maxForwardJump: 7 * day, futureStreakToAccept: 0))
        XCTAssertEqual(live.observe(t0, wallNow: t0), .onTime)
        // The daemon was down for ten days: the wall clock moved too, so the event is plausible.
        XCTAssertEqual(live.observe(t0 + 10 * day, wallNow: t0 + 10 * day + 500), .onTime)
        XCTAssertEqual(live.current, t0 + 10 * day)
        // A broken clock eight days ahead of both is still refused, by 8 days + 1 s past the stream.
        XCTAssertEqual(live.observe(t0 + 18 * day + 1000, wallNow: t0 + 10 * day + 500), .tooFarInFuture(by: 8 * day + 1000))
        XCTAssertEqual(live.current, t0 + 10 * day)
    }

    func testAHistoricalStreamReadLiveIsJudgedByItsOwnClock() {
        // Data from 300 days ago read live: the wall clock is far ahead of every event.
        let wall = t0 + 300 * day
        var live = Watermark(configuration: .init(allowedLateness: 0, maxForwardJump: 7 * day, futureStreakToAccept: 0))
        XCTAssertEqual(live.observe(t0, wallNow: wall), .onTime)
        XCTAssertEqual(live.observe(t0 + 6 * day, wallNow: wall), .onTime)
        // One stray timestamp 115 days ahead of the stream (still 179 days behind the wall clock):
        // refused, and the clock stays where the stream is.
        XCTAssertEqual(live.observe(t0 + 121 * day, wallNow: wall), .tooFarInFuture(by: 115 * day))
        XCTAssertEqual(live.current, t0 + 6 * day)
        // An event at the wall clock is excused (the stream caught up with the present).
        XCTAssertEqual(live.observe(wall - 6 * day, wallNow: wall), .onTime)
        XCTAssertEqual(live.current, wall - 6 * day)
    }

    func testBeforeTheFirstEventOnlyTheWallClockIsAReference() {
        var live = Watermark(configuration: .init(allowedLateness: 0, maxForwardJump: 7 * day, futureStreakToAccept: 0))
        XCTAssertEqual(live.observe(t0 + 8 * day, wallNow: t0), .tooFarInFuture(by: 8 * day))
        XCTAssertNil(live.current)
        // A stream that runs ahead of the wall clock (a producer's skewed clock) is followed once
        // it has a clock of its own.
        XCTAssertEqual(live.observe(t0 + 6 * day, wallNow: t0), .onTime)
        XCTAssertEqual(live.observe(t0 + 12 * day, wallNow: t0), .onTime)
    }

    func testAStreakOfRefusedEventsIsTakenAsTheStreamHavingMoved() {
        let wall = t0 + 300 * day
        var live = Watermark(configuration: .init(allowedLateness: 0, maxForwardJump: 7 * day, futureStreakToAccept: 3))
        XCTAssertEqual(live.observe(t0, wallNow: wall), .onTime)
        XCTAssertEqual(live.observe(t0 + 30 * day, wallNow: wall), .tooFarInFuture(by: 30 * day))
        XCTAssertEqual(live.observe(t0 + 30 * day + 1, wallNow: wall), .tooFarInFuture(by: 30 * day + 1))
        XCTAssertEqual(live.observe(t0 + 30 * day + 2, wallNow: wall), .onTime)
        XCTAssertEqual(live.current, t0 + 30 * day + 2)
    }
}
