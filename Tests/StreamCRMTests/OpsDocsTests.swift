import Foundation
import XCTest
@testable import StreamCRM

/// The unit outlives the shutdown deadline (README's key table is checked by ConfigurationTests).
final class OpsDocsTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

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
