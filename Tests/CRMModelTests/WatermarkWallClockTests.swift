import XCTest
@testable import CRMModel

/// A live stream judges "far in the future" against the wall clock too.
final class WatermarkWallClockTests: XCTestCase {
    func testJumpAfterALongPauseIsAcceptedWhenTheWallClockAgrees() {
        let day = millisecondsPerDay
        let t0: EventTime = 1_764_755_200_000
        var replay = Watermark(configuration: .init(allowedLateness: 0, maxForwardJump: 7 * day, futureStreakToAccept: 0))
        XCTAssertEqual(replay.observe(t0), .onTime)
        // Ten days later with no wall clock (replay): refused, by 10 days past the reference.
        XCTAssertEqual(replay.observe(t0 + 10 * day), .tooFarInFuture(by: 10 * day))
        var live = Watermark(configuration: .init(allowedLateness: 0, maxForwardJump: 7 * day, futureStreakToAccept: 0))
        XCTAssertEqual(live.observe(t0, wallNow: t0), .onTime)
        // The daemon was down for ten days: the wall clock moved too, so the event is plausible.
        XCTAssertEqual(live.observe(t0 + 10 * day, wallNow: t0 + 10 * day + 500), .onTime)
        XCTAssertEqual(live.current, t0 + 10 * day)
        // A broken clock eight days ahead of both is still refused.
        XCTAssertEqual(live.observe(t0 + 18 * day + 1000, wallNow: t0 + 10 * day + 500), .tooFarInFuture(by: 8 * day + 500))
    }
}
