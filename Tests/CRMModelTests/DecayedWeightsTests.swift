import XCTest
@testable import CRMModel

final class DecayedWeightsTests: XCTestCase {
    let h: Int64 = 7 * millisecondsPerDay

    func testFactorIsExactForWholeHalfLives() {
        // 2^0 = 1, 2^-1 = 0.5, 2^-2 = 0.25, 2^1 = 2 (negative elapsed): exact powers of two.
        XCTAssertEqual(Decay.factor(elapsed: 0, halfLife: h), 1)
        XCTAssertEqual(Decay.factor(elapsed: h, halfLife: h), 0.5)
        XCTAssertEqual(Decay.factor(elapsed: 2 * h, halfLife: h), 0.25)
        XCTAssertEqual(Decay.factor(elapsed: -h, halfLife: h), 2)
        XCTAssertEqual(Decay.factor(elapsed: 100 * h, halfLife: h), 1.0 / 1_267_650_600_228_229_401_496_703_205_376)
    }

    func testFactorForFractionsMatchesKnownValues() {
        // Half a half-life: 2^-0.5 = 1/sqrt(2) = 0.70710678118654752...
        XCTAssertEqual(Decay.factor(elapsed: h / 2, halfLife: h), 0.7071067811865476, accuracy: 3e-16)  // within 2 ulp
        // 1.25 half-lives: 2^-1.25 = 0.42044820762685725...
        XCTAssertEqual(Decay.factor(elapsed: 5, halfLife: 4), 0.42044820762685725, accuracy: 2e-16)
        // Negative with fraction: elapsed −1, h 4: 2^0.25 = 1.189207115002721...
        XCTAssertEqual(Decay.factor(elapsed: -1, halfLife: 4), 1.189207115002721, accuracy: 1e-15)
        XCTAssertEqual(Decay.exp2(0.5), 2.0.squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(Decay.exp2(-3.5), 0.08838834764831845, accuracy: 3e-17)
        XCTAssertEqual(Decay.exp2(10), 1024)
    }

    func testDecayedValueAfterOneAndTwoHalfLives() {
        let t0: EventTime = 1_764_755_200_123
        var v = DecayedValue(at: t0)
        v.add(8, at: t0, halfLife: h)
        // 8 · 2^-1 = 4, 8 · 2^-2 = 2.
        XCTAssertEqual(v.value(at: t0 + h, halfLife: h), 4)
        XCTAssertEqual(v.value(at: t0 + 2 * h, halfLife: h), 2)
        // Adding 1 after one half-life: 4 + 1 = 5, then one more half-life: 2.5.
        v.add(1, at: t0 + h, halfLife: h)
        XCTAssertEqual(v.value, 5)
        XCTAssertEqual(v.referenceTime, t0 + h)
        XCTAssertEqual(v.value(at: t0 + 2 * h, halfLife: h), 2.5)
        // An out-of-order addition of 4 at t0 decays to the reference: 5 + 4 · 0.5 = 7.
        v.add(4, at: t0, halfLife: h)
        XCTAssertEqual(v.value, 7)
        XCTAssertEqual(v.referenceTime, t0 + h)
    }

    func testForwardDecayRebasesByWholeHalfLives() {
        var d = ForwardDecay(halfLife: 10, landmark: 0, rebaseAfterHalfLives: 64)
        // weight(t) = 2^((t − L)/h): at t = 30, 2^3 = 8.
        XCTAssertEqual(d.weight(at: 30), 8)
        XCTAssertEqual(d.realValue(8, at: 30), 1)
        XCTAssertNil(d.rebaseIfNeeded(for: 639))
        // 645 − 0 = 64.5 half-lives ≥ 64: move by 64 half-lives to 640; values × 2^-64.
        XCTAssertEqual(d.rebaseIfNeeded(for: 645), 1.0 / 18_446_744_073_709_551_616)
        XCTAssertEqual(d.landmark, 640)
        XCTAssertEqual(d.weight(at: 650), 2)
    }

    func testEventWeightsDefaults() {
        let w = EventWeights.default
        XCTAssertEqual(ClickType.allCases.map { w.weight(for: $0) }, [1, 1, 3, -1, 2, 0])
        XCTAssertEqual(w.order, 5)
    }
}
