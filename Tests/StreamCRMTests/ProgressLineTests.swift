@testable import StreamCRM
import XCTest

/// The progress line of `replay`, `eval` and `convert`: what it draws, when, and silence off a terminal.
final class ProgressLineTests: XCTestCase {
    final class Recorder: @unchecked Sendable { var lines: [String] = []; var now = 100.0 }

    private func line(_ r: Recorder, total: Int?, enabled: Bool = true) -> ProgressLine {
        ProgressLine(label: "replay", total: total, enabled: enabled, clock: { r.now }, write: { r.lines.append($0) })
    }

    func testDrawsRatePercentAndTimeLeftEvery1024EventsAtMostTwiceASecond() {
        let r = Recorder()
        let p = line(r, total: 4096)
        r.now = 102                      // 2 s after the start
        p.tick(1023)
        XCTAssertEqual(r.lines, [], "no draw before the 1024th event")
        p.tick()                         // 1024 events in 2 s = 512/s; 3072 left = 6 s; 25 %
        XCTAssertEqual(r.lines, ["\rreplay: 1024 events, 512 events/s, 25.0%, 6 s left\u{1B}[K"])
        r.now = 102.25
        p.tick(1024)                     // only 0.25 s since the last draw: nothing
        XCTAssertEqual(r.lines.count, 1)
        r.now = 104
        p.tick(1024)                     // 3072 events in 4 s = 768/s; 1024 left = 1.33 s; 75 %
        XCTAssertEqual(r.lines.last, "\rreplay: 3072 events, 768 events/s, 75.0%, 1 s left\u{1B}[K")
        p.finish()
        XCTAssertEqual(r.lines.last, "\r\u{1B}[K")
    }

    func testUnknownTotalShowsCountAndRateOnly() {
        let r = Recorder()
        let p = line(r, total: nil)
        r.now = 101
        p.tick(2048)
        XCTAssertEqual(r.lines, ["\rreplay: 2048 events, 2048 events/s\u{1B}[K"])
    }

    func testSilentWhenNotATerminal() {
        let r = Recorder()
        let p = line(r, total: 10, enabled: false)
        r.now = 200
        p.tick(4096)
        p.finish()
        XCTAssertEqual(r.lines, [])
    }
}
