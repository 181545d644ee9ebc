#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Kafka
import Synchronization
import XCTest
@testable import StreamCRM

/// Waiting out a broker outage before a checkpoint is progress, not a stuck loop: the watchdog
/// keeps being fed (systemd must not restart a daemon that is correctly waiting for Kafka).
final class DaemonOutageWatchdogTests: XCTestCase {
    override func tearDown() {
        unsetenv("NOTIFY_SOCKET")
        unsetenv("WATCHDOG_USEC")
        super.tearDown()
    }

    func testWatchdogKeepsPingingWhileACheckpointWaitsForBrokers() throws {
        let notify = try NotifyListener()
        setenv("NOTIFY_SOCKET", notify.path, 1)
        setenv("WATCHDOG_USEC", "4000000", 1) // pings every second
        let hold = Atomic<Bool>(false)
        let held = Atomic<Bool>(false)
        var options = DaemonOptions()
        options.onIteration = {
            while hold.load(ordering: .acquiring) {
                held.store(true, ordering: .releasing)
                usleep(1_000)
            }
        }
        let h = try LiveDaemonHarness()
        try h.start(overrides: ["checkpoint.interval.ms=100", "kafka.producer.retry.backoff.ms=200"], options: options)
        XCTAssertNotNil(notify.waitFor(timeout: 30) { $0 == "READY=1" })
        // Hold the loop, publish input, then make every produce request fail (retriably) for a
        // while: the daemon's outputs of that input are not acknowledged, so its next checkpoint
        // has to wait for them.
        hold.store(true, ordering: .releasing)
        XCTAssertTrue(eventually { held.load(ordering: .acquiring) })
        let t = h.broker.topics
        try h.produce((0..<20).map { i in
            (t.clickstream, "u\(i)", DaemonHTTPTests.click("w\(i)", "view", user: "u\(i)", item: "i\(i % 3)", category: "c", at: Int64(i)))
        })
        h.broker.cluster.pushRequestErrors(apiKey: .produce, errors: Array(repeating: .notEnoughReplicas, count: 40))
        hold.store(false, ordering: .releasing)
        XCTAssertTrue(try eventually(timeout: 30) { (try h.metrics()["streamcrm_producer_flush_waits_total"] ?? 0) >= 1 },
                      "the checkpoint never had to wait")
        XCTAssertTrue(try eventually(timeout: 60) { (try h.metrics()["streamcrm_producer_flush_waits_total"] ?? 0) >= 3 })
        XCTAssertTrue(try eventually(timeout: 60) { try h.metrics()["streamcrm_input_messages_total"] == 20 })
        XCTAssertEqual(try XCTUnwrap(h.stopAndWait()).get(), 0)
        // While the checkpoint waited (several one-second flushes in a row), the pings went on:
        // no gap between two pings is much longer than the one-second interval.
        let pings = zip(notify.messages, notify.arrivals).filter { $0.0 == "WATCHDOG=1" }.map(\.1)
        XCTAssertGreaterThan(pings.count, 3)
        let gaps = zip(pings.dropFirst(), pings).map { $0.timeIntervalSince($1) }
        XCTAssertLessThan(gaps.max() ?? 0, 1.8, "the watchdog went quiet while waiting for brokers: gaps \(gaps)")
    }
}
