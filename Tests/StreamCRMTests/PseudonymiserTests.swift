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

    /// Found by the attack round: under pseudonymisation, dead letters still carried the raw
    /// message, customer id included. `privacy.dead_letter.original=auto` now leaves it out then.
    func testDeadLettersLeaveTheRawMessageOutWhilePseudonymising() throws {
        func deadLetter(_ sets: [String]) throws -> String {
            let processor = EventProcessor(engine: CRMEngine(), topics: TopicNames())
            processor.configurePrivacy(try Configuration.load(file: nil, environment: [:], overrides: sets))
            var sink = CollectingSink()
            // Valid JSON, refused by validation (seconds mistaken for milliseconds).
            let line = #"{"event_id":"e1","type":"view","user_id":"alice@example.com","item_id":"a","ts":1764755200}"#
            try Array(line.utf8).withUnsafeBytes {
                try processor.handleLine($0, at: SourcePosition(topic: "shop.clickstream", partition: 3, offset: 41), sink: &sink)
            }
            XCTAssertEqual(processor.counts.deadLetters, 1)
            return try XCTUnwrap(sink.on(TopicNames().deadLetter).first?.text)
        }
        let plain = try deadLetter([])
        XCTAssertTrue(plain.contains(#""original":"{\"event_id\":\"e1\""#), plain)
        let pseudonymised = try deadLetter(["privacy.pseudonymise.key=secret"])
        XCTAssertFalse(pseudonymised.contains("alice"), pseudonymised)
        XCTAssertTrue(pseudonymised.hasSuffix(#""source":{"topic":"shop.clickstream","partition":3,"offset":41},"original_omitted":true,"original_bytes":91}"#),
                      pseudonymised)
        XCTAssertTrue(try deadLetter(["privacy.pseudonymise.key=secret", "privacy.dead_letter.original=keep"]).contains("alice"))
        XCTAssertFalse(try deadLetter(["privacy.dead_letter.original=omit"]).contains("alice"))
    }

    func testAStateDirectoryKeepsThePseudonymisationItWasBuiltWith() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamcrm-pk-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func open(_ key: String?) throws {
            let config = try Configuration.load(file: nil, environment: [:], overrides: [
                "kafka.bootstrap.servers=127.0.0.1:9", "state.dir=\(dir)", "http.port=-1",
            ] + (key.map { ["privacy.pseudonymise.key=\($0)"] } ?? []))
            _ = try CRMDaemon(configuration: config, logger: Logger(level: .error), stopSignal: StopSignal())
        }
        try open("key-a")
        try open("key-a")
        for other in ["key-b", nil] {
            XCTAssertThrowsError(try open(other)) { error in
                guard let e = error as? ConfigError else { return XCTFail("\(error)") }
                XCTAssertEqual(e.key, "privacy.pseudonymise.key")
                XCTAssertTrue(e.problem.contains("was built with another privacy.pseudonymise.key"), e.problem)
                XCTAssertFalse("\(e)".contains("key-a"), "the key must not be echoed")
            }
        }
        // And the other way round: built without, then a key.
        let plain = dir + "-plain"
        defer { try? FileManager.default.removeItem(atPath: plain) }
        let base = ["kafka.bootstrap.servers=127.0.0.1:9", "state.dir=\(plain)", "http.port=-1"]
        _ = try CRMDaemon(configuration: try Configuration.load(file: nil, environment: [:], overrides: base),
                          logger: Logger(level: .error), stopSignal: StopSignal())
        XCTAssertThrowsError(try CRMDaemon(configuration: try Configuration.load(file: nil, environment: [:],
                                                                                 overrides: base + ["privacy.pseudonymise.key=k"]),
                                           logger: Logger(level: .error), stopSignal: StopSignal())) { error in
            XCTAssertTrue("\(error)".contains("was built without pseudonymisation"), "\(error)")
        }
    }
}
