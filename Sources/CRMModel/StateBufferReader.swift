/// A bounds-checked reader of the `BinaryWriter` format directly over borrowed memory (for example a
/// SQLite BLOB), without copying it into an array first: the hot path of customer restore.
///
/// Same wire format and same errors as ``BinaryReader``; every read checks bounds and throws
/// ``BinaryDecodeError`` on truncated or malformed input, never traps. Valid only while the buffer is.
struct StateBufferReader {
    private let base: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) { base = buffer }

    var remaining: Int { base.count - offset }
    var isAtEnd: Bool { offset == base.count }

    func expectEnd() throws {
        if !isAtEnd { throw BinaryDecodeError.trailingBytes(count: remaining) }
    }

    @inline(__always)
    private func need(_ count: Int) throws {
        if count > remaining { throw BinaryDecodeError.truncated(offset: offset, needed: count, available: remaining) }
    }

    @inline(__always)
    mutating func readByte() throws -> UInt8 {
        try need(1)
        let b = base[offset]
        offset += 1
        return b
    }

    @inline(__always)
    mutating func readVarUInt() throws -> UInt64 {
        // Fast path: one byte.
        if offset < base.count {
            let b = base[offset]
            if b < 0x80 { offset += 1; return UInt64(b) }
        }
        let start = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < base.count else { throw BinaryDecodeError.truncated(offset: offset, needed: 1, available: 0) }
            let byte = base[offset]
            offset += 1
            let payload = UInt64(byte & 0x7F)
            if shift == 63 && payload > 1 { throw BinaryDecodeError.varintOverflow(offset: start) }
            result |= payload << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw BinaryDecodeError.varintOverflow(offset: start) }
        }
    }

    @inline(__always)
    mutating func readVarInt() throws -> Int64 {
        let raw = try readVarUInt()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func readInt() throws -> Int {
        let start = offset
        let value = try readVarInt()
        guard let int = Int(exactly: value) else { throw BinaryDecodeError.valueOutOfRange(offset: start, value: value) }
        return int
    }

    /// A zigzag varint that must be ≥ 0.
    mutating func readNonNegativeInt() throws -> Int {
        let start = offset
        let value = try readInt()
        guard value >= 0 else { throw BinaryDecodeError.valueOutOfRange(offset: start, value: Int64(value)) }
        return value
    }

    @inline(__always)
    mutating func readDouble() throws -> Double {
        try need(8)
        let bits = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        offset += 8
        return Double(bitPattern: bits)
    }

    mutating func readBool() throws -> Bool {
        let start = offset
        switch try readByte() {
        case 0: return false
        case 1: return true
        case let other: throw BinaryDecodeError.invalidFlag(offset: start, value: other)
        }
    }

    /// An element count; each element takes at least one byte, so a count beyond the bytes left is
    /// rejected before anything is allocated.
    mutating func readCount() throws -> Int {
        let start = offset
        let count = try readVarUInt()
        guard count <= UInt64(remaining) else { throw BinaryDecodeError.countTooLarge(offset: start, count: count) }
        return Int(count)
    }

    /// A length-prefixed UTF-8 string; invalid UTF-8 is an error, not replaced.
    mutating func readString() throws -> String {
        let length = try readVarUInt()
        guard length <= UInt64(remaining) else {
            throw BinaryDecodeError.truncated(offset: offset, needed: Int(clamping: length), available: remaining)
        }
        let start = offset
        let n = Int(length)
        if n == 0 { return "" }
        // `base` holds raw bytes (a BLOB or a [UInt8]); reading them as UInt8 is always valid.
        let slice = UnsafeBufferPointer(start: base.baseAddress!.advanced(by: start).assumingMemoryBound(to: UInt8.self), count: n)
        // `String(decoding:)` is fast on a buffer but repairs invalid UTF-8; ASCII needs no repair,
        // anything else is accepted only if the repair changed nothing. (`String(validating:)` runs
        // unspecialised here and costs several times more.)
        let string = String(decoding: slice, as: UTF8.self)
        var ascii = true
        for b in slice where b >= 0x80 { ascii = false; break }
        if !ascii {
            guard string.utf8.elementsEqual(slice) else { throw BinaryDecodeError.invalidUTF8(offset: start) }
        }
        offset += n
        return string
    }
}
