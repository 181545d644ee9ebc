import XCTest
@testable import StreamCRM

final class RankAUCTests: XCTestCase {
    func testHandComputedAUC() {
        // Positives 0.35, 0.8; negatives 0.1, 0.4. Pairs (pos > neg): 0.35>0.1, 0.8>0.1, 0.8>0.4 → 3 of 4.
        XCTAssertEqual(RankAUC.auc(scores: [0.1, 0.4, 0.35, 0.8], labels: [false, false, true, true])!, 0.75, accuracy: 1e-12)
    }

    func testTiesCountHalf() {
        // Positives 1, 2; negative 1. Pairs: (1 vs 1) tie = ½, (2 vs 1) = 1 → 1.5 / 2.
        XCTAssertEqual(RankAUC.auc(scores: [1, 1, 2], labels: [false, true, true])!, 0.75, accuracy: 1e-12)
        XCTAssertEqual(RankAUC.auc(scores: [5, 5, 5, 5], labels: [false, true, false, true])!, 0.5, accuracy: 1e-12)
    }

    func testPerfectReversedAndDegenerate() {
        XCTAssertEqual(RankAUC.auc(scores: [1, 2, 3], labels: [false, true, true]), 1)
        XCTAssertEqual(RankAUC.auc(scores: [3, 2, 1], labels: [false, true, true]), 0)
        XCTAssertNil(RankAUC.auc(scores: [1, 2], labels: [true, true]))
        XCTAssertNil(RankAUC.auc(scores: [1], labels: [true, false]))
    }
}
