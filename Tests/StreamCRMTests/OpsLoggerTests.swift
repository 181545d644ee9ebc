import Foundation
import Synchronization
import XCTest
@testable import StreamCRM

/// Collects lines from a logger and drives its clock.
private final class LogCapture: Sendable {
    let lines = Mutex<[String]>([])
    let now = Mutex<Date>(Date(timeIntervalSince1970: 1_796_292_000.123)) // 2026-12-03T10:00:00.123Z

    var sink: Logger.Sink { { [self] line in lines.withLock { $0.append(line) } } }
    var clock: Logger.Clock { { [self] in now.withLock { $0 } } }
    func advance(_ seconds: TimeInterval) { now.withLock { $0 += seconds } }
    func take() -> [String] { lines.withLock { let l = $0; $0 = []; return l } }
}

final class OpsLoggerTests: XCTestCase {
    private func makeLogger(_ capture: LogCapture, level: LogLevel = .info) -> Logger {
        Logger(level: level, rateLimitInterval: .seconds(10), clock: capture.clock, sink: capture.sink)
    }

    func testExactLine() {
        let c = LogCapture()
        let log = makeLogger(c)
        log.info("partition assigned", ["topic": "shop.orders", "partition": 3])
        XCTAssertEqual(c.take(), [
            "ts=2026-12-03T10:00:00.123Z level=info msg=\"partition assigned\" topic=shop.orders partition=3",
        ])
    }

    func testQuotingAndEscaping() {
        let c = LogCapture()
        let log = makeLogger(c)
        log.error("boom", [
            "a": "x=y", "b": "say \"hi\"", "c": "back\\slash", "d": "two\nlines\ttab", "e": "",
            "f": 1.5, "g": true, "bad key": "v", "h": "bell\u{07}",
        ])
        XCTAssertEqual(c.take(), [
            #"ts=2026-12-03T10:00:00.123Z level=error msg=boom a="x=y" b="say \"hi\"" c="back\\slash" d="two\nlines\ttab" e="" f=1.5 g=true bad_key=v h="bell\u{07}""#,
        ])
    }

    func testTimestampFormatting() {
        XCTAssertEqual(Logfmt.timestamp(Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(Logfmt.timestamp(Date(timeIntervalSince1970: 1_709_210_096.9999)), "2024-02-29T12:34:56.999Z")
    }

    func testMinimumLevelChangesAtRunTime() {
        let c = LogCapture()
        let log = makeLogger(c, level: .warn)
        log.debug("d")
        log.info("i")
        log.warn("w")
        log.error("e")
        XCTAssertEqual(c.take().map { $0.split(separator: " ")[1] }, ["level=warn", "level=error"])
        log.level = .debug
        XCTAssertEqual(log.level, .debug)
        log.debug("d")
        XCTAssertEqual(c.take(), ["ts=2026-12-03T10:00:00.123Z level=debug msg=d"])
        XCTAssertTrue(log.isEnabled(.info))
    }

    func testMessageNotBuiltWhenLevelDisabled() {
        let c = LogCapture()
        let log = makeLogger(c, level: .info)
        let built = Atomic<Int>(0)
        func message() -> String { built.add(1, ordering: .relaxed); return "x" }
        log.debug(message())
        XCTAssertEqual(built.load(ordering: .relaxed), 0)
    }

    func testRateLimitedWarningsReportSuppressedCount() {
        let c = LogCapture()
        let log = makeLogger(c)
        log.warn("bad record", ["topic": "t"], rateLimitKey: "decode:t")
        c.advance(1)
        log.warn("bad record", ["topic": "t"], rateLimitKey: "decode:t")
        log.warn("bad record", ["topic": "t"], rateLimitKey: "decode:t")
        log.warn("other", rateLimitKey: "other")  // independent key
        c.advance(9.5)  // 10.5 s after the first: the key re-opens
        log.warn("bad record", ["topic": "t"], rateLimitKey: "decode:t")
        c.advance(10)
        log.warn("bad record", ["topic": "t"], rateLimitKey: "decode:t")
        XCTAssertEqual(c.take(), [
            "ts=2026-12-03T10:00:00.123Z level=warn msg=\"bad record\" topic=t",
            "ts=2026-12-03T10:00:01.123Z level=warn msg=other",
            "ts=2026-12-03T10:00:10.623Z level=warn msg=\"bad record\" topic=t suppressed=2",
            "ts=2026-12-03T10:00:20.623Z level=warn msg=\"bad record\" topic=t",
        ])
    }

    func testRateLimitIntervalChangesAtRunTime() {
        let c = LogCapture()
        let log = makeLogger(c)
        log.rateLimitInterval = .seconds(1)
        XCTAssertEqual(log.rateLimitInterval, .seconds(1))
        log.warn("w", rateLimitKey: "k")
        c.advance(0.5)
        log.warn("w", rateLimitKey: "k")
        c.advance(0.5)
        log.warn("w", rateLimitKey: "k")
        XCTAssertEqual(c.take().count, 2)
    }

    func testConcurrentRecordsAreWholeLines() {
        let c = LogCapture()
        let log = makeLogger(c)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for i in 0..<200 { log.info("tick", ["worker": worker, "i": i]) }
        }
        let lines = c.take()
        XCTAssertEqual(lines.count, 1600)
        XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("ts=2026-12-03T10:00:00.123Z level=info msg=tick worker=") })
    }

    func testLevelNames() {
        XCTAssertEqual(LogLevel(name: "WARNING"), .warn)
        XCTAssertEqual(LogLevel(name: "error"), .error)
        XCTAssertNil(LogLevel(name: "verbose"))
        XCTAssertEqual(LogLevel.allCases.map(\.name), ["debug", "info", "warn", "error"])
    }
}
