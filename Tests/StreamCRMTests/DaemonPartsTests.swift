import Foundation
import Synchronization
import XCTest
@testable import StreamCRM

/// The daemon's thread-crossing parts on their own: the query channel, liveness and readiness,
/// and the per-message latency recorder.
final class DaemonPartsTests: XCTestCase {
    func testQueryChannelAnswersFromTheServingThread() throws {
        let channel = QueryChannel(capacity: 4, timeout: .seconds(5))
        XCTAssertFalse(channel.hasPending)
        let answer = Mutex<QueryChannel.Outcome?>(nil)
        let asked = DispatchSemaphore(value: 0)
        Thread {
            let outcome = channel.ask("u 1")
            answer.withLock { $0 = outcome }
            asked.signal()
        }.start()
        XCTAssertTrue(eventually { channel.hasPending })
        channel.serve { key in .ok("hello \(key)") }
        XCTAssertFalse(channel.hasPending)
        XCTAssertEqual(asked.wait(timeout: .now() + 5), .success)
        XCTAssertEqual(answer.withLock { $0 }, .answered(.ok("hello u 1")))
    }

    func testQueryChannelTimesOutIsBoundedAndCloses() throws {
        let channel = QueryChannel(capacity: 1, timeout: .milliseconds(200))
        let started = ContinuousClock.now
        XCTAssertEqual(channel.ask("nobody serves"), .timedOut)
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(200))
        // The abandoned query is skipped, not answered, by the next serve.
        var served: [String] = []
        channel.serve { served.append($0); return .ok("") }
        XCTAssertEqual(served, [])

        let slow = QueryChannel(capacity: 1, timeout: .seconds(10))
        let first = DispatchSemaphore(value: 0)
        let firstOutcome = Mutex<QueryChannel.Outcome?>(nil)
        Thread {
            let o = slow.ask("a")
            firstOutcome.withLock { $0 = o }
            first.signal()
        }.start()
        XCTAssertTrue(eventually { slow.hasPending })
        XCTAssertEqual(slow.ask("b"), .busy, "the queue is full")
        slow.close()
        XCTAssertEqual(first.wait(timeout: .now() + 5), .success)
        XCTAssertEqual(firstOutcome.withLock { $0 }, .closed)
        XCTAssertEqual(slow.ask("c"), .closed)
    }

    func testHealthAndReadiness() {
        let status = DaemonStatus(maxStallSeconds: 2, maxLag: 100)
        let t0 = LatencyRecorder.now()
        status.beat(t0)
        XCTAssertTrue(status.health(now: t0 + 1_900_000_000).alive)
        XCTAssertEqual(status.health(now: t0 + 3_000_000_000).detail, "processing loop stalled for 3 s")
        XCTAssertEqual(status.readiness().detail, "no partitions assigned")
        status.setAssigned(4)
        XCTAssertEqual(status.readiness().detail, "restoring state")
        status.setRestored()
        XCTAssertEqual(status.readiness().detail, "lag not known yet")
        status.setLag(101)
        XCTAssertEqual(status.readiness().detail, "catching up: lag 101 > ready.max_lag 100")
        status.setLag(100)
        XCTAssertTrue(status.readiness().ready)
        XCTAssertEqual(status.readiness().detail, "ready: 4 partitions, lag 100")
        status.setStopping()
        XCTAssertEqual(status.readiness().detail, "stopping")
        XCTAssertNil(status.httpPort)
        status.setHTTPPort(9464)
        XCTAssertEqual(status.httpPort, 9464)
    }

    func testLatencyRecorderBucketsAndFlush() {
        let registry = MetricsRegistry()
        let histogram = registry.histogram("t_seconds", help: "t", buckets: [0.000_001, 0.001]).series
        var recorder = LatencyRecorder(bounds: [0.000_001, 0.001])
        recorder.record(from: 100, to: 1_100)        // 1 µs: on the bound, first bucket
        recorder.record(from: 0, to: 500_000)         // 0.5 ms
        recorder.record(from: 0, to: 2_000_000_000)   // 2 s: +Inf
        recorder.record(from: 10, to: 5)              // a clock that went back counts as 0
        XCTAssertEqual(recorder.pendingCount, 4)
        recorder.flush(into: histogram)
        XCTAssertEqual(recorder.pendingCount, 0)
        let snap = histogram.snapshot
        XCTAssertEqual(snap.cumulative, [2, 3, 4])
        XCTAssertEqual(snap.sum, 2.000_501, accuracy: 1e-9)
        recorder.flush(into: histogram)
        XCTAssertEqual(histogram.snapshot.count, 4)
    }

    /// Measures what timing every message costs (two clock reads and a bucket scan).
    func testLatencyMeasurementCost() {
        var recorder = LatencyRecorder()
        let n = 1_000_000
        let started = LatencyRecorder.now()
        for _ in 0..<n {
            let a = LatencyRecorder.now()
            recorder.record(from: a, to: LatencyRecorder.now())
        }
        let perMessage = Double(LatencyRecorder.now() - started) / Double(n)
        print("latency measurement: \(String(format: "%.1f", perMessage)) ns per message (this build)")
        XCTAssertLessThan(perMessage, 2_000, "timing a message must stay far below the ~10 µs it takes to process one")
    }
}
