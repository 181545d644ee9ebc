import XCTest
@testable import Kafka

final class VersionTests: XCTestCase {
    func testLinksAgainstLibrdkafka2() {
        XCTAssertTrue(KafkaInfo.librdkafkaVersion.hasPrefix("2."), KafkaInfo.librdkafkaVersion)
    }
}
