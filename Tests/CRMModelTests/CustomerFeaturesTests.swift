import XCTest
@testable import CRMModel

final class CustomerFeaturesTests: XCTestCase {
    func testVectorByHand() {
        let v = CustomerFeatures.vector(recencyDays: 9, orders: 3, monetary: 99, avgOrderValue: 33,
                                        views: 10, carts: 2, distinctCategories: 2)
        // log1p(9) = ln 10, log1p(3) = ln 4, ln 100, ln 34, 3/(3+10+2+1) = 3/16, ln 3.
        let expected = [log(10.0), log(4.0), log(100.0), log(34.0), 3.0 / 16, log(3.0)]
        XCTAssertEqual(v.count, CustomerFeatures.names.count)
        for (a, b) in zip(v, expected) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        let raw = CustomerFeatures.rawValues(v)
        for (a, b) in zip(raw, [9.0, 3, 99, 33, 3.0 / 16, 2]) { XCTAssertEqual(a, b, accuracy: 1e-9) }
    }

    func testBadInputsAreZero() {
        let v = CustomerFeatures.vector(recencyDays: -4, orders: .nan, monetary: -1, avgOrderValue: .infinity,
                                        views: 0, carts: 0, distinctCategories: 0)
        XCTAssertEqual(v, [0, 0, 0, 0, 0, 0])
    }

    func testWelfordByHand() {
        var s = FeatureStandardizer(dimension: 1)
        for x in [1.0, 2, 3, 4] { s.update([x]) }
        // mean 2.5, population variance ((1.5² + 0.5²)·2)/4 = 1.25
        XCTAssertEqual(s.mean[0], 2.5, accuracy: 1e-12)
        XCTAssertEqual(s.variance[0], 1.25, accuracy: 1e-12)
        XCTAssertEqual(s.standardize([4])[0], 1.5 / 1.25.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(s.destandardize(s.standardize([7]))[0], 7, accuracy: 1e-12)
    }

    func testDecayedWelfordByHand() {
        // d = 0.5, observations 0 then 2: weights 0.5 and 1 →
        // mean (0·0.5 + 2·1)/1.5 = 4/3; var (0.5·(16/9) + 1·(4/9))/1.5 = 8/9.
        var s = FeatureStandardizer(dimension: 1, decay: 0.5)
        s.update([0]); s.update([2])
        XCTAssertEqual(s.weight, 1.5, accuracy: 1e-12)
        XCTAssertEqual(s.mean[0], 4.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(s.variance[0], 8.0 / 9, accuracy: 1e-12)
    }

    func testConstantFeatureStandardisesToZero() {
        var s = FeatureStandardizer(dimension: 2)
        for x in [1.0, 2, 3] { s.update([5, x]) }
        XCTAssertEqual(s.standardize([5, 2]), [0, 0])
    }
}
