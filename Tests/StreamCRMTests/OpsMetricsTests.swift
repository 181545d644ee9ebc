import Foundation
import XCTest
@testable import StreamCRM

final class OpsMetricsTests: XCTestCase {
    func testRendersSmallRegistryExactly() {
        let registry = MetricsRegistry()
        let events = registry.counter("streamcrm_events_in_total", help: "Events consumed.", labels: ["topic", "type"])
        let lag = registry.gauge("streamcrm_consumer_lag", help: "Consumer lag in messages.", labels: ["partition"])
        let latency = registry.histogram("streamcrm_processing_seconds", help: "Processing latency.\nPer event \\ batch.",
                                         buckets: [0.001, 0.01, 0.1])
        let up = registry.gauge("streamcrm_up", help: "Always 1.")
        _ = registry.counter("streamcrm_dead_letters_total", help: "Dead letters.", labels: ["reason"]) // no series: omitted

        let orders = events.labels("shop.orders", "order")
        orders.increment()
        orders.increment(by: 2)
        events.labels("shop.clicks", "click").increment()
        events.labels("weird\"topic\\x\ny", "t").increment(by: 5)
        lag.labels("3").set(42)
        lag.labels("10").set(0.5)
        up.series.set(1)
        latency.series.observe(0.0005)
        latency.series.observe(0.001) // upper bounds are inclusive
        latency.series.observe(0.05)
        latency.series.observe(2)

        XCTAssertEqual(registry.render(), """
        # HELP streamcrm_consumer_lag Consumer lag in messages.
        # TYPE streamcrm_consumer_lag gauge
        streamcrm_consumer_lag{partition="10"} 0.5
        streamcrm_consumer_lag{partition="3"} 42
        # HELP streamcrm_events_in_total Events consumed.
        # TYPE streamcrm_events_in_total counter
        streamcrm_events_in_total{topic="shop.clicks",type="click"} 1
        streamcrm_events_in_total{topic="shop.orders",type="order"} 3
        streamcrm_events_in_total{topic="weird\\"topic\\\\x\\ny",type="t"} 5
        # HELP streamcrm_processing_seconds Processing latency.\\nPer event \\\\ batch.
        # TYPE streamcrm_processing_seconds histogram
        streamcrm_processing_seconds_bucket{le="0.001"} 2
        streamcrm_processing_seconds_bucket{le="0.01"} 2
        streamcrm_processing_seconds_bucket{le="0.1"} 3
        streamcrm_processing_seconds_bucket{le="+Inf"} 4
        streamcrm_processing_seconds_sum 2.0515
        streamcrm_processing_seconds_count 4
        # HELP streamcrm_up Always 1.
        # TYPE streamcrm_up gauge
        streamcrm_up 1

        """)
    }

    func testLabeledHistogramAndRemoval() {
        let registry = MetricsRegistry()
        let h = registry.histogram("ckpt_seconds", help: "h", labels: ["store"], buckets: [1, 2.5])
        h.labels("a").observe(.milliseconds(1500))
        let lag = registry.gauge("lag", help: "l", labels: ["partition"])
        lag.labels("1").set(7)
        lag.labels("2").set(8)
        lag.remove("1")
        XCTAssertEqual(registry.render(), """
        # HELP ckpt_seconds h
        # TYPE ckpt_seconds histogram
        ckpt_seconds_bucket{store="a",le="1"} 0
        ckpt_seconds_bucket{store="a",le="2.5"} 1
        ckpt_seconds_bucket{store="a",le="+Inf"} 1
        ckpt_seconds_sum{store="a"} 1.5
        ckpt_seconds_count{store="a"} 1
        # HELP lag l
        # TYPE lag gauge
        lag{partition="2"} 8

        """)
    }

    func testReRegistrationReturnsSameFamilyAndHandles() {
        let registry = MetricsRegistry()
        let a = registry.counter("x_total", help: "x", labels: ["k"])
        let b = registry.counter("x_total", help: "x", labels: ["k"])
        XCTAssertTrue(a === b)
        XCTAssertTrue(a.labels("v") === b.labels("v"))
    }

    func testConcurrentUpdatesAreNotLost() {
        let registry = MetricsRegistry()
        let c = registry.counter("c_total", help: "c").series
        let g = registry.gauge("g", help: "g").series
        let h = registry.histogram("h_seconds", help: "h", buckets: [0.5]).series
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<10_000 {
                c.increment()
                g.increment(by: 1)
                h.observe(1)
            }
        }
        XCTAssertEqual(c.value, 40_000)
        XCTAssertEqual(g.value, 40_000)
        XCTAssertEqual(h.snapshot.count, 40_000)
        XCTAssertEqual(h.snapshot.sum, 40_000)
        XCTAssertEqual(h.snapshot.cumulative, [0, 40_000])
    }

    func testValueFormatting() {
        XCTAssertEqual(PrometheusText.formatValue(3), "3")
        XCTAssertEqual(PrometheusText.formatValue(-2), "-2")
        XCTAssertEqual(PrometheusText.formatValue(0.005), "0.005")
        XCTAssertEqual(PrometheusText.formatValue(.infinity), "+Inf")
        XCTAssertEqual(PrometheusText.formatValue(-.infinity), "-Inf")
        XCTAssertEqual(PrometheusText.formatValue(.nan), "NaN")
        XCTAssertEqual(PrometheusText.formatValue(1e20), "1e+20")
        XCTAssertTrue(PrometheusText.isValidMetricName("a:b_c1"))
        XCTAssertFalse(PrometheusText.isValidMetricName("1abc"))
        XCTAssertFalse(PrometheusText.isValidLabelName("__x"))
        XCTAssertFalse(PrometheusText.isValidLabelName("a:b"))
    }
}
