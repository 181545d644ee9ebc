import XCTest
@testable import CRMModel

final class ChurnParameterEstimatorTests: XCTestCase {
    let truth = ChurnParameters.cdnowWeeks

    /// Simulates n customers of the BG/NBD process, aged T (weeks), seeded.
    func simulate(_ kind: ChurnModelKind, n: Int, ages: (inout SeededRandom) -> Double, seed: UInt64) -> [WeightedCustomerSummary] {
        var rng = SeededRandom(seed: seed)
        let sim = ChurnSimulator(kind: kind, parameters: truth)
        var merged: [CustomerSummary: Double] = [:]
        for _ in 0..<n {
            let T = ages(&rng)
            var s = sim.summary(age: T, using: &rng)
            // Round to days, as ChurnSummaryBuckets does: this is the aggregated input the daemon fits.
            s.tx = (s.tx * 7).rounded(.down) / 7
            merged[s, default: 0] += 1
        }
        return merged.map { WeightedCustomerSummary(summary: $0.key, weight: $0.value) }
            .sorted { ($0.summary.x, $0.summary.tx, $0.summary.T) < ($1.summary.x, $1.summary.tx, $1.summary.T) }
    }

    func testRecoversBGNBDParametersFromSimulatedData() {
        // 3000 customers, T fixed at 39 weeks (CDNOW's calibration length).
        let data = simulate(.bgnbd, n: 3000, ages: { _ in 39 }, seed: 42)
        let est = ChurnParameterEstimator(kind: .bgnbd, prior: ChurnParameters(r: 1, alpha: 1, a: 1, b: 1))
        let fit = est.fit(data)
        XCTAssertFalse(fit.usedPrior)
        XCTAssertTrue(fit.converged)
        // The MLE must be at least as likely as the truth (an optimiser check that can fail).
        XCTAssertGreaterThanOrEqual(est.logLikelihood(fit.parameters, data), est.logLikelihood(truth, data) - 1e-6)
        // Tolerances ~2–3 standard errors at n = 3000 (FHL report SEs for n = 2357:
        // r .013, α .378, a .186, b .705).
        let q = fit.parameters
        XCTAssertEqual(q.r, truth.r, accuracy: 0.04, "\(q)")
        XCTAssertEqual(q.alpha, truth.alpha, accuracy: 1.0, "\(q)")
        XCTAssertEqual(q.a, truth.a, accuracy: 0.45, "\(q)")
        XCTAssertEqual(q.b, truth.b, accuracy: 1.6, "\(q)")
        // Determinism: same input, same estimate, bit for bit.
        XCTAssertEqual(est.fit(data).parameters, q)
    }

    func testRecoversMBGNBDParametersWithSpreadAges() {
        var ages = SeededRandom(seed: 0)
        _ = ages.next()
        let data = simulate(.mbgnbd, n: 3000, ages: { 26 + 52 * $0.nextDouble() }, seed: 7)
        let est = ChurnParameterEstimator(kind: .mbgnbd)
        let fit = est.fit(data, start: ChurnParameters(r: 0.5, alpha: 2, a: 2, b: 5))
        XCTAssertFalse(fit.usedPrior)
        XCTAssertGreaterThanOrEqual(est.logLikelihood(fit.parameters, data), est.logLikelihood(truth, data) - 1e-6)
        let q = fit.parameters
        XCTAssertEqual(q.r, truth.r, accuracy: 0.04, "\(q)")
        XCTAssertEqual(q.alpha, truth.alpha, accuracy: 1.0, "\(q)")
        XCTAssertEqual(q.a, truth.a, accuracy: 0.45, "\(q)")
        XCTAssertEqual(q.b, truth.b, accuracy: 1.6, "\(q)")
    }

    func testPriorUntilEnoughCustomers() {
        let data = [WeightedCustomerSummary(summary: .init(x: 1, tx: 2, T: 10), weight: 499)]
        let fit = ChurnParameterEstimator(minCustomers: 500).fit(data)
        XCTAssertTrue(fit.usedPrior)
        XCTAssertEqual(fit.parameters, .cdnowWeeks)
        XCTAssertEqual(fit.customers, 499)
        XCTAssertEqual(fit.iterations, 0)
    }

    func testWeightsEqualRepetition() {
        // Σ w·ℓ equals the sum over the repeated rows.
        let s1 = CustomerSummary(x: 2, tx: 30.43, T: 38.86), s2 = CustomerSummary(x: 0, tx: 0, T: 38.86)
        let est = ChurnParameterEstimator(kind: .bgnbd)
        let weighted = est.logLikelihood(truth, [.init(summary: s1, weight: 3), .init(summary: s2, weight: 2)])
        // −9.45860630706627·3 − 0.554713276438158·2 (reference values of ChurnModelTests)
        XCTAssertEqual(weighted, -9.45860630706627 * 3 - 0.554713276438158 * 2, accuracy: 1e-9)
    }

    func testBucketsAggregateAndRemove() {
        let d = millisecondsPerDay
        var b = ChurnSummaryBuckets()
        b.add(orders: 1, firstOrderAt: 0, lastOrderAt: 0)
        b.add(orders: 1, firstOrderAt: 3_600_000, lastOrderAt: 3_600_000) // same day
        b.add(orders: 3, firstOrderAt: 0, lastOrderAt: 14 * d + 5)
        XCTAssertEqual(b.totalCustomers, 3)
        let s = b.summaries(at: 70 * d + 10)
        // One-time buyers merge into one row of weight 2; T = 70 days = 10 weeks.
        XCTAssertEqual(s, [.init(summary: .init(x: 0, tx: 0, T: 10), weight: 2),
                           .init(summary: .init(x: 2, tx: 2, T: 10), weight: 1)])
        // The repeat buyer orders again: remove old state, add new.
        b.remove(orders: 3, firstOrderAt: 0, lastOrderAt: 14 * d + 5)
        b.add(orders: 4, firstOrderAt: 0, lastOrderAt: 21 * d)
        XCTAssertEqual(b.summaries(at: 70 * d).last, .init(summary: .init(x: 3, tx: 3, T: 10), weight: 1))
        b.remove(orders: 9, firstOrderAt: 0, lastOrderAt: 0) // absent: no-op
        XCTAssertEqual(b.totalCustomers, 3)
    }
}
