import CRMModel
import XCTest
@testable import StreamCRM

final class PseudonymiserTests: XCTestCase {
    func testKeyedHashMatchesHMACSHA256() throws {
        // Reference values from Python: hmac.new(key, msg, hashlib.sha256).hexdigest()[:32].
        let p = try XCTUnwrap(Pseudonymiser(key: "secret"))
        XCTAssertEqual(p.pseudonym("u42"), "p-168f3ef0b95e3bc5eea6df8da6e5280e")
        XCTAssertEqual(Pseudonymiser(key: "key")?.pseudonym(""), "p-5d5d139563c95b5967b9bd9a8c9b233a")
        XCTAssertNil(Pseudonymiser(key: ""))
    }

    func testEventsForgetAndOutputsUseThePseudonym() throws {
        let processor = EventProcessor(engine: CRMEngine(), topics: TopicNames())
        processor.pseudonymiser = Pseudonymiser(key: "secret")
        var sink = CollectingSink()
        let lines = [
            #"{"event_id":"e1","type":"view","user_id":"u42","item_id":"a","ts":1764755200000}"#,
            #"{"event_id":"e2","type":"view","user_id":"u7","item_id":"b","ts":1764755201000}"#,
            #"{"type":"forget_user","user_id":"u42"}"#,
        ]
        for (i, line) in lines.enumerated() {
            try Array(line.utf8).withUnsafeBytes {
                try processor.handleLine($0, at: SourcePosition(topic: "replay", partition: 0, offset: Int64(i)), sink: &sink)
            }
        }
        let pseudonym = "p-168f3ef0b95e3bc5eea6df8da6e5280e"
        XCTAssertNil(processor.engine.customers["u42"])
        XCTAssertNil(processor.engine.customers[pseudonym], "forget_user did not reach the pseudonymised customer")
        XCTAssertEqual(processor.engine.customers.count, 1)
        XCTAssertFalse(sink.records.contains { $0.key == "u42" || $0.key == "u7" || ($0.text ?? "").contains("\"u42\"") })
        XCTAssertEqual(sink.records.last?.key, pseudonym)
        XCTAssertNil(sink.records.last?.value)
    }
}
