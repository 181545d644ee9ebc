#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import XCTest
@testable import StreamCRM

/// The running daemon on loopback: every endpoint through real HTTP requests, the sd_notify
/// messages on a datagram socket given as NOTIFY_SOCKET, and its log lines.
final class DaemonHTTPTests: XCTestCase {
    override func tearDown() {
        unsetenv("NOTIFY_SOCKET")
        unsetenv("WATCHDOG_USEC")
        super.tearDown()
    }

    static let base: Int64 = 1_796_119_200_000 // 2026-12-01T10:00:00Z

    static func click(_ id: String, _ type: String, user: String, item: String, category: String, at minutes: Int64) -> String {
        #"{"event_id":"\#(id)","type":"\#(type)","user_id":"\#(user)","item_id":"\#(item)","category":"\#(category)","price":10,"ts":\#(base + minutes * 60_000)}"#
    }

    func testEndpointsNotifyAndCleanStop() throws {
        let notify = try NotifyListener()
        setenv("NOTIFY_SOCKET", notify.path, 1)
        setenv("WATCHDOG_USEC", "400000", 1) // pings every 100 ms
        let h = try LiveDaemonHarness()
        let t = h.broker.topics
        let order = #"{"event_id":"o-1","type":"order","order_id":"o-1","user_id":"u 1","ts":\#(Self.base + 30 * 60_000),"items":[{"item_id":"i2","quantity":1,"price":20}],"total":20,"currency":"EUR"}"#
        try h.produce([
            (t.clickstream, "u 1", Self.click("c1", "view", user: "u 1", item: "i1", category: "shoes", at: 0)),
            (t.clickstream, "u 1", Self.click("c2", "add_to_cart", user: "u 1", item: "i2", category: "shoes", at: 1)),
            (t.clickstream, "u2", Self.click("c3", "view", user: "u2", item: "i1", category: "shoes", at: 2)),
            (t.clickstream, "u2", Self.click("c4", "view", user: "u2", item: "i3", category: "bags", at: 3)),
            (t.orders, "u 1", order),
            (t.clickstream, "x", "not json"),
        ])
        try h.start(overrides: ["http.token=s3cret"])

        // READY=1 comes only once partitions are assigned and restored.
        let ready = try XCTUnwrap(notify.waitFor(timeout: 30) { $0 == "READY=1" }, "no READY=1: \(notify.messages)")
        XCTAssertGreaterThan(h.daemon.status.assignedPartitions, 0)
        XCTAssertTrue(h.daemon.status.isRestored)
        XCTAssertEqual(notify.messages.filter { $0 == "READY=1" }.count, 1)
        XCTAssertFalse(notify.messages[..<ready].contains { $0.hasPrefix("STATUS=ready") })

        // /health is public; everything else needs the token.
        XCTAssertEqual(try h.get("/health").status, 200)
        XCTAssertEqual(try h.get("/health").body, "ok\n")
        XCTAssertEqual(try h.get("/metrics").status, 401)
        XCTAssertEqual(try h.get("/ready").status, 401)
        XCTAssertEqual(try h.get("/customers/u2").status, 401)
        XCTAssertEqual(try h.get("/metrics", token: "wrong").status, 401)

        XCTAssertTrue(try eventually { try h.metrics(token: "s3cret")["streamcrm_input_messages_total"] == 6 })
        XCTAssertTrue(try eventually { try h.get("/ready", token: "s3cret").status == 200 })
        // The lag is refreshed every few seconds: under load it may still show the last few messages.
        XCTAssertTrue(try eventually { try h.get("/ready", token: "s3cret").body == "ready: 6 partitions, lag 0\n" },
                      (try? h.get("/ready", token: "s3cret").body) ?? "")
        XCTAssertTrue(try eventually { try h.metrics(token: "s3cret")["streamcrm_processing_seconds_count"] == 6 })

        let m = try h.metrics(token: "s3cret")
        XCTAssertEqual(m[#"streamcrm_input_events_total{topic="shop.clickstream",type="click"}"#], 4)
        XCTAssertEqual(m[#"streamcrm_input_events_total{topic="shop.orders",type="order"}"#], 1)
        XCTAssertEqual(m[#"streamcrm_input_events_total{topic="shop.orders",type="refund"}"#], 0)
        XCTAssertEqual(m[#"streamcrm_dead_letters_total{reason="decode_error"}"#], 1)
        XCTAssertEqual(m[#"streamcrm_outputs_total{kind="dead_letter"}"#], 1)
        XCTAssertGreaterThanOrEqual(m[#"streamcrm_outputs_total{kind="recommendation"}"#] ?? 0, 1)
        XCTAssertEqual(m["streamcrm_customers"], 2)
        XCTAssertEqual(m["streamcrm_assigned_partitions"], 6, "3 customer topics x 2 (the catalog is read outside the group)")
        XCTAssertEqual(m["streamcrm_ready"], 1)
        XCTAssertEqual(m[#"streamcrm_processing_seconds_bucket{le="+Inf"}"#], 6)
        XCTAssertEqual(m[#"streamcrm_consumer_lag_messages{topic="shop.clickstream",partition="0"}"#], 0)
        XCTAssertEqual(m[#"streamcrm_consumer_lag_messages{topic="shop.orders",partition="1"}"#], 0)
        XCTAssertNotNil(m[#"streamcrm_churn_model_parameter{parameter="alpha"}"#])
        XCTAssertNotNil(m["streamcrm_churn_model_last_fit_timestamp_seconds"])
        XCTAssertNotNil(m["streamcrm_checkpoint_seconds_count"])
        XCTAssertGreaterThanOrEqual(m["streamcrm_similarity_items"] ?? 0, 2)
        XCTAssertEqual(m["streamcrm_event_time_watermark_seconds"].map { $0 > 1_796_119_000 }, true)
        // Documented series exist from the start, at 0 (no reload or query has happened yet).
        XCTAssertEqual(m[#"streamcrm_config_reloads_total{result="refused"}"#], 0)
        XCTAssertEqual(m[#"streamcrm_customer_queries_total{result="timeout"}"#], 0)
        XCTAssertEqual(m[#"streamcrm_processing_seconds_bucket{le="0.5"}"#], 6)
        XCTAssertNotNil(m["streamcrm_churn_timers"])
        XCTAssertEqual(m["streamcrm_churn_timers_held"], 0)
        XCTAssertEqual(try h.get("/metrics", token: "s3cret").headers["content-type"], PrometheusText.contentType)

        // The interactive query, id percent-decoded.
        let reply = try h.get("/customers/u%201", token: "s3cret")
        XCTAssertEqual(reply.status, 200, reply.body)
        XCTAssertEqual(reply.headers["content-type"], "application/json")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])
        XCTAssertEqual(json["user_id"] as? String, "u 1")
        XCTAssertEqual(json["orders"] as? Int, 1)
        XCTAssertNotNil(json["segment"] as? String)
        let churn = try XCTUnwrap(json["churn"] as? [String: Any])
        let pAlive = try XCTUnwrap(churn["p_alive"] as? Double)
        XCTAssertTrue((0...1).contains(pAlive))
        XCTAssertEqual(churn["horizon_days"] as? Double, 90)
        let items = try XCTUnwrap(json["top_items"] as? [[String: Any]]).compactMap { $0["item_id"] as? String }
        XCTAssertEqual(Set(items), ["i1", "i2"])
        XCTAssertEqual(try XCTUnwrap(json["top_categories"] as? [[String: Any]]).first?["category"] as? String, "shoes")
        XCTAssertNotNil(json["recommendations"] as? [[String: Any]])
        let u2 = try h.get("/customers/u2", token: "s3cret")
        XCTAssertEqual(u2.status, 200)
        XCTAssertTrue(u2.body.contains(#""churn":null"#), u2.body)
        let missing = try h.get("/customers/nobody", token: "s3cret")
        XCTAssertEqual(missing.status, 404)
        XCTAssertTrue(missing.body.hasPrefix(#"{"error":"unknown customer on this instance"#), missing.body)
        XCTAssertEqual(try h.get("/customers/", token: "s3cret").status, 400)
        XCTAssertEqual(try h.get("/nope", token: "s3cret").status, 404)
        XCTAssertEqual(try h.metrics(token: "s3cret")[#"streamcrm_customer_queries_total{result="found"}"#], 2)

        // `streamcrm inspect` asks the same endpoint with the configured address, port and token.
        let cli = try Configuration.load(file: nil, environment: [:], overrides: ["http.port=\(try XCTUnwrap(h.port))", "http.token=s3cret"])
        let inspected = try InspectCommand.fetch(config: cli, userID: "u 1")
        XCTAssertEqual(inspected.status, 200)
        XCTAssertTrue(inspected.body.hasPrefix(#"{"user_id":"u 1","#), inspected.body)
        XCTAssertEqual(InspectCommand.percentEncode("u 1/ä~x"), "u%201%2F%C3%A4~x")

        // STATUS= with throughput and lag, and watchdog pings, while running.
        // (The first ready STATUS= may come before the lag refresh has seen the input read.)
        let statusIndex = try XCTUnwrap(notify.waitFor { $0.hasPrefix("STATUS=ready: ") && $0.contains("lag 0") }, "\(notify.messages)")
        XCTAssertNotNil(notify.waitFor { $0 == "WATCHDOG=1" })
        let status = notify.messages[statusIndex]
        XCTAssertTrue(status.contains(" events/s, lag 0, 6 partitions, 2 customers"), status)

        // A clean stop: STOPPING=1, exit 0, the port closed.
        let port = try XCTUnwrap(h.port)
        let result = try XCTUnwrap(h.stopAndWait())
        XCTAssertEqual(try result.get(), 0)
        XCTAssertEqual(notify.messages.last, "STOPPING=1")
        XCTAssertThrowsError(try TestHTTPClient.request(port: port, path: "/health"))

        // Logs: one logfmt line per record, nothing per event at info level.
        let lines = h.logLines()
        let pattern = try NSRegularExpression(pattern: #"^ts=2026-12-01T10:00:00\.000Z level=(debug|info|warn|error) msg=("([^"\\]|\\.)*"|\S+)( [a-z_]+=("([^"\\]|\\.)*"|\S*))*$"#)
        for line in lines {
            XCTAssertFalse(line.contains("\n"))
            XCTAssertNotNil(pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)), line)
        }
        XCTAssertTrue(lines.contains("ts=2026-12-01T10:00:00.000Z level=info msg=\"http listening\" address=127.0.0.1 port=\(port) token=on"), "\(lines)")
        XCTAssertTrue(lines.contains("ts=2026-12-01T10:00:00.000Z level=info msg=stopped events=5 clean=true"), "\(lines)")
        XCTAssertFalse(lines.contains { $0.contains("c1") || $0.contains("u 1") }, "no per-event lines: \(lines)")
        XCTAssertLessThanOrEqual(lines.filter { $0.contains("level=info") }.count, 8, "\(lines)")
    }

    func testWatchdogAndHealthFollowLoopProgress() throws {
        let notify = try NotifyListener()
        setenv("NOTIFY_SOCKET", notify.path, 1)
        setenv("WATCHDOG_USEC", "400000", 1)
        let stall = Atomic<Bool>(false)
        let stalled = Atomic<Bool>(false)
        var options = DaemonOptions()
        options.onIteration = {
            while stall.load(ordering: .acquiring) {
                stalled.store(true, ordering: .releasing)
                usleep(1_000)
            }
        }
        let h = try LiveDaemonHarness()
        try h.start(options: options)
        let ready = try XCTUnwrap(notify.waitFor(timeout: 30) { $0 == "READY=1" })
        XCTAssertNotNil(notify.waitFor(from: ready) { $0 == "WATCHDOG=1" })
        XCTAssertEqual(try h.get("/health").status, 200)

        // A stuck loop: no watchdog ping (systemd would restart it), /health fails after health.max_stall.s.
        stall.store(true, ordering: .releasing)
        XCTAssertTrue(eventually { stalled.load(ordering: .acquiring) })
        let before = notify.messages.count
        usleep(1_500_000) // longer than 3 watchdog intervals
        XCTAssertEqual(notify.messages.count, before, "no notification while the loop is stuck: \(notify.messages[before...])")
        XCTAssertTrue(try eventually(timeout: 5) { try h.get("/health").status == 503 })
        XCTAssertTrue(try h.get("/health").body.hasPrefix("processing loop stalled for "))

        stall.store(false, ordering: .releasing)
        XCTAssertNotNil(notify.waitFor(from: before) { $0 == "WATCHDOG=1" })
        XCTAssertEqual(try h.get("/health").status, 200)
        XCTAssertEqual(try XCTUnwrap(h.stopAndWait()).get(), 0)
    }

    func testHTTPOffAndNoNotifySocket() throws {
        unsetenv("NOTIFY_SOCKET")
        let h = try LiveDaemonHarness()
        try h.start(overrides: ["http.port=-1"])
        XCTAssertTrue(eventually { h.daemon.status.isRestored && h.daemon.status.assignedPartitions > 0 })
        XCTAssertNil(h.port)
        XCTAssertEqual(try XCTUnwrap(h.stopAndWait()).get(), 0)
        XCTAssertFalse(h.logLines().contains { $0.contains("http listening") })
    }
}
