import XCTest
@testable import Kafka

final class VersionTests: XCTestCase {
    func testLinksAgainstLibrdkafka2() {
        XCTAssertTrue(Kafka.librdkafkaVersion.hasPrefix("2."), Kafka.librdkafkaVersion)
    }
}
