#if canImport(Glibc)
import Glibc
#endif
@testable import CRMModel
import Foundation
import XCTest
@testable import StreamCRM

/// SIGHUP reload (requested as SIGHUP would): reloadable keys applied, the others named.
final class DaemonReloadTests: XCTestCase {
    override func tearDown() {
        unsetenv("NOTIFY_SOCKET")
        super.tearDown()
    }

    func testReloadAppliesReloadableKeysAndNamesTheRest() throws {
        let notify = try NotifyListener()
        setenv("NOTIFY_SOCKET", notify.path, 1)
        let h = try LiveDaemonHarness()
        let file = h.stateDir + ".properties"
        defer { unlink(file) }
        try "log.level=info\n".write(toFile: file, atomically: true, encoding: .utf8)
        try h.start(file: file)
        let ready = try XCTUnwrap(notify.waitFor(timeout: 30) { $0 == "READY=1" })

        try """
        log.level=warn
        churn.alert.threshold=0.5
        recommend.min_interval.s=5
        model.segments.k=7
        kafka.linger.ms=20
        """.write(toFile: file, atomically: true, encoding: .utf8)
        h.stop.requestReload()
        let expected = "ts=2026-12-01T10:00:00.000Z level=info msg=reloaded changed=recommend.min_interval.s,churn.alert.threshold,log.level need_restart=model.segments.k,kafka.linger.ms"
        XCTAssertTrue(eventually { h.logLines().contains(expected) }, "\(h.logLines())")
        XCTAssertTrue(h.logLines().contains("ts=2026-12-01T10:00:00.000Z level=warn msg=\"changed keys take effect only after a restart\" keys=model.segments.k,kafka.linger.ms"))
        // systemd's reload protocol: RELOADING=1 (with the monotonic time), then READY=1 again.
        let reloading = try XCTUnwrap(notify.waitFor(from: ready + 1) { $0.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") })
        XCTAssertNotNil(notify.waitFor(from: reloading) { $0 == "READY=1" })
        XCTAssertTrue(try eventually { try h.metrics()["streamcrm_churn_alert_threshold"] == 0.5 })
        XCTAssertEqual(try h.metrics()[#"streamcrm_config_reloads_total{result="ok"}"#], 1)

        // A file that no longer validates is refused as a whole.
        try "churn.alert.threshold=2\nlog.level=debug\n".write(toFile: file, atomically: true, encoding: .utf8)
        h.stop.requestReload()
        XCTAssertTrue(eventually { h.logLines().contains { $0.hasPrefix("ts=2026-12-01T10:00:00.000Z level=error msg=\"reload refused; keeping the running configuration\" error=") } })
        XCTAssertTrue(h.logLines().last!.contains("churn.alert.threshold"), h.logLines().last!)
        XCTAssertEqual(try h.metrics()[#"streamcrm_config_reloads_total{result="refused"}"#], 1)

        // Reloading the same file again changes nothing further.
        try "log.level=info\nchurn.alert.threshold=0.5\nrecommend.min_interval.s=5\n".write(toFile: file, atomically: true, encoding: .utf8)
        h.stop.requestReload()
        XCTAssertTrue(eventually { h.logLines().contains("ts=2026-12-01T10:00:00.000Z level=info msg=reloaded changed=log.level need_restart=none") }, "\(h.logLines())")

        XCTAssertEqual(try XCTUnwrap(h.stopAndWait()).get(), 0)
        let engine = h.daemon.processor.engine
        XCTAssertEqual(engine.config.churnThreshold, 0.5)
        XCTAssertEqual(engine.config.recommender.minEmitInterval, 5_000)
        XCTAssertEqual(engine.recommender.config.minEmitInterval, 5_000)
        XCTAssertEqual(h.daemon.logger.level, .info)
    }

    func testReloadPlan() throws {
        let started = try Configuration.load(file: nil, environment: [:], overrides: ["kafka.bootstrap.servers=a:9092", "kafka.consumer.fetch.max.bytes=1000"])
        var running = started
        try running.set("log.level", "debug", origin: "reload")
        let fresh = try Configuration.load(file: nil, environment: [:], overrides: [
            "kafka.bootstrap.servers=b:9092", "log.level=debug", "churn.emit_reactivated=true", "http.port=-1", "kafka.producer.linger.ms=20",
        ])
        let plan = ReloadPlan(running: running, started: started, fresh: fresh)
        XCTAssertEqual(plan.applied, ["churn.emit_reactivated"])
        XCTAssertEqual(plan.needRestart, ["http.port", "kafka.bootstrap.servers", "kafka.consumer.fetch.max.bytes", "kafka.producer.linger.ms"])
        XCTAssertEqual(ReloadPlan(running: started, started: started, fresh: started), ReloadPlan(running: fresh, started: fresh, fresh: fresh))
    }

    func testEngineReloadRearmsChurnTimers() throws {
        let day = millisecondsPerDay
        let t0: EventTime = 1_796_119_200_000
        func engineWithOrders() -> CRMEngine {
            let engine = CRMEngine()
            var out: [ModelOutput] = []
            for (i, ts) in [t0, t0 + 5 * day, t0 + 10 * day].enumerated() {
                let order = OrderEvent(eventID: "o\(i)", type: .order, orderID: "o\(i)", userID: "u", ts: ts,
                                       items: [OrderLine(itemID: "i", quantity: 1, price: 10)], total: 10, currency: "EUR")
                engine.process(.order(order), at: SourcePosition(topic: "shop.orders", partition: 0, offset: Int64(i)), into: &out)
            }
            return engine
        }
        let probe = engineWithOrders()
        let last = t0 + 10 * day
        XCTAssertEqual(probe.watermark.current, last - 5_000, "every order applied")
        let oldAt = try XCTUnwrap(probe.churn.alertTime(orders: 3, firstOrderAt: t0, lastOrderAt: last, threshold: 0.8))
        let newAt = try XCTUnwrap(probe.churn.alertTime(orders: 3, firstOrderAt: t0, lastOrderAt: last, threshold: 0.5))
        XCTAssertLessThan(newAt, oldAt)
        XCTAssertEqual(probe.timers.fireTime(of: "u"), oldAt)
        let between = newAt + (oldAt - newAt) / 2

        func alerts(_ engine: CRMEngine) -> Int {
            var out: [ModelOutput] = []
            var t = last
            while t < between { // event time moves at most time.max_jump.ms (7 days) at once
                t = min(between, t + 6 * day)
                engine.advance(to: t, into: &out)
            }
            return out.filter { if case .churnAlert = $0 { return true } else { return false } }.count
        }
        XCTAssertEqual(alerts(engineWithOrders()), 0, "at 0.8 the alert is not due yet")

        let reloaded = engineWithOrders()
        var settings = reloaded.reloadableSettings
        settings.churnThreshold = 0.5
        settings.excludeBought = false
        reloaded.apply(settings)
        XCTAssertEqual(reloaded.reloadableSettings, settings)
        XCTAssertFalse(reloaded.recommender.config.excludeBought)
        XCTAssertEqual(alerts(reloaded), 1, "the lowered threshold fires at its own time")
    }
}
