import XCTest
@testable import CRMModel

final class OutputIDTests: XCTestCase {
    func testIdsAreDerivedFromTheCause() {
        let p = SourcePosition(topic: "shop.orders", partition: 3, offset: 42)
        XCTAssertEqual(OutputID.make(p, kind: "recommendation"), "shop.orders/3/42/recommendation")
        XCTAssertEqual(OutputID.churn(userID: "u1", episodeStart: 1000), "churn/u1/1000")
    }
}
