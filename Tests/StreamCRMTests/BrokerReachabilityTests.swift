import Foundation
import Kafka
import XCTest
@testable import StreamCRM

/// /ready and `streamcrm_brokers_up` follow the brokers' reachability (librdkafka statistics),
/// not the lag cached from before an outage.
final class BrokerReachabilityTests: XCTestCase {
    func testReadyFailsWhileEveryBrokerIsDownAndRecovers() throws {
        let h = try LiveDaemonHarness()
        try h.start(overrides: ["kafka.consumer.statistics.interval.ms=200"])
        XCTAssertTrue(eventually(timeout: 30) { h.daemon.status.isRestored && h.port != nil })
        XCTAssertTrue(eventually(timeout: 30) { (try? h.get("/ready").status) == 200 })
        XCTAssertTrue(try eventually { try h.metrics()["streamcrm_brokers_up"] == 1 })
        XCTAssertEqual(try h.metrics()["streamcrm_brokers_known"], 1)

        try h.broker.cluster.setBrokerDown(1)
        XCTAssertTrue(try eventually(timeout: 30) { try h.get("/ready").body == "brokers unreachable: 0 of 1 up\n" },
                      (try? h.get("/ready").body) ?? "")
        XCTAssertEqual(try h.get("/ready").status, 503)
        XCTAssertEqual(try h.metrics()["streamcrm_brokers_up"], 0)
        XCTAssertEqual(try h.get("/health").status, 200, "waiting for brokers is not a stalled loop")

        try h.broker.cluster.setBrokerUp(1)
        XCTAssertTrue(try eventually(timeout: 60) { try h.get("/ready").status == 200 }, (try? h.get("/ready").body) ?? "")
        XCTAssertEqual(try XCTUnwrap(h.stopAndWait()).get(), 0)
    }
}
