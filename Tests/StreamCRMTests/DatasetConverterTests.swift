import CRMModel
import Foundation
import XCTest
@testable import StreamCRM

/// Converters on hand-written samples (exact events) and on the real files in shared/data.
final class DatasetConverterTests: XCTestCase {
    // MARK: helpers

    private var tempFiles: [String] = []

    override func tearDown() {
        for path in tempFiles { try? FileManager.default.removeItem(atPath: path) }
        tempFiles = []
        super.tearDown()
    }

    private func write(_ text: String, name: String) throws -> String {
        let path = NSTemporaryDirectory() + "streamcrm-\(UUID().uuidString)-\(name)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        tempFiles.append(path)
        return path
    }

    private func convert(_ text: String, _ format: DatasetFormat) throws -> DatasetConversion {
        try DatasetConverter(format: format).convert(fileAt: try write(text, name: format.rawValue))
    }

    private func dataFile(_ format: DatasetFormat) throws -> String { try SharedData.file(format) }

    private func assertTimeOrdered(_ events: [ShopEvent], file: StaticString = #filePath, line: UInt = #line) {
        var last = EventTime.min
        for (index, event) in events.enumerated() {
            guard let ts = event.ts else { return XCTFail("event \(index) has no ts", file: file, line: line) }
            if ts < last { return XCTFail("event \(index) at \(ts) before \(last)", file: file, line: line) }
            last = ts
        }
    }

    private func click(_ id: String, _ type: ClickType, _ user: String, session: String? = nil, item: String,
                       category: String? = nil, _ ts: EventTime) -> ShopEvent {
        .click(ClickEvent(eventID: id, type: type, userID: user, sessionID: session, itemID: item, category: category, ts: ts))
    }

    // MARK: samples

    func testTaobaoSampleMapsTypesAndRejectsTruncatedLine() throws {
        let text = """
        543462,1715,1464116,pv,1511658000
        662867,2244074,1575622,fav,1511658000
        561558,3611281,965809,cart,1511658001
        1,2,3,buy,1511658002
        bad,line
        301780,543546,4181361,pv,15
        """
        let result = try convert(text, .taobao)
        XCTAssertEqual(result.events, [
            click("tb-1", .view, "tb-543462", item: "tb-1715", category: "1464116", 1_511_658_000_000),
            click("tb-2", .wishlist, "tb-662867", item: "tb-2244074", category: "1575622", 1_511_658_000_000),
            click("tb-3", .addToCart, "tb-561558", item: "tb-3611281", category: "965809", 1_511_658_001_000),
            .order(OrderEvent(eventID: "tb-4", type: .order, orderID: "tb-4", userID: "tb-1", ts: 1_511_658_002_000,
                              items: [OrderLine(itemID: "tb-2", quantity: 1, price: 0)], total: 0)),
        ])
        XCTAssertEqual(result.summary.linesRead, 6)
        XCTAssertEqual(result.summary.eventsEmitted, 4)
        XCTAssertEqual(result.summary.rejectedCount, 2)
        XCTAssertEqual(result.summary.rejected, [
            RejectedLine(line: 5, reason: "expected 5 comma-separated fields, found 2", text: "bad,line"),
            RejectedLine(line: 6, reason: "timestamp 15 is not Unix seconds between 1990-01-01 and 2100-01-01 (truncated or corrupt value?)",
                         text: "301780,543546,4181361,pv,15"),
        ])
    }

    func testTaobaoLateLineIsRejectedAndUnknownBehaviour() throws {
        let text = "1,2,3,pv,1511658005\n1,2,3,pv,1511658004\n1,2,3,click,1511658006\n\n1,2,3,pv,1511658005\n"
        let result = try convert(text, .taobao)
        XCTAssertEqual(result.events.map { $0.ts }, [1_511_658_005_000, 1_511_658_005_000])
        XCTAssertEqual(result.events.compactMap { if case .click(let c) = $0 { return c.eventID } else { return nil } }, ["tb-1", "tb-5"])
        XCTAssertEqual(result.summary.rejected.map(\.line), [2, 3])
        XCTAssertEqual(result.summary.rejected[0].reason,
                       "late event: ts 1511658004000 is earlier than the previous event's 1511658005000 in a time-ordered file")
        XCTAssertEqual(result.summary.rejected[1].reason, "behavior_type 'click' is not pv, fav, cart or buy")
        XCTAssertEqual(result.summary.linesRead, 5)
    }

    func testOttoSampleSortsStablyAcrossSessions() throws {
        let text = """
        {"session":7,"events":[{"aid":11,"ts":1659304800025,"type":"clicks"},{"aid":12,"ts":1659304900000,"type":"carts"},{"aid":12,"ts":1659305000000,"type":"orders"}]}
        {"session":3,"events":[{"aid":11,"ts":1659304800000,"type":"clicks"},{"aid":13,"ts":1659304900000,"type":"clicks"},{"aid":14,"ts":1659304900001,"type":"wat"}]}
        not json
        {"session":1}
        """
        let result = try convert(text, .otto)
        XCTAssertEqual(result.events, [
            click("otto-3-0", .view, "otto-3", session: "otto-3", item: "otto-11", 1_659_304_800_000),
            click("otto-7-0", .view, "otto-7", session: "otto-7", item: "otto-11", 1_659_304_800_025),
            click("otto-7-1", .addToCart, "otto-7", session: "otto-7", item: "otto-12", 1_659_304_900_000),
            click("otto-3-1", .view, "otto-3", session: "otto-3", item: "otto-13", 1_659_304_900_000),
            .order(OrderEvent(eventID: "otto-7-2", type: .order, orderID: "otto-7-2", userID: "otto-7", ts: 1_659_305_000_000,
                              items: [OrderLine(itemID: "otto-12", quantity: 1, price: 0)], total: 0)),
        ])
        XCTAssertEqual(result.summary.rejected.map(\.line), [2, 3, 4])
        XCTAssertEqual(result.summary.rejected.map(\.reason), [
            "event 2: type 'wat' is not clicks, carts or orders",
            "not an OTTO session object: invalid JSON",
            "not an OTTO session object: missing field 'events'",
        ])
    }

    func testCDNOWSampleWithCRLFAndHeader() throws {
        let text = " customer_id  date number_of_cds  dollar_value\r\n"
            + " 00001 19970101  1   11.77\r\n"
            + " 00002 19970112  2   12.00\r\n"
            + " 00002 19970112  3    0.00\r\n"
            + " 00003 19961231  1    5.00\r\n"
            + " 00004 19970230  1    1.00\r\n"
            + " 00005 19970101  1   -1.00\r\n"
        let result = try convert(text, .cdnow)
        func order(_ line: Int, _ customer: String, _ ts: EventTime, _ qty: Int, _ price: Double, _ total: Double) -> ShopEvent {
            .order(OrderEvent(eventID: "cdnow-\(line)", type: .order, orderID: "cdnow-\(line)", userID: "cdnow-\(customer)", ts: ts,
                              items: [OrderLine(itemID: "cd", quantity: qty, price: price)], total: total, currency: "USD"))
        }
        XCTAssertEqual(result.events, [
            order(5, "00003", 851_990_400_000, 1, 5.0, 5.0),
            order(2, "00001", 852_076_800_000, 1, 11.77, 11.77),
            order(3, "00002", 853_027_200_000, 2, 6.0, 12.0),
            order(4, "00002", 853_027_200_000, 3, 0.0, 0.0),
        ])
        XCTAssertEqual(result.summary.rejected, [
            RejectedLine(line: 6, reason: "date '19970230' is not a valid YYYYMMDD date between 1990 and 2100", text: " 00004 19970230  1    1.00"),
            RejectedLine(line: 7, reason: "dollar_value '-1.00' is not a non-negative decimal amount", text: " 00005 19970101  1   -1.00"),
        ])
        XCTAssertEqual(result.summary.linesRead, 7)
    }

    func testDigineticaSampleWithNAUser() throws {
        let text = "session_id;user_id;item_id;timeframe;eventdate\n"
            + "1;NA;81766;526309;2016-05-09\n"
            + "1;NA;31331;1031018;2016-05-09\n"
            + "2;42;7;0;2016-01-03\n"
            + "3;x;1;1;2016-01-03"
        let result = try convert(text, .diginetica)
        XCTAssertEqual(result.events, [
            click("dg-4", .view, "dg-u42", session: "dg-s2", item: "dg-7", 1_451_779_200_000),
            click("dg-2", .view, "dg-s1", session: "dg-s1", item: "dg-81766", 1_462_752_000_000 + 526_309),
            click("dg-3", .view, "dg-s1", session: "dg-s1", item: "dg-31331", 1_462_752_000_000 + 1_031_018),
        ])
        XCTAssertEqual(result.summary.rejected, [
            RejectedLine(line: 5, reason: "user_id 'x' is neither NA nor a decimal id", text: "3;x;1;1;2016-01-03"),
        ])
    }

    func testMissingFileThrowsAndSinkSeesSameEvents() throws {
        XCTAssertThrowsError(try DatasetConverter(format: .otto).convert(fileAt: "/nonexistent/streamcrm.jsonl")) { error in
            XCTAssertEqual(error as? DatasetConverterError, .cannotOpen(path: "/nonexistent/streamcrm.jsonl", reason: "no such file"))
        }
        let path = try write("2;42;7;5;2016-01-03\n1;NA;81766;0;2016-01-03", name: "dg.csv")
        var seen: [ShopEvent] = []
        let summary = try DatasetConverter(format: .diginetica).convert(fileAt: path) { seen.append($0) }
        XCTAssertEqual(summary.eventsEmitted, 2)
        XCTAssertEqual(seen.compactMap { if case .click(let c) = $0 { return c.eventID } else { return nil } }, ["dg-2", "dg-1"])
    }

    func testLineReaderAcrossChunkBoundaries() throws {
        let lines = (0..<50).map { "line-\($0)-" + String(repeating: "x", count: $0) }
        let path = try write(lines.joined(separator: "\r\n") + "\r\n", name: "lines.txt")
        var reader = try DatasetLineReader(path: path, chunkSize: 16)
        var read: [String] = []
        while let line = try reader.next() { read.append(line) }
        XCTAssertEqual(read, lines)
        XCTAssertEqual(reader.lineNumber, 50)
    }

    // MARK: real files

    func testRealTaobao() throws {
        let result = try DatasetConverter(format: .taobao).convert(fileAt: try dataFile(.taobao))
        XCTAssertEqual(result.events.count, 96_168)
        XCTAssertEqual(result.summary.linesRead, 96_169)
        XCTAssertEqual(result.summary.rejected.map(\.line), [96_169])
        XCTAssertEqual(result.summary.rejected.first?.text, "301780,543546,4181361,pv,15")
        var kinds: [String: Int] = [:]
        for event in result.events {
            switch event {
            case .click(let c): kinds[c.type.rawValue, default: 0] += 1
            case .order: kinds["order", default: 0] += 1
            default: XCTFail("unexpected \(event)")
            }
        }
        // README: 85,774 pv, 5,292 cart, 2,959 fav, 2,144 buy over 96,169 rows; the dropped row is a pv.
        XCTAssertEqual(kinds, ["view": 85_773, "add_to_cart": 5_292, "wishlist": 2_959, "order": 2_144])
        XCTAssertEqual(Set(result.events.compactMap(\.userID)).count, 58_732)
        XCTAssertEqual(result.events.first?.ts, 1_511_658_000_000)
        assertTimeOrdered(result.events)
    }

    func testRealOtto() throws {
        let result = try DatasetConverter(format: .otto).convert(fileAt: try dataFile(.otto))
        XCTAssertEqual(result.events.count, 862)
        XCTAssertEqual(result.summary.rejectedCount, 0)
        XCTAssertEqual(Set(result.events.compactMap(\.userID)).count, 20)
        var views = 0, carts = 0, orders = 0
        for event in result.events {
            switch event {
            case .click(let c) where c.type == .view: views += 1
            case .click(let c) where c.type == .addToCart: carts += 1
            case .order: orders += 1
            default: XCTFail("unexpected \(event)")
            }
        }
        XCTAssertEqual([views, carts, orders], [800, 52, 10])
        assertTimeOrdered(result.events)
    }

    func testRealCDNOW() throws {
        let result = try DatasetConverter(format: .cdnow).convert(fileAt: try dataFile(.cdnow))
        XCTAssertEqual(result.events.count, 69_659)
        XCTAssertEqual(result.summary.rejectedCount, 0)
        XCTAssertEqual(Set(result.events.compactMap(\.userID)).count, 23_570)
        var total = 0.0, cds = 0
        for case .order(let order) in result.events {
            total += order.monetaryValue
            cds += order.items.reduce(0) { $0 + $1.quantity }
        }
        XCTAssertEqual(total, 2_500_315.63, accuracy: 0.01)
        XCTAssertEqual(cds, 167_881)
        XCTAssertEqual(result.events.first?.ts, 852_076_800_000) // 1997-01-01
        XCTAssertEqual(result.events.last?.ts, 899_164_800_000) // 1998-06-30
        assertTimeOrdered(result.events)
    }

    func testRealDiginetica() throws {
        let result = try DatasetConverter(format: .diginetica).convert(fileAt: try dataFile(.diginetica))
        XCTAssertEqual(result.events.count, 12_391)
        XCTAssertEqual(result.summary.rejectedCount, 0)
        var sessions = Set<String>(), anonymous = 0
        for case .click(let click) in result.events {
            sessions.insert(click.sessionID ?? "")
            if click.userID == click.sessionID { anonymous += 1 }
        }
        XCTAssertEqual(sessions.count, 2_986)
        XCTAssertEqual(anonymous, 7_681)
        assertTimeOrdered(result.events)
    }
}
