import Foundation
import XCTest
@testable import StreamCRM

/// README documents every configuration key with its default; the unit outlives the shutdown deadline.
final class OpsDocsTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testReadmeListsEveryKeyWithItsDefault() throws {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        for key in ConfigSchema.keys {
            let value = key.defaultValue.isEmpty ? "(empty)" : "`\(key.defaultValue)`"
            XCTAssertTrue(readme.contains("| `\(key.name)` | \(value) |"), "README's configuration table lacks \(key.name) = \(value)")
        }
    }

    func testUnitWaitsLongerThanTheShutdownDeadline() throws {
        let unit = try String(contentsOf: root.appendingPathComponent("deploy/streamcrm.service"), encoding: .utf8)
        let lines = unit.split(separator: "\n").map(String.init)
        func value(_ name: String) -> String? { lines.first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) } }
        XCTAssertEqual(value("Type"), "notify")
        let stop = try XCTUnwrap(value("TimeoutStopSec").flatMap { Int($0) })
        let deadline = try XCTUnwrap(Int(try XCTUnwrap(ConfigSchema.key(named: "shutdown.deadline.s")).defaultValue))
        XCTAssertGreaterThan(stop, deadline)
        XCTAssertNotNil(value("WatchdogSec"))
        XCTAssertGreaterThan(Int(value("WatchdogSec") ?? "0") ?? 0, Int(try XCTUnwrap(ConfigSchema.key(named: "health.max_stall.s")).defaultValue)! / 2)
    }
}
