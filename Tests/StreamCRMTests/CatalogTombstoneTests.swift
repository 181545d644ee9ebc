import CRMModel
import Foundation
import XCTest
@testable import StreamCRM

/// A tombstone (a message without a value) on the compacted catalog topic withdraws the item; on
/// any other topic, or without an item id as its key, it is a dead letter naming why.
final class CatalogTombstoneTests: XCTestCase {
    let topics = TopicNames()
    let t0: EventTime = 1_764_755_200_000
    var offset: Int64 = 0

    func send(_ p: EventProcessor, _ event: ShopEvent, topic: String, _ sink: inout CollectingSink) throws {
        offset += 1
        try EventEncoder().encode(event).withUnsafeBytes {
            try p.handle($0, at: SourcePosition(topic: topic, partition: 0, offset: offset), sink: &sink)
        }
    }

    func view(_ p: EventProcessor, _ user: String, _ item: String, at minute: Int64, _ sink: inout CollectingSink) throws {
        try send(p, .click(ClickEvent(eventID: "e\(offset)", type: .view, userID: user, itemID: item, ts: t0 + minute * 60_000)),
                 topic: topics.clickstream, &sink)
    }

    func tombstone(_ p: EventProcessor, key: String?, topic: String, _ sink: inout CollectingSink) throws {
        offset += 1
        let position = SourcePosition(topic: topic, partition: 0, offset: offset)
        guard let key else { return try p.handleTombstone(key: nil, at: position, sink: &sink) }
        try Array(key.utf8).withUnsafeBytes { try p.handleTombstone(key: $0, at: position, sink: &sink) }
    }

    func recommendedItems(_ sink: CollectingSink, user: String) -> [String] {
        guard let last = sink.on(topics.recommendations).last(where: { $0.key == user }), let text = last.text,
              let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let items = json["items"] as? [[String: Any]] else { return [] }
        return items.compactMap { $0["item_id"] as? String }
    }

    func testATombstoneWithdrawsTheItemFromRecommendations() throws {
        let p = EventProcessor(engine: CRMEngine(), topics: topics)
        var sink = CollectingSink()
        try send(p, .catalog(CatalogItem(itemID: "b", category: "shoes", price: 40)), topic: topics.catalog, &sink)
        // a, b and c are viewed together: b and c are a's neighbours.
        for (n, u) in ["u1", "u2", "u3"].enumerated() {
            try view(p, u, "a", at: Int64(n * 10), &sink)
            try view(p, u, "b", at: Int64(n * 10 + 1), &sink)
            try view(p, u, "c", at: Int64(n * 10 + 2), &sink)
        }
        try view(p, "u4", "a", at: 40, &sink)
        XCTAssertTrue(recommendedItems(sink, user: "u4").contains("b"), "the control: b is recommended beside a")

        try tombstone(p, key: "b", topic: topics.catalog, &sink)
        XCTAssertEqual(p.engine.catalog["b"], CatalogItem(itemID: "b", category: "shoes", price: 40, available: false))
        try view(p, "u5", "a", at: 50, &sink)
        XCTAssertTrue(recommendedItems(sink, user: "u5").contains("c"))
        XCTAssertFalse(recommendedItems(sink, user: "u5").contains("b"), "withdrawn")
        XCTAssertEqual(p.counts.deadLetters, 0)

        // A new record brings it back.
        try send(p, .catalog(CatalogItem(itemID: "b", category: "shoes", price: 35)), topic: topics.catalog, &sink)
        XCTAssertEqual(p.engine.catalog["b"]?.available, true)
    }

    func testTombstonesElsewhereOrWithoutAKeyAreDeadLetters() throws {
        let p = EventProcessor(engine: CRMEngine(), topics: topics)
        var sink = CollectingSink()
        try tombstone(p, key: "u1", topic: topics.clickstream, &sink)
        try tombstone(p, key: nil, topic: topics.catalog, &sink)
        try tombstone(p, key: "", topic: topics.catalog, &sink)
        let reasons = sink.on(topics.deadLetter).compactMap(\.text)
        XCTAssertEqual(reasons.count, 3)
        XCTAssertTrue(reasons[0].contains("only the catalog topic takes tombstones"), reasons[0])
        XCTAssertTrue(reasons[1].contains("needs the item id as its key"), reasons[1])
        XCTAssertTrue(reasons[2].contains("needs the item id as its key"), reasons[2])
        XCTAssertTrue(p.engine.catalog.isEmpty)
    }
}
