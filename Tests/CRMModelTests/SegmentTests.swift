import XCTest
@testable import CRMModel

final class SegmentNamerTests: XCTestCase {
    func c(_ recency: Double, _ orders: Double, _ monetary: Double) -> [Double] {
        CustomerFeatures.vector(recencyDays: recency, orders: orders, monetary: monetary,
                                avgOrderValue: orders > 0 ? monetary / orders : 0, views: 10, carts: 1,
                                distinctCategories: 2)
    }

    func testNamesByRule() {
        let centroids = [
            c(3, 0.2, 5),      // browsers: orders < 0.5
            c(300, 2, 100),    // lapsed: recency ≥ 180
            c(90, 3, 150),     // at risk: 60 ≤ recency < 180
            c(5, 1, 40),       // new: orders < 1.5
            c(10, 8, 2000),    // high value: top monetary; median buyer monetary = 150 (of 40,100,150,300,400,2000 → (150+300)/2 = 225); 2000 ≥ 1.5·225
            c(10, 5, 300),     // loyal: orders ≥ 3
            c(400, 1, 30),     // lapsed again → "lapsed 2"
            c(12, 2, 120),     // regular: 1.5 ≤ orders < 3
        ]
        XCTAssertEqual(SegmentNamer().names(rawCentroids: centroids),
                       ["browsers", "lapsed", "at risk", "new", "high value", "loyal", "lapsed 2", "regular"])
    }

    func testNoHighValueWhenNotAboveMedian() {
        // Two similar active repeat segments: top monetary 110 < 1.5 · median(100, 110) = 157.5.
        XCTAssertEqual(SegmentNamer().names(rawCentroids: [c(5, 4, 100), c(5, 4, 110)]), ["loyal", "loyal 2"])
    }
}

final class SegmentAssignerTests: XCTestCase {
    let centroids: [[Double]] = [[0, 0], [1, 0]]

    func testNewCustomerGoesToNearest() {
        XCTAssertEqual(SegmentAssigner().assign([0.9, 0], current: nil, centroids: centroids),
                       SegmentDecision(segment: 1, changed: true, nearest: 1))
    }

    func testStaysWithinMargin() {
        // d(s=0) = 0.52, d(t=1) = 0.48: 0.04 ≤ 0.1 → stays.
        XCTAssertEqual(SegmentAssigner().assign([0.52, 0], current: 0, centroids: centroids),
                       SegmentDecision(segment: 0, changed: false, nearest: 1))
    }

    func testMovesPastMargin() {
        // d(s=0) = 0.6, d(t=1) = 0.4: 0.2 > 0.1 → moves.
        XCTAssertEqual(SegmentAssigner().assign([0.6, 0], current: 0, centroids: centroids),
                       SegmentDecision(segment: 1, changed: true, nearest: 1))
        // With relativeMargin 0.2: needs 0.2 > 0.1 + 0.2·0.6 = 0.22 → stays.
        XCTAssertFalse(SegmentAssigner(relativeMargin: 0.2).assign([0.6, 0], current: 0, centroids: centroids).changed)
    }

    func testUnknownCurrentSegmentReassigns() {
        XCTAssertEqual(SegmentAssigner().assign([0.1, 0], current: 7, centroids: centroids).segment, 0)
    }
}
