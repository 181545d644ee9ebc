import XCTest
@testable import CRMModel
@testable import StreamCRM

/// Encoders (exact bytes), round trips, base64, ISO-8601 arithmetic.
final class CodecEncoderTests: XCTestCase {
    func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    // MARK: ISO-8601

    func testISO8601KnownValues() throws {
        XCTAssertEqual(try ISO8601Timestamp.parse("2026-12-01T10:00:00Z"), 1_796_119_200_000)
        XCTAssertEqual(try ISO8601Timestamp.parse("2026-12-01T10:00:00.123+01:00"), 1_796_115_600_123)
        XCTAssertEqual(try ISO8601Timestamp.parse("2026-12-01T10:00:00-05:30"), 1_796_139_000_000)
        XCTAssertEqual(try ISO8601Timestamp.parse("2024-02-29T00:00:00z"), 1_709_164_800_000)
        XCTAssertEqual(try ISO8601Timestamp.parse("2000-02-29t00:00:00.5Z"), 951_782_400_500)
        XCTAssertEqual(try ISO8601Timestamp.parse("2000-01-01T00:00:00.999999999Z"), 946_684_800_999)
        XCTAssertEqual(try ISO8601Timestamp.parse("1970-01-01T00:00:00Z"), 0)
        XCTAssertEqual(try ISO8601Timestamp.parse("2099-12-31T23:59:59Z"), 4_102_444_799_000)
        XCTAssertEqual(ISO8601Timestamp.daysFromCivil(year: 2026, month: 12, day: 1), 20_788)
        XCTAssertTrue(ISO8601Timestamp.civilFromDays(20_788) == (2026, 12, 1))
        XCTAssertTrue(ISO8601Timestamp.civilFromDays(-1) == (1969, 12, 31))
        XCTAssertEqual(ISO8601Timestamp.format(1_796_115_600_123), "2026-12-01T09:00:00.123Z")
        XCTAssertEqual(ISO8601Timestamp.format(946_684_800_000), "2000-01-01T00:00:00Z")
        XCTAssertThrowsError(try ISO8601Timestamp.parse("2100-02-29T00:00:00Z"))
        XCTAssertThrowsError(try ISO8601Timestamp.parse("2026-04-31T00:00:00Z"))
        XCTAssertThrowsError(try ISO8601Timestamp.parse("2026-12-01T10:00:60Z"))
        XCTAssertThrowsError(try ISO8601Timestamp.parse("2026-12-01T10:00:00.Z"))
        XCTAssertThrowsError(try ISO8601Timestamp.parse("2026-12-01T10:00:00Z "))
        XCTAssertThrowsError(try ISO8601Timestamp.parse("20261201T100000Z"))
    }

    func testCivilDaysRoundTripOverFourCenturies() {
        var days = ISO8601Timestamp.daysFromCivil(year: 1900, month: 1, day: 1)
        for year: Int64 in 1900..<2300 {
            for month: Int64 in 1...12 {
                for day in 1...ISO8601Timestamp.daysInMonth(year: year, month: month) {
                    XCTAssertEqual(ISO8601Timestamp.daysFromCivil(year: year, month: month, day: day), days)
                    let civil = ISO8601Timestamp.civilFromDays(days)
                    if civil != (year, month, day) { XCTFail("\(days) -> \(civil)"); return }
                    days += 1
                }
            }
        }
    }

    // MARK: Writer

    func testStringEscapingAndNumbers() {
        var out: [UInt8] = []
        JSONWriter.appendString("a\"b\\c\n\u{1}\u{1F}\u{7F}é😀/\u{2028}", to: &out)
        XCTAssertEqual(text(out), "\"a\\\"b\\\\c\\u000a\\u0001\\u001f\u{7F}é😀/\u{2028}\"")
        func d(_ v: Double) -> String { var o: [UInt8] = []; JSONWriter.appendDouble(v, to: &o); return text(o)! }
        XCTAssertEqual(d(59.9), "59.9")
        XCTAssertEqual(d(60), "60")
        XCTAssertEqual(d(-0.0), "0")
        XCTAssertEqual(d(0.1 + 0.2), "0.30000000000000004")
        XCTAssertEqual(d(1e-5), "1e-05")
        XCTAssertEqual(d(1e300), "1e+300")
        XCTAssertEqual(d(.nan), "null")
        XCTAssertEqual(d(-.infinity), "null")
        func i(_ v: Int64) -> String { var o: [UInt8] = []; JSONWriter.appendInt(v, to: &o); return text(o)! }
        XCTAssertEqual(i(0), "0")
        XCTAssertEqual(i(-42), "-42")
        XCTAssertEqual(i(Int64.min), "-9223372036854775808")
        XCTAssertEqual(i(1_796_119_200_000), "1796119200000")
    }

    func testEveryDoubleWrittenReadsBackExactly() throws {
        var state: UInt64 = 12345
        for _ in 0..<2000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let v = Double(bitPattern: state >> 1)   // positive
            if !v.isFinite { continue }
            var out = Array(#"{"item_id":"i","price":"#.utf8)
            JSONWriter.appendDouble(v, to: &out)
            out.append(UInt8(ascii: "}"))
            XCTAssertEqual(try EventDecoder().decode(out, from: .catalog), .catalog(CatalogItem(itemID: "i", price: v)))
        }
    }

    /// Escaping scans eight bytes at a time: compare with a byte-by-byte reference on strings with
    /// special bytes at every position and length.
    func testEscapingMatchesByteReference() {
        func reference(_ bytes: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            for b in bytes {
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { out += [UInt8(ascii: "\\"), b] }
                else if b < 0x20 {
                    let hex = Array("0123456789abcdef".utf8)
                    out += Array("\\u00".utf8) + [hex[Int(b >> 4)], hex[Int(b & 0xF)]]
                }
                else { out.append(b) }
            }
            return out
        }
        let specials: [UInt8] = [0x00, 0x1F, 0x0A, 0x22, 0x5C, 0x20, 0x7F, 0xC3, 0xA9, 0xE2, 0x80, 0xA8]
        var state: UInt64 = 77
        for length in 0..<40 {
            for _ in 0..<40 {
                var bytes = Array("abcdefghijklmnopqrstuvwxyz0123456789-_~/ABCD".utf8.prefix(length))
                state = state &* 6364136223846793005 &+ 1442695040888963407
                if length > 0 {
                    let at = Int(state >> 33) % length
                    bytes[at] = specials[Int(state >> 20) % specials.count]
                    if state & 1 == 0 { bytes[(at * 7) % length] = specials[Int(state >> 40) % specials.count] }
                }
                var out: [UInt8] = []
                bytes.withUnsafeBytes { JSONWriter.appendEscaped($0, to: &out) }
                XCTAssertEqual(out, reference(bytes), "\(bytes)")
            }
        }
    }

    /// `appendDouble` writes without making a String; the characters must be `description`'s
    /// (the shortest round trip), for every kind of double the outputs carry.
    func testDoublesWrittenAsDescription() {
        var state: UInt64 = 987_654_321
        var values: [Double] = [0.1, 1e-7, 1e22, 0.30000000000000004, 123456.789, -2.5, 1e15 + 0.5, 1e16, 1e300,
                                .leastNonzeroMagnitude, .greatestFiniteMagnitude, -0.000123]
        for _ in 0..<20_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            values.append(Double(bitPattern: state))
            values.append(Double(state >> 11) / Double(1 << 53))
        }
        for v in values where v.isFinite && !(v.magnitude < 1e15 && Double(Int64(v)) == v) {
            var out: [UInt8] = [UInt8(ascii: "[")]
            JSONWriter.appendDouble(v, to: &out)
            XCTAssertEqual(text(out), "[" + v.description, "\(v.bitPattern)")
        }
    }

    // MARK: Event encoder

    func testEventEncoderExactBytes() {
        let e = EventEncoder()
        XCTAssertEqual(text(e.encode(.click(ClickEvent(eventID: "c-1001", type: .view, userID: "u42", sessionID: "s9",
                                                       itemID: "i17", category: "shoes", price: 59.9, ts: 1_764_755_200_123)))),
                       #"{"event_id":"c-1001","type":"view","user_id":"u42","session_id":"s9","item_id":"i17","category":"shoes","price":59.9,"ts":1764755200123}"#)
        XCTAssertEqual(text(e.encode(.order(OrderEvent(eventID: "o-77", type: .order, orderID: "o-77", userID: "u42",
                                                       ts: 1_796_119_200_000, items: [OrderLine(itemID: "i17", quantity: 1, price: 59.9)],
                                                       total: 59.9, currency: "EUR")))),
                       #"{"event_id":"o-77","type":"order","order_id":"o-77","user_id":"u42","ts":1796119200000,"items":[{"item_id":"i17","quantity":1,"price":59.9}],"total":59.9,"currency":"EUR"}"#)
        XCTAssertEqual(text(e.encode(.order(OrderEvent(eventID: "r", type: .refund, orderID: "o", userID: "u", ts: 1)))),
                       #"{"event_id":"r","type":"refund","order_id":"o","user_id":"u","ts":1}"#)
        XCTAssertEqual(text(e.encode(.catalog(CatalogItem(itemID: "i17", brand: "a\"b", available: false, tags: ["x", "y"])))),
                       #"{"item_id":"i17","brand":"a\"b","available":false,"tags":["x","y"]}"#)
        XCTAssertEqual(text(e.encode(.forgetUser(userID: "u42"))), #"{"type":"forget_user","user_id":"u42"}"#)
        var buffer = Array("prefix".utf8)
        e.encode(.forgetUser(userID: "u"), into: &buffer)
        XCTAssertEqual(text(buffer), #"prefix{"type":"forget_user","user_id":"u"}"#)
    }

    func testEventRoundTrips() throws {
        let events: [ShopEvent] = [
            .click(ClickEvent(eventID: "e\u{2028}1", type: .search, userID: "ü\u{1F600}", query: "\"q\"\n", ts: 946_684_800_000)),
            .click(ClickEvent(eventID: "e", type: .removeFromCart, userID: "u", sessionID: "s", itemID: "i",
                              category: "c", price: 1e20, ts: 4_102_444_799_999)),
            .order(OrderEvent(eventID: "o", type: .order, orderID: "o", userID: "u", ts: 1_796_119_200_000,
                              items: [OrderLine(itemID: "a", quantity: 3, price: 1e-7), OrderLine(itemID: "b", quantity: 1, price: 0.1)])),
            .order(OrderEvent(eventID: "c", type: .cancel, orderID: "o", userID: "u", ts: 1_796_119_200_000, total: 12.5, currency: "EUR")),
            .catalog(CatalogItem(itemID: "i", category: "c", brand: "b", price: 3, available: true, tags: [])),
            .forgetUser(userID: "u\\"),
        ]
        for event in events {
            let bytes = EventEncoder().encode(event)
            XCTAssertEqual(try EventDecoder().decodeLine(bytes), event, text(bytes)!)
        }
    }

    // MARK: Output encoder

    func testRecommendationExactBytes() {
        let r = Recommendation(eventID: "shop.clickstream/0/7/recommendation", userID: "u42", ts: 1_764_755_200_123,
                               triggerEventID: "c-1001", triggerType: "view",
                               items: [RecommendedItem(itemID: "i18", score: 0.75, reason: "bought together with i17"),
                                       RecommendedItem(itemID: "i3", score: 0.1, reason: "popular in your segment")],
                               segment: "high value")
        XCTAssertEqual(text(OutputEncoder().encode(.recommendation(r))),
                       #"{"event_id":"shop.clickstream/0/7/recommendation","user_id":"u42","ts":1764755200123,"trigger":{"event_id":"c-1001","type":"view"},"items":[{"item_id":"i18","score":0.75,"reason":"bought together with i17"},{"item_id":"i3","score":0.1,"reason":"popular in your segment"}],"segment":"high value"}"#)
        var empty = r
        empty.items = []
        XCTAssertEqual(text(OutputEncoder().encode(.recommendation(empty)))?.contains(#""items":[],"segment""#), true)
    }

    func testChurnAlertExactBytes() {
        var a = ChurnAlert(eventID: "churn/u42/1796119200000", userID: "u42", ts: 1_798_711_200_000, risk: 0.8125,
                           pAlive: 0.5, horizonDays: 30, lastOrderAt: 1_796_119_200_000, orders: 1, monetary: 59.9,
                           segment: "new", reason: "no order for 30 days")
        XCTAssertEqual(text(OutputEncoder().encode(.churnAlert(a))),
                       #"{"event_id":"churn/u42/1796119200000","user_id":"u42","ts":1798711200000,"risk":0.8125,"p_alive":0.5,"horizon_days":30,"last_order_at":1796119200000,"orders":1,"monetary":59.9,"segment":"new","reason":"no order for 30 days"}"#)
        a.lastOrderAt = nil
        a.pAlive = .nan
        XCTAssertEqual(text(OutputEncoder().encode(.churnAlert(a)))?.contains(#""p_alive":null,"horizon_days":30,"last_order_at":null,"#), true)
    }

    func testSegmentChangeExactBytesAndTombstone() {
        let s = SegmentChange(eventID: "shop.orders/2/9/segment", userID: "u\"1", ts: 1_796_119_200_000, segment: "at risk",
                              previousSegment: nil, features: [(name: "log_recency", value: 2.5), (name: "log_frequency", value: 0)])
        XCTAssertEqual(text(OutputEncoder().encode(.segmentChange(s))),
                       #"{"event_id":"shop.orders/2/9/segment","user_id":"u\"1","ts":1796119200000,"segment":"at risk","previous_segment":null,"features":{"log_recency":2.5,"log_frequency":0}}"#)
        var t = s
        t.previousSegment = "new"
        t.features = []
        XCTAssertEqual(text(OutputEncoder().encode(.segmentChange(t)))?.hasSuffix(#""previous_segment":"new","features":{}}"#), true)
        XCTAssertNil(OutputEncoder().encode(.tombstone(userID: "u")))
        var buffer: [UInt8] = [1]
        XCTAssertFalse(OutputEncoder().encode(.tombstone(userID: "u"), into: &buffer))
        XCTAssertEqual(buffer, [1])
    }

    // MARK: Dead letters and base64

    func testBase64() {
        XCTAssertEqual(Base64.encode([]), "")
        XCTAssertEqual(Base64.encode(Array("a".utf8)), "YQ==")
        XCTAssertEqual(Base64.encode(Array("ab".utf8)), "YWI=")
        XCTAssertEqual(Base64.encode(Array("abc".utf8)), "YWJj")
        XCTAssertEqual(Base64.encode([0xFF, 0xFE, 0x41]), "//5B")
    }

    func testDeadLetters() {
        let src = SourcePosition(topic: "shop.orders", partition: 3, offset: 42)
        let d = DeadLetterEncoder()
        XCTAssertEqual(text(d.encode(reason: "field 'ts': missing", source: src, original: Array("{\"a\":\n1}".utf8))),
                       #"{"reason":"field 'ts': missing","source":{"topic":"shop.orders","partition":3,"offset":42},"original":"{\"a\":\u000a1}"}"#)
        XCTAssertEqual(text(d.encode(reason: "bad", source: src, original: [0x7B, 0xC3, 0x28, 0x7D])),
                       #"{"reason":"bad","source":{"topic":"shop.orders","partition":3,"offset":42},"original_base64":"e8MofQ=="}"#)
        XCTAssertEqual(text(d.encode(EventDecodeError(field: "ts", reason: "negative timestamp"), source: src, original: [])),
                       #"{"reason":"field 'ts': negative timestamp","source":{"topic":"shop.orders","partition":3,"offset":42},"original":""}"#)
    }
}
