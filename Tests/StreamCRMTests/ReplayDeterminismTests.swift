import CRMModel
import Foundation
import XCTest
@testable import StreamCRM

/// The replay path: the same input lines give the same output bytes, and bad lines are dead letters.
final class ReplayDeterminismTests: XCTestCase {
    private func replay(_ lines: [[UInt8]]) throws -> [CollectingSink.Record] {
        let processor = EventProcessor(engine: CRMEngine(), topics: TopicNames())
        var sink = CollectingSink()
        for (i, line) in lines.enumerated() {
            try line.withUnsafeBytes {
                try processor.handleLine($0, at: SourcePosition(topic: "replay", partition: 0, offset: Int64(i)), sink: &sink)
            }
        }
        if let last = processor.engine.watermark.maxEventTime {
            try processor.advance(to: last + 200 * millisecondsPerDay, sink: &sink)
        }
        return sink.records
    }

    func testSameLinesGiveSameBytesOnRealData() throws {
        let events = try DatasetConverter(format: .otto).convert(fileAt: try SharedData.file(.otto)).events
        let encoder = EventEncoder()
        let lines = events.map { encoder.encode($0) }
        let first = try replay(lines)
        let second = try replay(lines)
        XCTAssertGreaterThan(first.count, 100)
        XCTAssertEqual(first, second)
        let topics = Set(first.map(\.topic))
        XCTAssertTrue(topics.isSuperset(of: ["streamcrm.recommendations", "streamcrm.segments"]), "\(topics)")
    }

    func testHandWorkedSessionGivesCoOccurrenceRecommendation() throws {
        // u1 views a then b (pair a–b counted once); u2 views a: b is a's only neighbour, so u2
        // is offered b "viewed together with a" first (cosine 1/sqrt(1·1) = 1, times u2's
        // normalised affinity for a = 1, the largest term), and a itself is excluded (seen).
        let t0: Int64 = 1_764_755_200_000
        let lines = [
            #"{"event_id":"e1","type":"view","user_id":"u1","item_id":"a","ts":\#(t0)}"#,
            #"{"event_id":"e2","type":"view","user_id":"u1","item_id":"b","ts":\#(t0 + 1000)}"#,
            #"{"event_id":"e3","type":"view","user_id":"u2","item_id":"a","ts":\#(t0 + 2000)}"#,
            #"{"event_id":"e4","type":"view","user_id":"u2","item_id":"a","ts":"not a time"}"#,
        ].map { Array($0.utf8) }
        let records = try replay(lines)
        let recs = records.filter { $0.topic == "streamcrm.recommendations" && $0.key == "u2" }
        XCTAssertEqual(recs.count, 1)
        let text = try XCTUnwrap(recs.first?.text)
        XCTAssertTrue(text.hasPrefix(#"{"event_id":"replay/0/2/recommendation","user_id":"u2","ts":1764755202000,"trigger":{"event_id":"e3","type":"view"},"items":[{"item_id":"b","score":"#), text)
        XCTAssertTrue(text.contains(#""reason":"viewed together with a"}"#), text)
        XCTAssertFalse(text.contains(#""item_id":"a""#), "a seen item was recommended: \(text)")
        let dead = records.filter { $0.topic == "streamcrm.dead-letter" }
        XCTAssertEqual(dead.count, 1)
        XCTAssertEqual(dead.first?.key, "replay/0/3")
        XCTAssertTrue(dead.first?.text?.contains("field 'ts'") ?? false, dead.first?.text ?? "")
    }
}
