import XCTest
import CRMModel
@testable import StreamCRM

/// Deterministic fuzzing of the decoder: random valid events written in random valid JSON styles
/// must decode to the expected value; random byte mutations must decode or throw, never crash.
final class CodecFuzzTests: XCTestCase {
    /// SplitMix64: small, seeded, reproducible.
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func chance(_ percent: Int) -> Bool { int(100) < percent }
    }

    static let alphabet: [Unicode.Scalar] = ["a", "b", "z", "0", "9", "-", "_", "/", " ", "\"", "\\", "\n", "\t",
                                             "\u{0}", "\u{1F}", "\u{7F}", "é", "€", "\u{2028}", "😀", "𝄞"]

    /// An id: the alphabet without control characters (ids refuse them).
    func randomID(_ r: inout Rng) -> String {
        var s = String.UnicodeScalarView()
        let printable = Self.alphabet.filter { $0.value >= 0x20 && $0.value != 0x7F }
        for _ in 0..<(r.int(6) + 1) { s.append(printable[r.int(printable.count)]) }
        return String(s)
    }

    func randomString(_ r: inout Rng, allowEmpty: Bool = false) -> String {
        let n = r.int(6) + (allowEmpty ? 0 : 1)
        var s = String.UnicodeScalarView()
        for _ in 0..<n { s.append(Self.alphabet[r.int(Self.alphabet.count)]) }
        return String(s)
    }

    func randomMoney(_ r: inout Rng) -> Double {
        switch r.int(4) {
        case 0: return Double(r.int(100_000)) / 100
        case 1: return Double(r.int(1000))
        case 2: // any positive finite double
            let v = Double(bitPattern: r.next() >> 1)
            return v.isFinite ? v : 1
        default: return Double(r.int(1_000_000)) * 1e-9
        }
    }

    /// Money valid on an order: at most `EventDecoder.maxMoney`, also as a line value (quantity ≤ 5).
    func randomOrderMoney(_ r: inout Rng) -> Double {
        let v = randomMoney(&r)
        let limit = EventDecoder.maxMoney / 5
        return v <= limit ? v : v.truncatingRemainder(dividingBy: limit)
    }

    func randomEvent(_ r: inout Rng) -> ShopEvent {
        let ts = EventDecoder.minTimestamp + Int64(r.next() % UInt64(EventDecoder.maxTimestamp - EventDecoder.minTimestamp))
        switch r.int(4) {
        case 0:
            let type = ClickType.allCases[r.int(ClickType.allCases.count)]
            return .click(ClickEvent(
                eventID: randomID(&r), type: type, userID: randomID(&r),
                sessionID: r.chance(50) ? randomID(&r) : nil,
                itemID: type == .search && r.chance(70) ? nil : randomID(&r),
                category: r.chance(50) ? randomString(&r, allowEmpty: true) : nil,
                price: r.chance(50) ? randomMoney(&r) : nil,
                query: type == .search ? randomString(&r, allowEmpty: true) : nil, ts: ts))
        case 1:
            let type = OrderType.allCases[r.int(3)]
            var lines: [OrderLine] = []
            for _ in 0..<(type == .order ? 1 + r.int(3) : r.int(2)) {
                lines.append(OrderLine(itemID: randomID(&r), quantity: 1 + r.int(5), price: randomOrderMoney(&r)))
            }
            return .order(OrderEvent(eventID: randomID(&r), type: type, orderID: randomID(&r), userID: randomID(&r),
                                     ts: ts, items: lines, total: r.chance(50) ? randomOrderMoney(&r) : nil,
                                     currency: r.chance(50) ? randomString(&r) : nil))
        case 2:
            var tags: [String] = []
            for _ in 0..<r.int(3) { tags.append(randomString(&r, allowEmpty: true)) }
            return .catalog(CatalogItem(itemID: randomID(&r), category: r.chance(50) ? randomString(&r) : nil,
                                        brand: r.chance(50) ? randomString(&r) : nil,
                                        price: r.chance(50) ? randomMoney(&r) : nil, available: r.chance(70), tags: tags))
        default:
            return .forgetUser(userID: randomID(&r))
        }
    }

    // MARK: A deliberately unusual (but valid) JSON writer

    struct WildWriter {
        var r: Rng
        var out = ""

        mutating func ws() {
            let choices = ["", "", " ", "\n", "\t", "\r\n  "]
            out += choices[r.int(choices.count)]
        }

        mutating func hex4(_ v: UInt32) {
            let digits = Array(r.chance(50) ? "0123456789abcdef" : "0123456789ABCDEF")
            out += "\\u"
            for shift in stride(from: 12, through: 0, by: -4) { out.append(digits[Int((v >> UInt32(shift)) & 0xF)]) }
        }

        mutating func string(_ s: String) {
            out += "\""
            for scalar in s.unicodeScalars {
                let v = scalar.value
                let short: [UInt32: String] = [0x22: "\\\"", 0x5C: "\\\\", 0x2F: "\\/", 0x08: "\\b", 0x0C: "\\f",
                                               0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"]
                let mustEscape = v < 0x20 || v == 0x22 || v == 0x5C
                if !mustEscape && r.chance(70) {
                    out.unicodeScalars.append(scalar)
                } else if let e = short[v], r.chance(50) {
                    out += e
                } else if v >= 0x10000 {
                    let u = v - 0x10000
                    hex4(0xD800 + (u >> 10))
                    hex4(0xDC00 + (u & 0x3FF))
                } else {
                    hex4(v)
                }
            }
            out += "\""
        }

        mutating func integer(_ v: Int64) {
            let digits = String(v)
            switch r.int(4) {
            case 0: // d.ddde(n-1)
                let rest = digits.dropFirst()
                out += String(digits.first!) + (rest.isEmpty ? "" : "." + rest) + (r.chance(50) ? "e" : "E+") + String(digits.count - 1)
            case 1: // digits0e-1
                out += digits + "0e-1"
            case 2:
                out += digits + ".000"
            default:
                out += digits
            }
        }

        mutating func double(_ v: Double) {
            var text = v.description
            if text.hasSuffix(".0") { text.removeLast(2) }
            if !text.contains("e") && text.contains(".") && r.chance(30) { text += "00" }
            if r.chance(30) { text = String(text.map { $0 == "e" ? "E" : $0 }) }
            out += text
        }

        mutating func timestamp(_ ms: Int64) {
            guard r.chance(40) else { return integer(ms) }
            let offsetMinutes = Int64(r.int(24 * 60 * 2 - 1) - (24 * 60 - 1)) // -23:59 ... +23:59
            var local = ISO8601Timestamp.format(ms + offsetMinutes * 60_000)
            local.removeLast() // "Z"
            if offsetMinutes == 0 && r.chance(50) {
                out += "\"" + local + "Z\""
                return
            }
            let m = abs(offsetMinutes)
            let hh = m / 60 < 10 ? "0\(m / 60)" : "\(m / 60)"
            let mm = m % 60 < 10 ? "0\(m % 60)" : "\(m % 60)"
            out += "\"" + local + (offsetMinutes < 0 ? "-" : "+") + hh + ":" + mm + "\""
        }

        mutating func junk(depth: Int) {
            switch r.int(depth > 3 ? 4 : 6) {
            case 0: string(String(r.next() % 1000))
            case 1: out += ["true", "false", "null", "-0.5e-3", "0", "12345678901234567890123"][r.int(6)]
            case 2: double(Double(r.int(1000)) / 8)
            case 3: out += "[]"
            case 4:
                out += "["
                for i in 0..<(1 + r.int(3)) { if i > 0 { out += "," }; ws(); junk(depth: depth + 1); ws() }
                out += "]"
            default:
                out += "{"
                for i in 0..<(1 + r.int(3)) {
                    if i > 0 { out += "," }
                    ws(); string("n\(i)"); ws(); out += ":"; ws(); junk(depth: depth + 1)
                }
                out += "}"
            }
        }

        /// Writes an object from (name, writer) members in random order with unknown extras.
        mutating func object(_ members: [(String, (inout WildWriter) -> Void)]) {
            var all = members
            for i in 0..<r.int(3) {
                all.append(("zz_unknown_\(i)", { w in w.junk(depth: 1) }))
            }
            for i in stride(from: all.count - 1, to: 0, by: -1) { all.swapAt(i, r.int(i + 1)) }
            ws(); out += "{"
            for (i, member) in all.enumerated() {
                if i > 0 { out += "," }
                ws(); string(member.0); ws(); out += ":"; ws()
                member.1(&self)
                ws()
            }
            out += "}"; ws()
        }

        mutating func event(_ e: ShopEvent) {
            typealias M = (String, (inout WildWriter) -> Void)
            func str(_ name: String, _ v: String?) -> [M] { v.map { v in [(name, { $0.string(v) })] } ?? [] }
            func num(_ name: String, _ v: Double?) -> [M] { v.map { v in [(name, { $0.double(v) })] } ?? [] }
            switch e {
            case .click(let c):
                object(str("event_id", c.eventID) + str("type", c.type.rawValue) + str("user_id", c.userID)
                       + str("session_id", c.sessionID) + str("item_id", c.itemID) + str("category", c.category)
                       + num("price", c.price) + str("query", c.query) + [("ts", { $0.timestamp(c.ts) })])
            case .order(let o):
                var members = str("event_id", o.eventID) + str("type", o.type.rawValue) + str("order_id", o.orderID)
                    + str("user_id", o.userID) + num("total", o.total) + str("currency", o.currency) + [("ts", { $0.timestamp(o.ts) })]
                if !o.items.isEmpty || o.type == .order {
                    members.append(("items", { w in
                        w.out += "["
                        for (i, line) in o.items.enumerated() {
                            if i > 0 { w.out += "," }
                            w.ws()
                            w.object(str("item_id", line.itemID) + num("price", line.price)
                                     + [("quantity", { $0.integer(Int64(line.quantity)) })])
                        }
                        w.out += "]"
                    }))
                }
                object(members)
            case .catalog(let c):
                var members = str("item_id", c.itemID) + str("category", c.category) + str("brand", c.brand) + num("price", c.price)
                if !c.available || r.chance(50) { members.append(("available", { $0.out += c.available ? "true" : "false" })) }
                if !c.tags.isEmpty || r.chance(50) {
                    members.append(("tags", { w in
                        w.out += "["
                        for (i, tag) in c.tags.enumerated() { if i > 0 { w.out += "," }; w.ws(); w.string(tag); w.ws() }
                        w.out += "]"
                    }))
                }
                object(members)
            case .forgetUser(let u):
                object(str("type", "forget_user") + str("user_id", u))
            }
        }
    }

    static func kind(of e: ShopEvent) -> InputTopicKind {
        switch e {
        case .click: return .clickstream
        case .order: return .orders
        case .catalog: return .catalog
        case .forgetUser: return .control
        }
    }

    func testRandomValidEventsInRandomStylesDecodeExactly() throws {
        var r = Rng(state: 20_261_201)
        for iteration in 0..<3000 {
            let event = randomEvent(&r)
            var w = WildWriter(r: Rng(state: r.next()))
            w.event(event)
            let bytes = Array(w.out.utf8)
            do {
                let byKind = try EventDecoder().decode(bytes, from: Self.kind(of: event))
                let byLine = try EventDecoder().decodeLine(bytes)
                XCTAssertEqual(byKind, event, "#\(iteration): \(w.out)")
                XCTAssertEqual(byLine, event, "#\(iteration): \(w.out)")
            } catch {
                XCTFail("#\(iteration): \(error) in \(w.out)")
                return
            }
            // The plain encoder round-trips too.
            XCTAssertEqual(try EventDecoder().decode(EventEncoder().encode(event), from: Self.kind(of: event)), event)
        }
    }

    func testRandomMutationsDecodeOrThrowButNeverCrash() {
        var r = Rng(state: 77)
        var accepted = 0
        var refused = 0
        for _ in 0..<6000 {
            let event = randomEvent(&r)
            var bytes: [UInt8]
            if r.chance(50) {
                bytes = EventEncoder().encode(event)
            } else {
                var w = WildWriter(r: Rng(state: r.next()))
                w.event(event)
                bytes = Array(w.out.utf8)
            }
            for _ in 0..<(1 + r.int(3)) {
                let at = bytes.isEmpty ? 0 : r.int(bytes.count)
                switch r.int(6) {
                case 0 where !bytes.isEmpty: bytes[at] = UInt8(truncatingIfNeeded: r.next())
                case 1: bytes.insert(UInt8(truncatingIfNeeded: r.next()), at: at)
                case 2 where !bytes.isEmpty: bytes.remove(at: at)
                case 3: bytes.removeLast(bytes.count - at)
                case 4: bytes.insert(contentsOf: bytes[at...].prefix(r.int(8)), at: at)
                default:
                    let specials: [UInt8] = Array("{}[],:\"\\ue-.0".utf8) + [0x00, 0x80, 0xC3, 0xED, 0xF4, 0xFF]
                    if !bytes.isEmpty { bytes[at] = specials[r.int(specials.count)] }
                }
            }
            for kind in [Self.kind(of: event), InputTopicKind.allCases[r.int(4)]] {
                do {
                    let decoded = try EventDecoder().decode(bytes, from: kind)
                    accepted += 1
                    // Whatever is accepted re-encodes to something that decodes to the same value.
                    XCTAssertEqual(try EventDecoder().decode(EventEncoder().encode(decoded), from: kind), decoded)
                } catch {
                    refused += 1
                    XCTAssertFalse(error.reason.isEmpty)
                }
            }
            _ = try? EventDecoder().decodeLine(bytes)
        }
        // Both outcomes occur: the mutations are neither all harmless nor all fatal.
        XCTAssertGreaterThan(accepted, 100)
        XCTAssertGreaterThan(refused, 1000)
    }
}
