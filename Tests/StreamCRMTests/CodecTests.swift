import XCTest
import CRMModel
@testable import StreamCRM

/// Decoding valid, odd-but-valid and invalid input events.
final class CodecTests: XCTestCase {
    let decoder = EventDecoder()

    func decode(_ json: String, _ kind: InputTopicKind) throws -> ShopEvent {
        try decoder.decode(Array(json.utf8), from: kind)
    }

    /// Asserts the message is refused with exactly this field and a reason containing `reason`.
    func assertRefused(_ json: String, _ kind: InputTopicKind, field: String?, reason: String,
                       file: StaticString = #filePath, line: UInt = #line) {
        assertRefused(Array(json.utf8), kind, field: field, reason: reason, file: file, line: line)
    }

    func assertRefused(_ bytes: [UInt8], _ kind: InputTopicKind, field: String?, reason: String,
                       file: StaticString = #filePath, line: UInt = #line) {
        do {
            let event = try decoder.decode(bytes, from: kind)
            XCTFail("accepted: \(event)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.field, field, "\(error)", file: file, line: line)
            XCTAssertTrue(error.reason.contains(reason), "reason was: \(error.reason)", file: file, line: line)
        }
    }

    // MARK: Examples from DESIGN.md §2

    func testDesignClickExample() throws {
        let json = """
        {"event_id":"c-1001","type":"view","user_id":"u42","session_id":"s9",
         "item_id":"i17","category":"shoes","price":59.9,"ts":1764755200123}
        """
        XCTAssertEqual(try decode(json, .clickstream), .click(ClickEvent(
            eventID: "c-1001", type: .view, userID: "u42", sessionID: "s9", itemID: "i17",
            category: "shoes", price: 59.9, ts: 1_764_755_200_123)))
    }

    func testDesignOrderExample() throws {
        let json = """
        {"event_id":"o-77","type":"order","order_id":"o-77","user_id":"u42","ts":"2026-12-01T10:00:00Z",
         "items":[{"item_id":"i17","quantity":1,"price":59.9}],"total":59.9,"currency":"EUR"}
        """
        XCTAssertEqual(try decode(json, .orders), .order(OrderEvent(
            eventID: "o-77", type: .order, orderID: "o-77", userID: "u42", ts: 1_796_119_200_000,
            items: [OrderLine(itemID: "i17", quantity: 1, price: 59.9)], total: 59.9, currency: "EUR")))
    }

    func testDesignCatalogAndControlExamples() throws {
        let catalog = #"{"item_id":"i17","category":"shoes","brand":"acme","price":59.9,"available":true,"tags":["running"]}"#
        XCTAssertEqual(try decode(catalog, .catalog), .catalog(CatalogItem(
            itemID: "i17", category: "shoes", brand: "acme", price: 59.9, available: true, tags: ["running"])))
        XCTAssertEqual(try decode(#"{"type":"forget_user","user_id":"u42"}"#, .control), .forgetUser(userID: "u42"))
        XCTAssertEqual(try decode(#"{"item_id":"i9","available":false}"#, .catalog),
                       .catalog(CatalogItem(itemID: "i9", available: false)))
    }

    func testSearchCarriesQueryAndOtherTypesDropIt() throws {
        XCTAssertEqual(try decode(#"{"event_id":"e","type":"search","user_id":"u","query":"red shoes","ts":946684800000}"#, .clickstream),
                       .click(ClickEvent(eventID: "e", type: .search, userID: "u", query: "red shoes", ts: 946_684_800_000)))
        XCTAssertEqual(try decode(#"{"event_id":"e","type":"add_to_cart","user_id":"u","item_id":"i","query":"x","ts":946684800000}"#, .clickstream),
                       .click(ClickEvent(eventID: "e", type: .addToCart, userID: "u", itemID: "i", ts: 946_684_800_000)))
        assertRefused(#"{"event_id":"e","type":"search","user_id":"u","ts":946684800000}"#, .clickstream,
                      field: "query", reason: "missing")
    }

    func testCancelWithoutItemsAndNullOptionals() throws {
        XCTAssertEqual(try decode(#"{"event_id":"c","type":"cancel","order_id":"o-1","user_id":"u","ts":1000000000000,"total":null,"items":null}"#, .orders),
                       .order(OrderEvent(eventID: "c", type: .cancel, orderID: "o-1", userID: "u", ts: 1_000_000_000_000)))
    }

    // MARK: Odd but valid

    func testEscapesSurrogatesWhitespaceAndKeyOrder() throws {
        // (Control characters decode in free text such as a category; ids refuse them.)
        let json = " \r\n\t{ \"ts\" : 1.7647552001e12 ,\"user_id\":\"u\\u00e9\\ud83d\\ude00\\\"\\\\\\/\", "
            + "\"category\":\"c\\b\\f\\n\\r\\t\", "
            + "\"i\\u0074em_id\":\"caf\u{e9}\", \"type\":\"\\u0076iew\",\"event_id\":\"e\" } \n"
        XCTAssertEqual(try decode(json, .clickstream), .click(ClickEvent(
            eventID: "e", type: .view, userID: "u\u{e9}\u{1F600}\"\\/", itemID: "caf\u{e9}", category: "c\u{8}\u{c}\n\r\t",
            ts: 1_764_755_200_100)))
    }

    func testNumberFormsForTsPriceAndQuantity() throws {
        let json = #"{"event_id":"o","type":"order","order_id":"o","user_id":"u","ts":17647552001230E-1,"# +
            #""items":[{"item_id":"a","quantity":2.0,"price":1e1},{"item_id":"b","quantity":3e0,"price":0.5E+1},{"item_id":"c","quantity":1,"price":-0}],"total":25.00}"#
        XCTAssertEqual(try decode(json, .orders), .order(OrderEvent(
            eventID: "o", type: .order, orderID: "o", userID: "u", ts: 1_764_755_200_123,
            items: [OrderLine(itemID: "a", quantity: 2, price: 10), OrderLine(itemID: "b", quantity: 3, price: 5),
                    OrderLine(itemID: "c", quantity: 1, price: 0)], total: 25)))
    }

    func testUnknownMembersOfAnyTypeAreSkipped() throws {
        let json = #"{"x":{"a":[1,{"b":null}],"c":"\u0041"},"type":"view","y":[[],{}],"z":true,"w":-1.5e-3,"#
            + #""event_id":"e","user_id":"u","item_id":"i","ts":946684800000,"brand":"not for clicks"}"#
        XCTAssertEqual(try decode(json, .clickstream),
                       .click(ClickEvent(eventID: "e", type: .view, userID: "u", itemID: "i", ts: 946_684_800_000)))
    }

    func testDepthLimit() throws {
        func nested(_ n: Int) -> String { String(repeating: "[", count: n) + String(repeating: "]", count: n) }
        let ok = #"{"event_id":"e","type":"view","user_id":"u","item_id":"i","ts":946684800000,"deep":"# + nested(31) + "}"
        XCTAssertNoThrow(try decode(ok, .clickstream))
        let deep = #"{"event_id":"e","type":"view","user_id":"u","item_id":"i","ts":946684800000,"deep":"# + nested(32) + "}"
        assertRefused(deep, .clickstream, field: nil, reason: "nesting deeper than the limit")
    }

    func testInferredKindForReplayLines() throws {
        XCTAssertEqual(try decoder.decodeLine(#"{"type":"forget_user","user_id":"u1"}"#), .forgetUser(userID: "u1"))
        XCTAssertEqual(try decoder.decodeLine(#"{"item_id":"i1"}"#), .catalog(CatalogItem(itemID: "i1")))
        XCTAssertEqual(try decoder.decodeLine(#"{"event_id":"r","type":"refund","order_id":"o","user_id":"u","ts":"2000-02-29T00:00:00Z"}"#),
                       .order(OrderEvent(eventID: "r", type: .refund, orderID: "o", userID: "u", ts: 951_782_400_000)))
        XCTAssertEqual(try decoder.decodeLine(#"{"event_id":"w","type":"wishlist","user_id":"u","item_id":"i","ts":951782400000}"#),
                       .click(ClickEvent(eventID: "w", type: .wishlist, userID: "u", itemID: "i", ts: 951_782_400_000)))
        XCTAssertThrowsError(try decoder.decodeLine(#"{"type":"teleport","user_id":"u"}"#)) { error in
            XCTAssertEqual((error as? EventDecodeError)?.description, "field 'type': unknown event type")
        }
        XCTAssertThrowsError(try decoder.decodeLine(#"{"user_id":"u"}"#)) { error in
            XCTAssertEqual((error as? EventDecodeError)?.field, "type")
        }
    }

    // MARK: Invalid JSON

    static let validClick = #"{"event_id":"e","type":"view","user_id":"u","item_id":"i","ts":946684800000}"#

    func testSyntaxErrors() {
        let cases: [(String, String)] = [
            (#"{"event_id":"e","type":"view","user_id":"u","item_id":"i","ts":946684800000,}"#, "trailing comma"),
            (#"{"event_id":"e","type":"view","user_id":"u","item_id":"i","ts":946684800000,"x":[1,]}"#, "trailing comma"),
            (Self.validClick + "x", "trailing data after the top-level value"),
            (Self.validClick + "{}", "trailing data after the top-level value"),
            (#"{"event_id":"e","type":"view","user_id":"u","item_id":"i","ts":946684800000,"p":NaN}"#, "NaN and Infinity"),
            (#"{"event_id":"e","type":"view","user_id":"u","item_id":"i","ts":946684800000,"p":-Infinity}"#, "NaN and Infinity"),
            (#"{"event_id":"e","type":"view","user_id":"u","item_id":"i","ts":0946684800000}"#, "leading zero"),
            (#"{"event_id":"e","type":"view","user_id":"u","item_id":"i","ts":1.}"#, "digit expected after the decimal point"),
            (#"{"event_id":"e","type":"view","user_id":"u","item_id":"i","ts":1e}"#, "digit expected in the exponent"),
            (#"{"event_id":"e","type":"view","user_id":"u","item_id":"i","ts":+1}"#, "expected a value"),
            (#"{"event_id":"e\u00"}"#, "invalid \\u escape"),
            (#"{"event_id":"e\x"}"#, "invalid escape"),
            (#"{"event_id":"\ud83d"}"#, "lone high surrogate escape"),
            (#"{"event_id":"\ud83d\u0041"}"#, "lone high surrogate escape"),
            (#"{"event_id":"\ude00\ud83d"}"#, "lone low surrogate escape"),
            ("{\"event_id\":\"a\tb\"}", "control character in a string"),
            ("{\"event_id\":\"a\u{0}b\"}", "control character in a string"),
            (#"{"event_id":"e""#, "unexpected end of input"),
            (#"{"event_id":"e"#, "unterminated string"),
            (#"{"event_id" "e"}"#, "expected ':'"),
            (#"{"a":1 "b":2}"#, "expected ',' or '}'"),
            (#"{'a':1}"#, "expected a member name"),
            (#"{"a":tru}"#, "invalid literal"),
            (#"[1]"#, "expected an object"),
            ("", "unexpected end of input"),
            ("\u{FEFF}" + Self.validClick, "byte order mark"),
        ]
        for (json, reason) in cases {
            assertRefused(json, .clickstream, field: nil, reason: reason)
        }
    }

    func testInvalidUTF8() {
        func withBytes(_ bytes: [UInt8]) -> [UInt8] {
            Array(#"{"event_id":"e","type":"view","user_id":""#.utf8) + bytes + Array(#"","item_id":"i","ts":946684800000}"#.utf8)
        }
        XCTAssertNoThrow(try decoder.decode(withBytes([0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0xEF, 0xBF, 0xBF]), from: .clickstream))
        assertRefused(withBytes([0xC0, 0xAF]), .clickstream, field: nil, reason: "overlong")
        assertRefused(withBytes([0xE0, 0x80, 0xAF]), .clickstream, field: nil, reason: "overlong")
        assertRefused(withBytes([0xF0, 0x80, 0x80, 0xAF]), .clickstream, field: nil, reason: "overlong")
        assertRefused(withBytes([0xED, 0xA0, 0xBD]), .clickstream, field: nil, reason: "surrogate")
        assertRefused(withBytes([0xF4, 0x90, 0x80, 0x80]), .clickstream, field: nil, reason: "above U+10FFFF")
        assertRefused(withBytes([0xE2, 0x82]), .clickstream, field: nil, reason: "truncated")
        assertRefused(withBytes([0x80]), .clickstream, field: nil, reason: "continuation")
        assertRefused(withBytes([0xFF]), .clickstream, field: nil, reason: "0xF5-0xFF")
        // Invalid UTF-8 inside an unknown member's string is refused too.
        let unknown = Array(#"{"x":""#.utf8) + [0xC3] + Array(#"","event_id":"e","type":"view","user_id":"u","item_id":"i","ts":946684800000}"#.utf8)
        assertRefused(unknown, .clickstream, field: nil, reason: "truncated")
    }

    func testDuplicateMembers() {
        assertRefused(#"{"event_id":"e","type":"view","user_id":"u","user_id":"v","item_id":"i","ts":946684800000}"#,
                      .clickstream, field: "user_id", reason: "duplicated member name")
        assertRefused(#"{"event_id":"e","type":"view","user_\u0069d":"u","user_id":"v","item_id":"i","ts":946684800000}"#,
                      .clickstream, field: "user_id", reason: "duplicated member name")
        assertRefused(#"{"x":1,"event_id":"e","type":"view","user_id":"u","\u0078":2,"item_id":"i","ts":946684800000}"#,
                      .clickstream, field: "x", reason: "duplicated member name")
        assertRefused(#"{"event_id":"o","type":"order","order_id":"o","user_id":"u","ts":946684800000,"items":[{"item_id":"a","quantity":1,"price":1,"price":2}]}"#,
                      .orders, field: "items[0].price", reason: "duplicated member name")
        // Many unknown members (past the linear list) are still checked.
        var many = #"{"event_id":"e","type":"view","user_id":"u","item_id":"i","ts":946684800000"#
        for i in 0..<40 { many += ",\"k\(i)\":\(i)" }
        XCTAssertNoThrow(try decode(many + "}", .clickstream))
        assertRefused(many + #","k3":0}"#, .clickstream, field: "k3", reason: "duplicated member name")
    }

    // MARK: Schema violations

    func testTimestampRefusals() {
        func click(_ ts: String) -> String {
            #"{"event_id":"e","type":"view","user_id":"u","item_id":"i","ts":"# + ts + "}"
        }
        let cases: [(String, String)] = [
            ("1764755200", "seconds mistaken for milliseconds"),
            ("1764755200123000", "microseconds mistaken for milliseconds"),
            ("1764755200123000000", "nanoseconds mistaken for milliseconds"),
            ("-1764755200123", "negative"),
            ("631151999999", "out of range"),
            ("4102444800000", "out of range"),
            ("1764755200123.5", "whole number of milliseconds"),
            ("\"1764755200123\"", "digits in a string"),
            ("\"2026-12-01T10:00:00\"", "no time-zone offset"),
            ("\"2026-02-30T10:00:00Z\"", "invalid date"),
            ("\"2023-02-29T10:00:00Z\"", "invalid date"),
            ("\"2026-12-01 10:00:00Z\"", "space instead of 'T'"),
            ("\"2026-12-01\"", "a date without a time"),
            ("\"2026-12-01T24:00:00Z\"", "hour out of range"),
            ("\"2026-12-01T10:00:00+1:00\"", "offset must be"),
            ("\"1989-12-31T23:59:59.999Z\"", "out of range"),
            ("\"1990-01-01T00:30:00+01:00\"", "out of range"),
            ("true", "must be epoch milliseconds or an ISO-8601 string, got a boolean"),
            ("null", "got null"),
        ]
        for (ts, reason) in cases {
            assertRefused(click(ts), .clickstream, field: "ts", reason: reason)
        }
        assertRefused(#"{"event_id":"e","type":"view","user_id":"u","item_id":"i"}"#, .clickstream, field: "ts", reason: "missing")
        XCTAssertEqual(String(describing: EventDecodeError(field: "ts", reason: "seconds mistaken for milliseconds")),
                       "field 'ts': seconds mistaken for milliseconds")
    }

    func testIdsWithControlCharactersOrOverLongAreRefused() throws {
        let tail = #","item_id":"i","ts":946684800000}"#
        assertRefused(#"{"event_id":"e","type":"view","user_id":"bad\u0000x""# + tail, .clickstream,
                      field: "user_id", reason: "contains a control character")
        assertRefused(#"{"event_id":"e","type":"view","user_id":"a\nb""# + tail, .clickstream,
                      field: "user_id", reason: "contains a control character")
        let long = String(repeating: "é", count: 257)  // 514 bytes
        assertRefused(#"{"event_id":"e","type":"view","user_id":""# + long + #"""# + tail, .clickstream,
                      field: "user_id", reason: "longer than 512 bytes")
        // 512 bytes, and non-control Unicode, are fine.
        let ok = try decode(#"{"event_id":"e","type":"view","user_id":""# + String(repeating: "é", count: 256) + #"""# + tail, .clickstream)
        XCTAssertEqual(ok.userID?.utf8.count, 512)
        XCTAssertEqual(try decode(#"{"event_id":"e","type":"view","user_id":"jos\u00e9 ☃""# + tail, .clickstream).userID, "josé ☃")
    }

    func testFieldTypeAndValueRefusals() {
        let base = #""type":"view","user_id":"u","item_id":"i","ts":946684800000"#
        assertRefused(#"{"event_id":"e","type":"view","user_id":42,"item_id":"i","ts":946684800000}"#, .clickstream,
                      field: "user_id", reason: "must be a string, got a number")
        assertRefused(#"{"event_id":"","# + base + "}", .clickstream, field: "event_id", reason: "must not be empty")
        assertRefused("{" + base + "}", .clickstream, field: "event_id", reason: "missing")
        assertRefused(#"{"event_id":"e","type":"VIEW","user_id":"u","item_id":"i","ts":946684800000}"#, .clickstream,
                      field: "type", reason: "not a clickstream type")
        assertRefused(#"{"event_id":"e","type":"view","user_id":"u","ts":946684800000}"#, .clickstream, field: "item_id", reason: "missing")
        assertRefused(#"{"event_id":"e","# + base + #","price":-1}"#, .clickstream, field: "price", reason: "must not be negative")
        assertRefused(#"{"event_id":"e","# + base + #","price":1e400}"#, .clickstream, field: "price", reason: "not a finite number")
        assertRefused(#"{"event_id":"e","# + base + #","price":"9.99"}"#, .clickstream, field: "price", reason: "must be a number, got a string")
        assertRefused(#"{"event_id":"e","# + base + #","session_id":""}"#, .clickstream, field: "session_id", reason: "must not be empty")

        let order = #"{"event_id":"o","type":"order","order_id":"o","user_id":"u","ts":946684800000"#
        assertRefused(order + "}", .orders, field: "items", reason: "missing")
        assertRefused(order + #","items":[]}"#, .orders, field: "items", reason: "at least one line")
        assertRefused(order + #","items":{}}"#, .orders, field: "items", reason: "must be an array, got an object")
        assertRefused(order + #","items":[1]}"#, .orders, field: "items[0]", reason: "must be an object, got a number")
        assertRefused(order + #","items":[{"item_id":"a","quantity":1,"price":1},{"item_id":"b","quantity":0,"price":1}]}"#,
                      .orders, field: "items[1].quantity", reason: "at least 1")
        assertRefused(order + #","items":[{"item_id":"a","quantity":1.5,"price":1}]}"#, .orders, field: "items[0].quantity", reason: "whole number")
        assertRefused(order + #","items":[{"item_id":"a","quantity":-2,"price":1}]}"#, .orders, field: "items[0].quantity", reason: "negative")
        assertRefused(order + #","items":[{"item_id":"a","quantity":1}]}"#, .orders, field: "items[0].price", reason: "missing")
        assertRefused(order + #","items":[{"quantity":1,"price":1}]}"#, .orders, field: "items[0].item_id", reason: "missing")
        assertRefused(order + #","items":[{"item_id":"a","quantity":1,"price":1}],"total":-0.01}"#, .orders, field: "total", reason: "negative")
        assertRefused(order + #","items":[{"item_id":"a","quantity":1,"price":1}],"currency":1}"#, .orders, field: "currency", reason: "must be a string")
        // Money that would overflow a customer's monetary value to infinity.
        assertRefused(order + #","items":[{"item_id":"a","quantity":1,"price":1e308}]}"#, .orders, field: "items[0].price", reason: "implausibly large")
        assertRefused(order + #","items":[{"item_id":"a","quantity":1000000,"price":1e7}]}"#, .orders, field: "items[0]", reason: "line value")
        assertRefused(order + #","items":[{"item_id":"a","quantity":1,"price":1}],"total":2e12}"#, .orders, field: "total", reason: "implausibly large")
        XCTAssertNoThrow(try decoder.decode(Array((order + #","items":[{"item_id":"a","quantity":1000,"price":1e9}],"total":1e12}"#).utf8), from: .orders))
        assertRefused(#"{"event_id":"o","type":"view","order_id":"o","user_id":"u","ts":946684800000}"#, .orders,
                      field: "type", reason: "not an order type")

        assertRefused(#"{"item_id":"i","available":"yes"}"#, .catalog, field: "available", reason: "must be a boolean, got a string")
        assertRefused(#"{"item_id":"i","tags":["a",2]}"#, .catalog, field: "tags[1]", reason: "must be a string, got a number")
        assertRefused(#"{"category":"c"}"#, .catalog, field: "item_id", reason: "missing")
        assertRefused(#"{"type":"delete_user","user_id":"u"}"#, .control, field: "type", reason: "unknown control type")
        assertRefused(#"{"type":"forget_user","user_id":""}"#, .control, field: "user_id", reason: "must not be empty")
    }
}
