import XCTest
@testable import CRMModel

/// Engine-level churn behaviour: silence fires a timer, one alert per episode, an order re-arms,
/// late events are applied, far-future events do not move the clock.
///
/// With `churnScorer.learn = false` the score is the MBG/NBD risk with the prior (CDNOW)
/// parameters. Hand/independent reference: for a one-time buyer, risk(T) = 1 − PA + PA·((α+T)/(α+T+H))^r
/// with PA = 1/(1 + a/b·((α+T)/α)^r), H = 90/7 weeks; risk(0) = 0.78735, and risk(T) = 0.8 at
/// T = 0.540507 weeks = 326_898_589.5 ms (scipy brentq on the formula above).
final class ChurnEngineTests: XCTestCase {
    let day = millisecondsPerDay
    let t0: EventTime = 10_000 * millisecondsPerDay
    let crossing: Int64 = 326_898_590

    func makeEngine(learn: Bool = false, reactivated: Bool = false, minSilence: Int64 = 0) -> CRMEngine {
        var c = EngineConfig()
        c.churnMinSilence = minSilence
        c.churnScorer = ChurnScorerConfig(learn: learn)
        c.churnEmitReactivated = reactivated
        c.recommendTriggers = []
        return CRMEngine(config: c)
    }

    var offset: Int64 = 0
    func order(_ e: CRMEngine, _ user: String, at ts: EventTime, into out: inout [ModelOutput]) -> EngineVerdict {
        offset += 1
        let o = OrderEvent(eventID: "e\(offset)", type: .order, orderID: "o\(offset)", userID: user, ts: ts,
                           items: [OrderLine(itemID: "i", quantity: 1, price: 10)])
        return e.process(.order(o), at: SourcePosition(topic: "t", partition: 0, offset: offset), into: &out)
    }

    /// Advances event time a day at a time (no step exceeds the far-future bound).
    func advance(_ e: CRMEngine, to t: EventTime, into out: inout [ModelOutput]) {
        var now = e.watermark.current ?? t
        while now < t {
            now = min(t, now + day)
            e.advance(to: now, into: &out)
        }
    }

    func alerts(_ out: [ModelOutput]) -> [ChurnAlert] {
        out.compactMap { if case .churnAlert(let a) = $0 { return a } else { return nil } }
    }

    func testTimerFiresOnSilenceWithNoFurtherEventsFromTheCustomer() {
        let e = makeEngine()
        var out: [ModelOutput] = []
        XCTAssertEqual(order(e, "a", at: t0, into: &out), .applied)
        XCTAssertEqual(alerts(out), [])
        let armed = e.timers.fireTime(of: "a")!
        XCTAssertGreaterThanOrEqual(armed, t0 + crossing)
        XCTAssertLessThanOrEqual(armed, t0 + crossing + 60_000)
        // Before the crossing nothing fires; after it, the alert comes with no event from "a".
        advance(e, to: t0 + 3 * day, into: &out)
        XCTAssertEqual(alerts(out), [])
        advance(e, to: t0 + 5 * day, into: &out)
        let fired = alerts(out)
        XCTAssertEqual(fired.count, 1)
        XCTAssertEqual(fired[0].eventID, "churn/a/\(t0)")
        XCTAssertEqual(fired[0].ts, armed)
        XCTAssertGreaterThanOrEqual(fired[0].risk, 0.8)
        XCTAssertEqual(fired[0].risk, 0.8, accuracy: 1e-5)
        // P(alive) reported beside the risk: MBG one-time buyer at T = 0.5405 weeks.
        let pa = 1 / (1 + 0.793 / 2.426 * pow((4.414 + 0.540507) / 4.414, 0.243))
        XCTAssertEqual(fired[0].pAlive, pa, accuracy: 1e-5)
        XCTAssertEqual(fired[0].reason, "no order for 3 days; only one order so far; P(no order in 90 days) = 80%")
    }

    func testTheReasonSaysHoursForOrdersLessThanADayApart() {
        let e = makeEngine()
        var out: [ModelOutput] = []
        _ = order(e, "a", at: t0, into: &out)
        _ = order(e, "a", at: t0 + 2 * 3_600_000, into: &out)  // two hours later
        _ = order(e, "b", at: t0, into: &out)
        _ = order(e, "b", at: t0 + 60_000, into: &out)  // a minute later
        advance(e, to: t0 + 400 * day, into: &out)
        let reasons = Dictionary(alerts(out).map { ($0.userID, $0.reason) }, uniquingKeysWith: { a, _ in a })
        XCTAssertTrue(reasons["a"]?.contains("; usually every 2 hours; ") == true, "\(reasons)")
        XCTAssertTrue(reasons["b"]?.contains("; 2 orders within the hour; ") == true, "\(reasons)")
    }

    func testPercentNeverRoundsAProbabilityShortOfOneToAHundred() {
        XCTAssertEqual(CRMEngine.percent(0.8), "= 80%")
        XCTAssertEqual(CRMEngine.percent(0.996), "> 99%")
        XCTAssertEqual(CRMEngine.percent(1), "= 100%")
        XCTAssertEqual(CRMEngine.percent(0.004), "= 0%")
    }

    func testOneAlertPerEpisodeThenAnOrderReArms() {
        let e = makeEngine(reactivated: true)
        var out: [ModelOutput] = []
        _ = order(e, "a", at: t0, into: &out)
        XCTAssertEqual(order(e, "a", at: t0 + 3 * day, into: &out), .applied) // before the 3.78-day crossing
        advance(e, to: t0 + 400 * day, into: &out)
        XCTAssertEqual(alerts(out).map(\.eventID), ["churn/a/\(t0 + 3 * day)"], "one alert for the episode")
        let silent = (alerts(out)[0].ts - t0 - 3 * day) / day
        XCTAssertGreaterThan(silent, 3)
        XCTAssertTrue(alerts(out)[0].reason.hasPrefix("no order for \(silent) days; usually every 3 days; P(no order in 90 days) = "),
                      alerts(out)[0].reason)
        out.removeAll()
        advance(e, to: t0 + 700 * day, into: &out)
        XCTAssertEqual(alerts(out), [], "no duplicate while silence continues")
        // An order ends the episode (reactivation output) and re-arms the timer.
        _ = order(e, "a", at: t0 + 700 * day, into: &out)
        XCTAssertEqual(alerts(out).count, 1)
        XCTAssertEqual(alerts(out)[0].reason, "reactivated: ordered again after a churn alert")
        XCTAssertNotNil(e.timers.fireTime(of: "a"))
        out.removeAll()
        advance(e, to: t0 + 1_200 * day, into: &out)
        XCTAssertEqual(alerts(out).map(\.eventID), ["churn/a/\(t0 + 700 * day)"])
    }

    func testLateEventIsAppliedAndArmsATimer() {
        let e = makeEngine()
        var out: [ModelOutput] = []
        _ = order(e, "a", at: t0 + 10 * day, into: &out)
        XCTAssertEqual(order(e, "c", at: t0 + 5 * day, into: &out), .applied)
        XCTAssertEqual(e.stats.lateEvents, 1)
        XCTAssertEqual(e.customers["c"]?.profile.lastOrderAt, t0 + 5 * day)
        // Its crossing (day 5 + 3.78) is already behind the watermark (day 10): the alert comes at
        // once, stamped with the crossing time, and only once.
        let fired = alerts(out)
        XCTAssertEqual(fired.map(\.eventID), ["churn/c/\(t0 + 5 * day)"])
        XCTAssertEqual(Double(fired[0].ts - t0 - 5 * day), Double(crossing), accuracy: 60_000)
        _ = order(e, "a", at: t0 + 11 * day, into: &out)
        XCTAssertEqual(alerts(out).map(\.eventID), ["churn/c/\(t0 + 5 * day)"])
    }

    func testALateOrderAtTheAlertedEpisodesTimeDoesNotAlertTheEpisodeAgain() {
        // c's first order is late (day 5 behind a watermark at day 10): alerted at once. A second
        // order stamped the same day (CDNOW has same-day orders), read after the alert, does not
        // end the silence after day 5: no reactivation, no second alert with the same id. An
        // order after day 5 does end it.
        let e = makeEngine(reactivated: true)
        var out: [ModelOutput] = []
        _ = order(e, "a", at: t0 + 10 * day, into: &out)
        _ = order(e, "c", at: t0 + 5 * day, into: &out)
        func forC() -> [ChurnAlert] { alerts(out).filter { $0.userID == "c" } }
        XCTAssertEqual(forC().map(\.eventID), ["churn/c/\(t0 + 5 * day)"])
        XCTAssertEqual(order(e, "c", at: t0 + 5 * day, into: &out), .applied)
        XCTAssertEqual(e.customers["c"]?.profile.orderCount, 2)
        advance(e, to: t0 + 400 * day, into: &out)
        XCTAssertEqual(forC().map(\.eventID), ["churn/c/\(t0 + 5 * day)"], "the episode is alerted once")
        _ = order(e, "c", at: t0 + 400 * day, into: &out)
        XCTAssertEqual(forC().map(\.reason).last, "reactivated: ordered again after a churn alert")
        advance(e, to: t0 + 900 * day, into: &out)
        XCTAssertEqual(forC().filter { !$0.reason.hasPrefix("reactivated") }.map(\.eventID),
                       ["churn/c/\(t0 + 5 * day)", "churn/c/\(t0 + 400 * day)"])
    }

    /// Found by the attack round: cancelling the order an alerted silence followed re-armed the
    /// customer's previous episode with a timer long past, and a second alert went out at once,
    /// stamped months before the cancel. The silence is the same one: alerted once.
    func testCancellingTheAlertedOrderDoesNotAlertTheSameSilenceAgain() {
        let e = makeEngine(minSilence: 14 * day)
        var out: [ModelOutput] = []
        _ = order(e, "x", at: t0, into: &out)
        advance(e, to: t0 + 10 * day, into: &out)
        XCTAssertEqual(order(e, "x", at: t0 + 10 * day, into: &out), .applied)
        let second = "o\(offset)"
        advance(e, to: t0 + 200 * day, into: &out)
        XCTAssertEqual(alerts(out).map(\.eventID), ["churn/x/\(t0 + 10 * day)"])
        offset += 1
        let cancel = OrderEvent(eventID: "e\(offset)", type: .cancel, orderID: second, userID: "x", ts: t0 + 201 * day)
        XCTAssertEqual(e.process(.order(cancel), at: SourcePosition(topic: "t", partition: 0, offset: offset), into: &out), .applied)
        XCTAssertEqual(e.customers["x"]?.profile.lastOrderAt, t0)
        advance(e, to: t0 + 400 * day, into: &out)
        XCTAssertEqual(alerts(out).map(\.eventID), ["churn/x/\(t0 + 10 * day)"], "no second alert for the same silence")
        // An order after the cancel ends the silence; the next one is alerted again.
        _ = order(e, "x", at: t0 + 401 * day, into: &out)
        advance(e, to: t0 + 700 * day, into: &out)
        XCTAssertEqual(alerts(out).map(\.eventID), ["churn/x/\(t0 + 10 * day)", "churn/x/\(t0 + 401 * day)"])
    }

    /// a orders at t0, then b's order at `stray` must be refused without moving the clock or firing
    /// a's timer (due at day 3.78).
    func assertStrayTimestampRefused(_ e: CRMEngine, at stray: EventTime, into out: inout [ModelOutput],
                                     file: StaticString = #filePath, line: UInt = #line) {
        _ = order(e, "a", at: t0, into: &out)
        let before = e.watermark.current
        let verdict = order(e, "b", at: stray, into: &out)
        guard case .rejected(let reason) = verdict else { return XCTFail("expected a refusal, got \(verdict)", file: file, line: line) }
        XCTAssertTrue(reason.contains("too far ahead"), reason, file: file, line: line)
        XCTAssertEqual(e.watermark.current, before, file: file, line: line)
        XCTAssertEqual(alerts(out), [], "a's timer (day 3.78) must not fire on a bad clock", file: file, line: line)
        XCTAssertNil(e.customers["b"], file: file, line: line)
    }

    func testFarFutureEventIsRefusedAndFiresNothing() {
        var out: [ModelOutput] = []
        assertStrayTimestampRefused(makeEngine(), at: t0 + 30 * day, into: &out)
    }

    func testAHistoricalStreamReadLiveRefusesAStrayFutureTimestamp() {
        // Last year's data read by a live daemon: the wall clock is 400 days past every event, so
        // it excuses nothing, and a stray timestamp 115 days ahead of the stream is refused.
        let e = makeEngine()
        e.wallNow = t0 + 400 * day
        var out: [ModelOutput] = []
        assertStrayTimestampRefused(e, at: t0 + 115 * day, into: &out)
        // An event at the present (the stream resumed live) is excused and moves the clock.
        XCTAssertEqual(order(e, "c", at: t0 + 400 * day - 1000, into: &out), .applied)
        XCTAssertEqual(alerts(out).map(\.userID), ["a"])
    }

    func testAPartitionTakenOverFromAnotherInstanceIsNotFarInTheFuture() throws {
        // This instance's clock stopped at t0; another instance read a customer up to day 30, and
        // their state is restored here (a rebalance hands the partition back): their next order
        // continues the stream, it is no stray clock.
        let other = makeEngine()
        var out: [ModelOutput] = []
        _ = order(other, "b", at: t0 + 30 * day, into: &out)
        let bytes = CustomerStateCodec.encode(try XCTUnwrap(other.customers["b"]))
        let e = makeEngine()
        e.wallNow = t0 + 400 * day
        _ = order(e, "a", at: t0, into: &out)
        XCTAssertNil(e.restoredHorizon)
        try bytes.withUnsafeBytes { try e.restoreCustomer(userID: "b", partition: 0, from: $0) }
        XCTAssertEqual(e.restoredHorizon, t0 + 30 * day)
        XCTAssertEqual(order(e, "b", at: t0 + 30 * day + 3_600_000, into: &out), .applied)
        XCTAssertEqual(e.customers["b"]?.profile.orderCount, 2)
        // Still refused: more than the jump past what is known.
        guard case .rejected = order(e, "c", at: t0 + 45 * day, into: &out) else { return XCTFail("expected a refusal") }
    }

    func testLearnedScoreStaysMonotoneAndDeterministic() {
        // Two identical runs of a small population with learning on give identical weights and
        // alerts; the learned score never falls with silence.
        func run() -> ([Double], [String]) {
            let e = makeEngine(learn: true)
            var out: [ModelOutput] = []
            offset = 0
            for u in 0..<40 {
                let gap = Int64(5 + u % 7) * day
                let n = u % 4 == 0 ? 1 : 3 + u % 5
                for k in 0..<n { _ = order(e, "u\(u)", at: t0 + Int64(u % 10) * day + Int64(k) * gap, into: &out) }
            }
            advance(e, to: t0 + 300 * day, into: &out)
            return (e.churnScorer.weights, alerts(out).map(\.eventID).sorted())
        }
        let (w1, a1) = run()
        let (w2, a2) = run()
        XCTAssertEqual(w1, w2)
        XCTAssertEqual(a1, a2)
        XCTAssertNotEqual(w1, [0, 1, 0, 0, 0, 0, 0], "outcomes resolved, weights moved")
        for i in ChurnScorer.silenceIndices { XCTAssertGreaterThanOrEqual(w1[i], 0) }
    }

    func testNoAlertBeforeTheMinimumSilenceEvenWhenTheRiskCrossedEarlier() {
        // The one-time buyer's risk crosses 0.8 after `crossing` ms (~3.8 days); with the default
        // 14-day minimum silence the alert fires at t0 + 14 days exactly, and not before.
        XCTAssertEqual(EngineConfig().churnMinSilence, 14 * day)
        let e = makeEngine(minSilence: 14 * day)
        var out: [ModelOutput] = []
        _ = order(e, "c", at: t0, into: &out)
        out.removeAll()
        // (The watermark trails event time by the allowed lateness, 5 s by default; the clock moves a
        // day at a time, as no single step may jump past the far-future bound.)
        for d in 1...13 { e.advance(to: t0 + Int64(d) * day, into: &out) }
        e.advance(to: t0 + 14 * day - 1 + 5_000, into: &out)
        XCTAssertFalse(out.contains { if case .churnAlert = $0 { return true } else { return false } })
        e.advance(to: t0 + 14 * day + 5_000, into: &out)
        let alerts = out.compactMap { o -> ChurnAlert? in if case .churnAlert(let a) = o { return a } else { return nil } }
        XCTAssertEqual(alerts.map(\.ts), [t0 + 14 * day])
        XCTAssertTrue(alerts.first?.reason.hasPrefix("no order for 14 days") ?? false, alerts.first?.reason ?? "")
    }
}
