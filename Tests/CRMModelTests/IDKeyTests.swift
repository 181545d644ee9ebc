import Foundation
import XCTest
@testable import CRMModel

/// `IDKey` must behave exactly as its `String`: equality, order, hashing consistent with equality
/// whatever the string's representation, and `Codable` as a `String` (JSON objects, binary bytes).
final class IDKeyTests: XCTestCase {
    /// The same characters in a small string and in a native heap string (≤ 15 bytes but stored
    /// out of line), and in strings longer than 15 bytes.
    func testEqualityAndHashAcrossRepresentations() {
        let samples = ["", "a", "tb-1715", "tb-2244074~12", "123456789012345", "1234567890123456",
                       "an id longer than thirty-two bytes in all", "ü-ñ", "e\u{301}"]
        for s in samples {
            var heap = String()
            heap.reserveCapacity(64)
            heap.append(contentsOf: s)
            let a = IDKey(s), b = IDKey(heap)
            XCTAssertEqual(a, b, s)
            XCTAssertEqual(a._rawHashValue(seed: 7), b._rawHashValue(seed: 7), s)
            XCTAssertEqual(a.hashValue, b.hashValue, s)
            var d: [IDKey: Int] = [a: 1]
            d[heap, default: 0] += 1
            XCTAssertEqual(d.count, 1)
            XCTAssertEqual(d[s], 2)
        }
        // Canonically equivalent strings are equal Strings, so equal keys that must hash alike,
        // including non-ASCII strings equal to ASCII ones (KELVIN SIGN is "K") and long ones.
        let equivalent: [(String, String)] = [("e\u{301}", "\u{e9}"), ("K", "\u{212A}"), ("a;b`", "a\u{37E}b\u{1FEF}"),
                                              ("item-\u{212A}-0123456789abcdef", "item-K-0123456789abcdef"),
                                              ("caf\u{e9} cr\u{e8}me br\u{fb}l\u{e9}e", "cafe\u{301} cre\u{300}me bru\u{302}le\u{301}e")]
        for (x, y) in equivalent {
            XCTAssertEqual(x, y)
            XCTAssertEqual(IDKey(x), IDKey(y))
            XCTAssertEqual(IDKey(x)._rawHashValue(seed: 3), IDKey(y)._rawHashValue(seed: 3), x)
            XCTAssertEqual(Set([IDKey(x), IDKey(y)]).count, 1, x)
        }
        for (x, y) in zip(samples, samples.dropFirst()) {
            XCTAssertEqual(IDKey(x) == IDKey(y), x == y)
            XCTAssertEqual(IDKey(x) < IDKey(y), x < y)
        }
    }

    /// A dictionary keyed by `IDKey` holds what a `String`-keyed one holds, through growth and removals.
    func testDictionaryMatchesStringKeyedReference() {
        var rng = SeededRandom(seed: 42)
        var a: [IDKey: Int] = [:]
        var b: [String: Int] = [:]
        for step in 0..<20_000 {
            let id = "i\(Int.random(in: 0..<3_000, using: &rng))" + (step % 7 == 0 ? "-long-suffix-over-sixteen" : "")
            if Int.random(in: 0..<4, using: &rng) == 0 {
                a[id] = nil; b[id] = nil
            } else {
                a[id, default: 0] += step; b[id, default: 0] += step
            }
        }
        XCTAssertEqual(a.count, b.count)
        for (k, v) in b { XCTAssertEqual(a[k], v) }
        XCTAssertEqual(a.keys.map(\.string).sorted(), b.keys.sorted())
    }

    func testCodableAsString() throws {
        let map: [IDKey: Double] = ["i2": 0.5, "i1": 1.5]
        let json = try JSONEncoder().encode(map)
        let sorted = JSONEncoder()
        sorted.outputFormatting = [.sortedKeys]
        XCTAssertEqual(String(decoding: try sorted.encode(map), as: UTF8.self), #"{"i1":1.5,"i2":0.5}"#)
        XCTAssertEqual(try JSONDecoder().decode([IDKey: Double].self, from: json), map)
        let stringMap: [String: Double] = ["i2": 0.5, "i1": 1.5]
        XCTAssertEqual(try BinaryStateEncoder().encode(map), try BinaryStateEncoder().encode(stringMap))
        XCTAssertEqual(try BinaryStateDecoder().decode([IDKey: Double].self, from: try BinaryStateEncoder().encode(stringMap)), map)
    }
}
