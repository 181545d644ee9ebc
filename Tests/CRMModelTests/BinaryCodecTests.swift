import XCTest
@testable import CRMModel

/// A small composite value exercising every field kind, as model state will.
private struct Sample: StateCodable, Equatable {
    var id: String
    var count: Int
    var total: Double
    var active: Bool
    var last: Int64?
    var tags: [String]

    func encode(to writer: inout BinaryWriter) {
        writer.writeString(id)
        writer.writeInt(count)
        writer.writeDouble(total)
        writer.writeBool(active)
        writer.write(last)
        writer.write(tags)
    }

    init(id: String, count: Int, total: Double, active: Bool, last: Int64?, tags: [String]) {
        self.id = id; self.count = count; self.total = total; self.active = active; self.last = last; self.tags = tags
    }

    init(from reader: inout BinaryReader) throws {
        id = try reader.readString()
        count = try reader.readInt()
        total = try reader.readDouble()
        active = try reader.readBool()
        last = try reader.read()
        tags = try reader.read()
    }
}

final class BinaryCodecTests: XCTestCase {
    private func varuint(_ v: UInt64) -> [UInt8] {
        var w = BinaryWriter(); w.writeVarUInt(v); return w.bytes
    }

    private func varint(_ v: Int64) -> [UInt8] {
        var w = BinaryWriter(); w.writeVarInt(v); return w.bytes
    }

    func testVarUIntExactBytes() throws {
        XCTAssertEqual(varuint(0), [0x00])
        XCTAssertEqual(varuint(1), [0x01])
        XCTAssertEqual(varuint(127), [0x7F])
        XCTAssertEqual(varuint(128), [0x80, 0x01])
        XCTAssertEqual(varuint(300), [0xAC, 0x02])
        XCTAssertEqual(varuint(16_384), [0x80, 0x80, 0x01])
        XCTAssertEqual(varuint(UInt64.max), [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        for v: UInt64 in [0, 1, 127, 128, 300, 16_384, 1 << 35, UInt64.max] {
            var r = BinaryReader(varuint(v))
            XCTAssertEqual(try r.readVarUInt(), v)
            XCTAssertTrue(r.isAtEnd)
        }
    }

    func testZigzagExactBytes() throws {
        XCTAssertEqual(varint(0), [0x00])
        XCTAssertEqual(varint(-1), [0x01])
        XCTAssertEqual(varint(1), [0x02])
        XCTAssertEqual(varint(-2), [0x03])
        XCTAssertEqual(varint(2), [0x04])
        XCTAssertEqual(varint(-64), [0x7F])
        XCTAssertEqual(varint(64), [0x80, 0x01])
        XCTAssertEqual(varint(-150), [0xAB, 0x02])
        XCTAssertEqual(varint(Int64.max), [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        XCTAssertEqual(varint(Int64.min), [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        for v: Int64 in [0, -1, 1, -2, 64, -150, Int64.max, Int64.min] {
            var r = BinaryReader(varint(v))
            XCTAssertEqual(try r.readVarInt(), v)
        }
    }

    func testFixedIntegersAreLittleEndian() throws {
        var w = BinaryWriter()
        w.writeInt64(-2)
        w.writeUInt32(0x0102_0304)
        XCTAssertEqual(w.bytes, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x04, 0x03, 0x02, 0x01])
        var r = BinaryReader(w.bytes)
        XCTAssertEqual(try r.readInt64(), -2)
        XCTAssertEqual(try r.readUInt32(), 0x0102_0304)
        XCTAssertTrue(r.isAtEnd)
    }

    func testDoubleBitPatterns() throws {
        var w = BinaryWriter()
        w.writeDouble(1.0)
        w.writeDouble(-0.0)
        w.writeDouble(.infinity)
        XCTAssertEqual(w.bytes, [0, 0, 0, 0, 0, 0, 0xF0, 0x3F,
                                 0, 0, 0, 0, 0, 0, 0, 0x80,
                                 0, 0, 0, 0, 0, 0, 0xF0, 0x7F])
        var r = BinaryReader(w.bytes)
        XCTAssertEqual(try r.readDouble(), 1.0)
        let negZero = try r.readDouble()
        XCTAssertEqual(negZero.bitPattern, (-0.0 as Double).bitPattern)
        XCTAssertEqual(try r.readDouble(), .infinity)

        let nan = Double(nan: 0x1234, signaling: false)
        var w2 = BinaryWriter(); w2.writeDouble(nan)
        var r2 = BinaryReader(w2.bytes)
        XCTAssertEqual(try r2.readDouble().bitPattern, nan.bitPattern)
        let third = 0.1 + 0.2
        XCTAssertEqual(try Double(decoding: third.encodedBytes()), 0.30000000000000004)
    }

    func testBoolAndOptional() throws {
        var w = BinaryWriter()
        w.writeBool(true)
        w.writeBool(false)
        w.write(Optional<Int64>.none)
        w.write(Optional<Int64>.some(-1))
        XCTAssertEqual(w.bytes, [1, 0, 0, 1, 1])
        var r = BinaryReader(w.bytes)
        XCTAssertEqual(try r.readBool(), true)
        XCTAssertEqual(try r.readBool(), false)
        XCTAssertEqual(try r.read(Int64?.self), nil)
        XCTAssertEqual(try r.read(Int64?.self), -1)
        XCTAssertThrowsError(try Bool(decoding: [2])) { error in
            XCTAssertEqual(error as? BinaryDecodeError, .invalidFlag(offset: 0, value: 2))
        }
    }

    func testStringsWithNonASCII() throws {
        var w = BinaryWriter()
        w.writeString("")
        w.writeString("é")
        w.writeString("Zoë 🛒")
        XCTAssertEqual(w.bytes, [0x00,
                                 0x02, 0xC3, 0xA9,
                                 0x09, 0x5A, 0x6F, 0xC3, 0xAB, 0x20, 0xF0, 0x9F, 0x9B, 0x92])
        var r = BinaryReader(w.bytes)
        XCTAssertEqual(try r.readString(), "")
        XCTAssertEqual(try r.readString(), "é")
        XCTAssertEqual(try r.readString(), "Zoë 🛒")
        XCTAssertTrue(r.isAtEnd)
    }

    func testInvalidUTF8IsRejected() {
        XCTAssertThrowsError(try String(decoding: [0x02, 0xC3, 0x28])) { error in
            XCTAssertEqual(error as? BinaryDecodeError, .invalidUTF8(offset: 1))
        }
        XCTAssertThrowsError(try String(decoding: [0x01, 0xFF])) { error in
            XCTAssertEqual(error as? BinaryDecodeError, .invalidUTF8(offset: 1))
        }
    }

    func testArraysAndComposite() throws {
        XCTAssertEqual([Int](arrayLiteral: 1, -1, 300).encodedBytes(), [0x03, 0x02, 0x01, 0xD8, 0x04])
        let sample = Sample(id: "u-42", count: -7, total: 12.5, active: true, last: 1_700_000_000_000, tags: ["a", "ß"])
        let bytes = sample.encodedBytes()
        XCTAssertEqual(bytes.count, 5 + 1 + 8 + 1 + 1 + 6 + 1 + 2 + 3)
        XCTAssertEqual(try Sample(decoding: bytes), sample)
    }

    func testTruncationAtEveryLengthThrows() {
        let sample = Sample(id: "u-42", count: 300, total: 1.5, active: false, last: nil, tags: ["x", "yz"])
        let bytes = sample.encodedBytes()
        for cut in 0..<bytes.count {
            XCTAssertThrowsError(try Sample(decoding: Array(bytes[0..<cut])), "cut at \(cut)") { error in
                XCTAssertNotNil(error as? BinaryDecodeError)
            }
        }
    }

    func testTruncationErrorsAreExact() {
        XCTAssertThrowsError(try UInt64(decoding: [0x80])) { error in
            XCTAssertEqual(error as? BinaryDecodeError, .truncated(offset: 1, needed: 1, available: 0))
        }
        XCTAssertThrowsError(try Double(decoding: [0, 0, 0])) { error in
            XCTAssertEqual(error as? BinaryDecodeError, .truncated(offset: 0, needed: 8, available: 3))
        }
        XCTAssertThrowsError(try String(decoding: [0x05, 0x61, 0x62])) { error in
            XCTAssertEqual(error as? BinaryDecodeError, .truncated(offset: 1, needed: 5, available: 2))
            XCTAssertEqual((error as? BinaryDecodeError)?.description,
                           "truncated state: needed 5 byte(s) at offset 1, 2 left")
        }
        XCTAssertThrowsError(try [Bool](decoding: [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 1])) { error in
            XCTAssertEqual(error as? BinaryDecodeError, .countTooLarge(offset: 0, count: 0xFFFF_FFFF))
        }
        XCTAssertThrowsError(try Int64(decoding: [0x02, 0x00])) { error in
            XCTAssertEqual(error as? BinaryDecodeError, .trailingBytes(count: 1))
        }
    }

    func testOverlongVarintsAreRejected() {
        let eleven = [UInt8](repeating: 0x80, count: 10) + [0x01]
        XCTAssertThrowsError(try UInt64(decoding: eleven)) { error in
            XCTAssertEqual(error as? BinaryDecodeError, .varintOverflow(offset: 0))
        }
        let tooBig = [UInt8](repeating: 0xFF, count: 9) + [0x02]
        XCTAssertThrowsError(try UInt64(decoding: tooBig)) { error in
            XCTAssertEqual(error as? BinaryDecodeError, .varintOverflow(offset: 0))
        }
        XCTAssertThrowsError(try Int32(decoding: varint(Int64(Int32.max) + 1))) { error in
            XCTAssertEqual(error as? BinaryDecodeError, .valueOutOfRange(offset: 0, value: Int64(Int32.max) + 1))
        }
    }

    func testRandomGarbageNeverCrashes() {
        var generator = SplitMix(seed: 7)
        var failures = 0
        for _ in 0..<2_000 {
            let length = Int(generator.next() % 40)
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if (try? Sample(decoding: bytes)) == nil { failures += 1 }
        }
        XCTAssertGreaterThan(failures, 1_900)
    }
}

/// Deterministic generator for the garbage test.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
