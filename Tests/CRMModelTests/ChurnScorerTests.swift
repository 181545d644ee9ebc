import XCTest
@testable import CRMModel

final class ChurnScorerTests: XCTestCase {
    let day = millisecondsPerDay

    func testFeaturesByHand() {
        let c = ChurnCustomerSnapshot(orders: 4, distinctOrderDays: 3, firstOrderAt: 0, lastOrderAt: 10 * day, monetary: 99)
        let f = ChurnScorer.features(c, now: 20 * day, modelRisk: 0.5)
        // [1, logit 0.5 = 0, ln(1+10), ln(1+20), ln(1+2), ln(1+10), ln(1+99)]
        let expected = [1, 0, log(11.0), log(21.0), log(3.0), log(11.0), log(100.0)]
        for (a, b) in zip(f, expected) { XCTAssertEqual(a, b, accuracy: 1e-12) }
    }

    func testInitialScoreIsTheModelRisk() {
        // Before any outcome resolves, σ(logit(risk)) = risk: the MBG/NBD risk of the reference
        // table in ChurnModelTests (x = 2, tx = 30.43, T = 38.86 weeks, H = 39 weeks) = 0.408854120158653.
        let model = ChurnModel(kind: .mbgnbd, horizonDays: 39 * 7)
        let wk = 7 * day
        let first: EventTime = 0
        let last = EventTime(30.43 * Double(wk))
        let now = EventTime(38.86 * Double(wk))
        // orders = 3 → x = 2 (ChurnModel counts orders − 1 as repeats).
        let c = ChurnCustomerSnapshot(orders: 3, distinctOrderDays: 3, firstOrderAt: first, lastOrderAt: last, monetary: 30)
        let s = ChurnScorer().score(c, model: model, now: now)
        XCTAssertEqual(s.risk, 0.408854120158653, accuracy: 1e-9)
        XCTAssertEqual(s.pAlive, 0.774419242623646, accuracy: 1e-9)
    }

    func testLabelsOfATinyStreamByHand() {
        // Grid every 7 days, H = 14 days. A orders on days 0 and 10; B on day 0 only.
        var sc = ChurnScorer(config: ChurnScorerConfig(snapshotEvery: 7 * day))
        let model = ChurnModel(horizonDays: 14)
        let h = 14 * day
        sc.start(at: 0)
        XCTAssertEqual(sc.nextSnapshot, 0)
        let aBefore = ChurnCustomerSnapshot(orders: 1, distinctOrderDays: 1, firstOrderAt: 0, lastOrderAt: 0, monetary: 10)
        // A's order on day 10 resolves "ordered within 14 days" for grid points 0 and 7.
        sc.observeOrder(userID: "A", before: aBefore, at: 10 * day, horizon: h, model: model)
        XCTAssertEqual(sc.pendingExamples, 2)
        XCTAssertNil(sc.dueSnapshot(now: 14 * day - 1, horizon: h))
        XCTAssertEqual(sc.dueSnapshot(now: 14 * day, horizon: h), 0)
        let a = ChurnCustomerSnapshot(orders: 2, distinctOrderDays: 2, firstOrderAt: 0, lastOrderAt: 10 * day, monetary: 20)
        let b = ChurnCustomerSnapshot(orders: 1, distinctOrderDays: 1, firstOrderAt: 0, lastOrderAt: 0, monetary: 10)
        // Grid point 0 resolves on day 14: B was silent (0, 14]; A was not (already labelled).
        sc.resolveSilent(snapshot: 0, customers: [("A", a), ("B", b)], model: model)
        XCTAssertEqual(sc.orderedExamples, 2)
        XCTAssertEqual(sc.silentExamples, 1)
        XCTAssertEqual(sc.nextSnapshot, 7 * day)
        // Grid point 7 resolves on day 21: only B (A's last order, day 10, is after 7).
        XCTAssertEqual(sc.dueSnapshot(now: 21 * day, horizon: h), 7 * day)
        sc.resolveSilent(snapshot: 7 * day, customers: [("A", a), ("B", b)], model: model)
        XCTAssertEqual(sc.silentExamples, 2)
        XCTAssertEqual(sc.orderedExamples, 2)
        XCTAssertEqual(sc.updates, 2)
        // Ordered examples push the score of A-like customers down, silent ones push B-like up.
        XCTAssertLessThan(sc.score(a, model: model, now: 12 * day).risk, sc.score(b, model: model, now: 12 * day).risk)
    }

    func testLearnedWeightsAreThePosteriorMode() {
        // After absorbing one batch with forgetting 1, the gradient of
        // ½(w−m)ᵀP(w−m) + Σ logloss at the new weights is ≈ 0 (unless a silence weight sits at its
        // bound 0), checked here with the gradient written out independently.
        var sc = ChurnScorer(config: ChurnScorerConfig(snapshotEvery: day, priorPrecision: 2, forgetting: 1, newtonSteps: 30))
        let model = ChurnModel(horizonDays: 10)
        sc.start(at: 0)
        var customers: [(userID: String, stats: ChurnCustomerSnapshot)] = []
        for u in 0..<30 {
            let last = Int64(u % 5) * day
            customers.append(("u\(u)", ChurnCustomerSnapshot(orders: 1 + u % 3, distinctOrderDays: 1 + u % 3, firstOrderAt: 0,
                                                             lastOrderAt: last, monetary: Double(10 + u))))
            if u % 2 == 0 {
                sc.observeOrder(userID: "u\(u)", before: customers[u].stats, at: last + 3 * day, horizon: 10 * day, model: model)
            }
        }
        var batch: [([Double], Double)] = []
        // Rebuild the same batch: ordered examples (grid points in [max(last, t−H), t)), then silent at s = 4 days.
        for u in stride(from: 0, to: 30, by: 2) {
            let c = customers[u].stats
            var s = c.lastOrderAt
            while s < c.lastOrderAt + 3 * day {
                let r = model.score(orders: c.orders, firstOrderAt: 0, lastOrderAt: c.lastOrderAt, now: s).risk
                batch.append((ChurnScorer.features(c, now: s, modelRisk: r), 0)); s += day
            }
        }
        let s4 = 4 * day
        for (_, c) in customers where c.lastOrderAt <= s4 {
            let r = model.score(orders: c.orders, firstOrderAt: 0, lastOrderAt: c.lastOrderAt, now: s4).risk
            batch.append((ChurnScorer.features(c, now: s4, modelRisk: r), 1))
        }
        XCTAssertEqual(sc.pendingExamples + customers.filter { $0.stats.lastOrderAt <= s4 }.count, batch.count)
        sc.resolveSilent(snapshot: s4, customers: customers, model: model)
        let w = sc.weights, m = [0.0, 1, 0, 0, 0, 0, 0]
        for i in 0..<ChurnScorer.dimension {
            var g = 2 * (w[i] - m[i])
            for (phi, y) in batch {
                var u = 0.0
                for j in 0..<ChurnScorer.dimension { u += w[j] * phi[j] }
                g += (1 / (1 + exp(-u)) - y) * phi[i]
            }
            if ChurnScorer.silenceIndices.contains(i) && w[i] == 0 { XCTAssertGreaterThanOrEqual(g, -1e-6); continue }
            XCTAssertEqual(g, 0, accuracy: 1e-6, "gradient component \(i)")
        }
    }

    func testAlertTimeIsTheFirstCrossing() {
        // Initial weights: score = MBG risk; the one-time buyer crosses 0.8 at 326_898_589.5 ms
        // with H = 90 days (see ChurnEngineTests).
        let c = ChurnCustomerSnapshot(orders: 1, distinctOrderDays: 1, firstOrderAt: 0, lastOrderAt: 0, monetary: 1)
        let t = ChurnScorer().alertTime(c, model: ChurnModel(horizonDays: 90), threshold: 0.8)!
        XCTAssertGreaterThanOrEqual(t, 326_898_590)
        XCTAssertLessThanOrEqual(t, 326_898_590 + 60_000)
    }

    func testSolveByHand() {
        // [[2,1],[1,3]] x = [3,5] → x = [4/5, 7/5].
        let x = ChurnScorer.solve([2, 1, 1, 3], [3, 5], 2)!
        XCTAssertEqual(x[0], 0.8, accuracy: 1e-12)
        XCTAssertEqual(x[1], 1.4, accuracy: 1e-12)
        XCTAssertNil(ChurnScorer.solve([1, 2, 2, 4], [1, 1], 2))
    }
}
