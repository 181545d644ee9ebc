import XCTest
@testable import CRMModel

/// Reference values: computed independently with mpmath (30 digits) from the textbook formulas
/// (FHL 2005 eqs. 6, 10, 11; Batislam et al. 2007), e.g. for BG/NBD
///   A = B(a,b+x)/B(a,b)·Γ(r+x)α^r/(Γ(r)(α+T)^(r+x)),
///   B = B(a+1,b+x−1)/B(a,b)·Γ(r+x)α^r/(Γ(r)(α+tx)^(r+x)),  P(alive) = A/(A+B),
///   E = (a+b+x−1)/(a−1)·(1 − ((α+T)/(α+T+t))^(r+x)·2F1(r+x,b+x;a+b+x−1;t/(α+T+t)))·P(alive),
///   risk = 1 − PA + PA·((α+T)/(α+T+H))^(r+x), with t = H = 39 weeks, CDNOW parameters.
/// FHL (2005, §5) publish E[Y(39) | x=2, tx=30.43, T=38.86] = 1.226: matched below.
final class ChurnModelTests: XCTestCase {
    let p = ChurnParameters.cdnowWeeks
    let bg = ChurnModel(kind: .bgnbd, horizonDays: 39 * 7)
    let mbg = ChurnModel(kind: .mbgnbd, horizonDays: 39 * 7)

    struct Ref { let s: CustomerSummary; let ll, pa, e, risk: Double }

    let bgRefs = [
        Ref(s: .init(x: 0, tx: 0, T: 38.86), ll: -0.554713276438158, pa: 1, e: 0.195098052011263, risk: 0.855449459216682),
        Ref(s: .init(x: 2, tx: 30.43, T: 38.86), ll: -9.45860630706627, pa: 0.726578570080673, e: 1.22602817476714, risk: 0.445372862082996),
        Ref(s: .init(x: 7, tx: 35.14, T: 38.86), ll: -22.1409140373188, pa: 0.847123484158698, e: 4.40493688122053, risk: 0.160946860385155),
        Ref(s: .init(x: 1, tx: 2.0, T: 38.86), ll: -4.51412645138906, pa: 0.221870900564815, e: 0.212546300651201, risk: 0.877958653383669),
    ]
    let mbgRefs = [
        Ref(s: .init(x: 0, tx: 0, T: 38.86), ll: -0.386952220570853, pa: 0.637253337964895, e: 0.127461382545661, risk: 0.9078846853812),
        Ref(s: .init(x: 2, tx: 30.43, T: 38.86), ll: -9.68718263624996, pa: 0.774419242623646, e: 1.34049742849121, risk: 0.408854120158653),
        Ref(s: .init(x: 7, tx: 35.14, T: 38.86), ll: -22.2380425016921, pa: 0.861089143838175, e: 4.55432053163138, risk: 0.14711424823358),
        Ref(s: .init(x: 1, tx: 2.0, T: 38.86), ll: -4.97996870120813, pa: 0.287072041606301, e: 0.282459443217549, risk: 0.842094396136019),
    ]

    func check(_ m: ChurnModel, _ refs: [Ref], file: StaticString = #filePath, line: UInt = #line) {
        for r in refs {
            XCTAssertEqual(m.logLikelihood(r.s), r.ll, accuracy: 1e-9, "ll \(r.s)", file: file, line: line)
            XCTAssertEqual(m.pAlive(r.s), r.pa, accuracy: 1e-12, "pAlive \(r.s)", file: file, line: line)
            XCTAssertEqual(m.expectedPurchases(r.s, horizonWeeks: 39), r.e, accuracy: 1e-9, "E \(r.s)", file: file, line: line)
            XCTAssertEqual(m.risk(r.s), r.risk, accuracy: 1e-12, "risk \(r.s)", file: file, line: line)
        }
    }

    func testBGNBDAgainstReferenceValues() { check(bg, bgRefs) }
    func testMBGNBDAgainstReferenceValues() { check(mbg, mbgRefs) }

    func testPublishedFHLExpectation() {
        // FHL 2005: 1.226 expected transactions in the next 39 weeks for (2, 30.43, 38.86).
        XCTAssertEqual(bg.expectedPurchases(.init(x: 2, tx: 30.43, T: 38.86), horizonWeeks: 39), 1.226, accuracy: 5e-4)
    }

    func testPAliveByHandDirectArrangement() {
        // P(alive) for (2, 30.43, 38.86) by hand: 1/(1 + a/(b+x−1) · ((α+T)/(α+tx))^(r+x))
        //   a/(b+1) = 0.793/3.426 = 0.231465...; (43.274/34.844)^2.243 = 1.24194^2.243 ≈ 1.6255
        //   → 1/(1 + 0.37626) ≈ 0.72660 (the mpmath reference is 0.726578...).
        let direct = 1 / (1 + 0.793 / 3.426 * pow(43.274 / 34.844, 2.243))
        XCTAssertEqual(direct, 0.72658, accuracy: 1e-4)
        XCTAssertEqual(BGNBD.pAlive(p, .init(x: 2, tx: 30.43, T: 38.86)), direct, accuracy: 1e-12)
    }

    func testOneTimeBuyersAliveInBGButNotInMBG() {
        for T in [1.0, 10, 38.86, 100] {
            XCTAssertEqual(BGNBD.pAlive(p, .init(x: 0, tx: 0, T: T)), 1)
            // MBG: 1/(1 + a/b·((α+T)/α)^r) < 1 and falling with T.
            let expected = 1 / (1 + 0.793 / 2.426 * pow((4.414 + T) / 4.414, 0.243))
            XCTAssertEqual(MBGNBD.pAlive(p, .init(x: 0, tx: 0, T: T)), expected, accuracy: 1e-12)
            XCTAssertLessThan(expected, 1)
        }
    }

    func testRiskIsMonotoneInSilence() {
        for m in [bg, mbg] {
            for (x, tx) in [(0.0, 0.0), (1, 3), (5, 20)] {
                var previous = -1.0
                var T = tx
                while T < 300 {
                    let r = m.risk(.init(x: x, tx: tx, T: T))
                    XCTAssertGreaterThanOrEqual(r, previous - 1e-15, "\(m.kind) x=\(x) T=\(T)")
                    XCTAssert(r >= 0 && r <= 1)
                    previous = r
                    T += 1.5
                }
                XCTAssertGreaterThan(previous, 0.9, "risk approaches 1 with long silence")
            }
        }
    }

    func testSummaryFromEventTimes() {
        let w = Int64(CustomerSummary.millisecondsPerWeek)
        let s = CustomerSummary(orders: 3, firstOrderAt: 1_000, lastOrderAt: 1_000 + 2 * w, now: 1_000 + 5 * w)
        XCTAssertEqual(s, CustomerSummary(x: 2, tx: 2, T: 5))
        let one = CustomerSummary(orders: 1, firstOrderAt: 0, lastOrderAt: 0, now: w / 2)
        XCTAssertEqual(one, CustomerSummary(x: 0, tx: 0, T: 0.5))
        // 2 repeat purchases over 2 weeks: every 7 days; none for a one-time buyer.
        XCTAssertEqual(s.meanInterPurchaseDays, 7)
        XCTAssertNil(one.meanInterPurchaseDays)
    }

    func testAlertTimeIsTheEarliestCrossing() {
        let m = ChurnModel(kind: .mbgnbd, horizonDays: 90)
        let day = millisecondsPerDay
        let first: EventTime = 1_700_000_000_000
        let last = first + 60 * day
        let threshold = 0.8
        guard let t = m.alertTime(orders: 4, firstOrderAt: first, lastOrderAt: last, threshold: threshold) else {
            return XCTFail("should cross within two years")
        }
        let riskAt = { (now: EventTime) in m.score(orders: 4, firstOrderAt: first, lastOrderAt: last, now: now).risk }
        XCTAssertGreaterThanOrEqual(riskAt(t), threshold)
        XCTAssertLessThan(riskAt(t - 60_000), threshold, "not more than one minute late")
        XCTAssertGreaterThan(t, last)
        // Already above the threshold: returns notBefore itself.
        XCTAssertEqual(m.alertTime(orders: 4, firstOrderAt: first, lastOrderAt: last, notBefore: t + day,
                                   threshold: threshold), t + day)
        // Never within a 1-day horizon from the last order.
        XCTAssertNil(m.alertTime(orders: 4, firstOrderAt: first, lastOrderAt: last, threshold: threshold, maxHorizon: day))
    }
}
