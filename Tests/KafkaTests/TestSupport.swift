import Foundation
import XCTest
@testable import Kafka

/// Shared helpers for the Kafka tests: every test gets its own mock cluster on loopback.
enum TestSupport {
    nonisolated(unsafe) private static var counter = 0
    private static let lock = NSLock()

    /// A name unique within this test run.
    static func unique(_ prefix: String) -> String {
        lock.lock(); defer { lock.unlock() }
        counter += 1
        return "\(prefix)-\(ProcessInfo.processInfo.processIdentifier)-\(counter)"
    }

    /// A quiet log handler: only errors are printed, tagged with the test.
    static func config(_ pairs: KeyValuePairs<String, String>, bootstrap: String) -> KafkaConfig {
        var c = KafkaConfig([(key: "bootstrap.servers", value: bootstrap)])
        for (k, v) in pairs { c.set(k, v) }
        return c
    }

    static func producerConfig(_ bootstrap: String, _ extra: KeyValuePairs<String, String> = [:]) -> KafkaConfig {
        var c = config(["linger.ms": "5", "queue.buffering.max.messages": "200000"], bootstrap: bootstrap)
        for (k, v) in extra { c.set(k, v) }
        return c
    }

    /// A group consumer tuned for the mock cluster (short session timeout: a membership change
    /// waits session.timeout.ms - 1 s there).
    static func consumerConfig(_ bootstrap: String, group: String,
                               _ extra: KeyValuePairs<String, String> = [:]) -> KafkaConfig {
        var c = config(["group.id": group, "auto.offset.reset": "earliest",
                        "session.timeout.ms": "3000", "heartbeat.interval.ms": "300",
                        "topic.metadata.refresh.interval.ms": "1000",
                        "fetch.wait.max.ms": "50", "queued.min.messages": "200000"], bootstrap: bootstrap)
        for (k, v) in extra { c.set(k, v) }
        return c
    }

    /// Polls `consumer` until `count` messages arrived or `seconds` passed; fails on fatal errors.
    static func consume(_ consumer: KafkaConsumer, count: Int, seconds: Double = 20,
                        file: StaticString = #filePath, line: UInt = #line) throws -> [KafkaMessage] {
        var out: [KafkaMessage] = []
        let deadline = Date().addingTimeInterval(seconds)
        while out.count < count, Date() < deadline {
            switch try consumer.poll(timeoutMs: 100) {
            case .message(let m)?: out.append(m)
            case .error(let e)?: print("consume error:", e)
            case .partitionEOF, nil: break
            }
        }
        XCTAssertEqual(out.count, count, "messages consumed before the deadline", file: file, line: line)
        return out
    }

    /// Calls `step` until `condition` holds or `seconds` pass; returns whether it held.
    @discardableResult
    static func until(seconds: Double, step: () throws -> Void, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try step()
        }
        return try condition()
    }

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
    static func string(_ b: [UInt8]?) -> String? { b.map { String(decoding: $0, as: UTF8.self) } }
}

/// Collects log records from librdkafka's threads.
final class LogCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var records: [KafkaLogRecord] = []
    var handler: KafkaLogHandler {
        { [self] r in lock.lock(); records.append(r); lock.unlock() }
    }
    var all: [KafkaLogRecord] { lock.lock(); defer { lock.unlock() }; return records }
}
