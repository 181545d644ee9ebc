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

/// Found in the demo: a centroid reseeded by splitting the heaviest ("high value") kept its dead
/// predecessor's name ("browsers") until the next periodic rename, up to 2 000 updates later.
final class SegmentRenameTests: XCTestCase {
    func testAReseededCentroidIsNamedAtOnce() {
        var c = EngineStateTests.config()
        c.segmentDecay = 0.95         // fast forgetting: centroids die and are reseeded
        c.segmentRenameEvery = 1_000_000
        let engine = CRMEngine(config: c)
        var outputs: [ModelOutput] = []
        var checked = 0
        for (e, p) in EngineStateTests.stream(count: 1_500) {
            let before = engine.kmeans.reseeds
            engine.process(e, at: p, into: &outputs)
            guard engine.kmeans.reseeds != before else { continue }
            let raw = engine.kmeans.centroids.map { engine.standardizer.destandardize($0) }
            XCTAssertEqual(engine.segmentNames, SegmentNamer().names(rawCentroids: raw), "after reseed \(engine.kmeans.reseeds)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 0, "the stream reseeded no centroid: the test checks nothing")
    }
}
