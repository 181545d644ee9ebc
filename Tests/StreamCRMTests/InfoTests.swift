import XCTest
@testable import StreamCRM

final class InfoTests: XCTestCase {
    func testVersionIsSemver() {
        XCTAssertEqual(StreamCRMInfo.version.split(separator: ".").count, 3)
    }
}
