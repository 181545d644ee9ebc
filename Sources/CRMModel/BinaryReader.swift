/// Why a `BinaryReader` refused its input. Decoding never traps on bad data; it throws one of these.
public enum BinaryDecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `needed` more bytes were required at `offset`, but only `available` remained.
    case truncated(offset: Int, needed: Int, available: Int)
    /// A varint at `offset` was longer than 10 bytes or did not fit in 64 bits.
    case varintOverflow(offset: Int)
    /// A Bool or optional-presence byte at `offset` was neither 0 nor 1.
    case invalidFlag(offset: Int, value: UInt8)
    /// A string at `offset` was not valid UTF-8.
    case invalidUTF8(offset: Int)
    /// A decoded integer at `offset` does not fit the requested type.
    case valueOutOfRange(offset: Int, value: Int64)
    /// An array count at `offset` is larger than the bytes left could hold.
    case countTooLarge(offset: Int, count: UInt64)
    /// A conforming type found a value it does not accept (for example an unknown enum tag).
    case invalidValue(offset: Int, reason: String)
    /// `count` bytes remained after a value that should have used the whole input.
    case trailingBytes(count: Int)

    public var description: String {
        switch self {
        case let .truncated(offset, needed, available):
            return "truncated state: needed \(needed) byte(s) at offset \(offset), \(available) left"
        case let .varintOverflow(offset):
            return "malformed varint at offset \(offset): longer than 64 bits"
        case let .invalidFlag(offset, value):
            return "invalid flag byte \(value) at offset \(offset): expected 0 or 1"
        case let .invalidUTF8(offset):
            return "invalid UTF-8 in string at offset \(offset)"
        case let .valueOutOfRange(offset, value):
            return "value \(value) at offset \(offset) is out of range"
        case let .countTooLarge(offset, count):
            return "element count \(count) at offset \(offset) exceeds the remaining bytes"
        case let .invalidValue(offset, reason):
            return "invalid value at offset \(offset): \(reason)"
        case let .trailingBytes(count):
            return "\(count) unexpected trailing byte(s) after the value"
        }
    }
}

/// Reads the encoding produced by `BinaryWriter`, validating as it goes.
///
/// Every read checks bounds first and throws `BinaryDecodeError` on truncated or malformed input;
/// on a throw the read position is unspecified and the reader should be discarded.
public struct BinaryReader: Sendable {
    private let bytes: [UInt8]
    /// The index of the next byte to read.
    public private(set) var offset: Int = 0

    /// Creates a reader over `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Creates a reader over a copy of `buffer` (for example a BLOB handed out by the state store).
    public init(_ buffer: UnsafeRawBufferPointer) {
        self.bytes = Array(buffer)
    }

    /// Bytes not yet read.
    public var remaining: Int { bytes.count - offset }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { offset == bytes.count }

    /// Throws `trailingBytes` unless every byte has been read.
    public func expectEnd() throws {
        if !isAtEnd { throw BinaryDecodeError.trailingBytes(count: remaining) }
    }

    @inline(__always)
    private func need(_ count: Int) throws {
        if count > remaining {
            throw BinaryDecodeError.truncated(offset: offset, needed: count, available: remaining)
        }
    }

    /// Reads one raw byte.
    public mutating func readByte() throws -> UInt8 {
        try need(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Reads `count` raw bytes with no length prefix.
    public mutating func readRaw(count: Int) throws -> [UInt8] {
        guard count >= 0 else { throw BinaryDecodeError.invalidValue(offset: offset, reason: "negative length") }
        try need(count)
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads an unsigned LEB128 varint; rejects encodings longer than 64 bits.
    public mutating func readVarUInt() throws -> UInt64 {
        let start = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else {
                throw BinaryDecodeError.truncated(offset: offset, needed: 1, available: 0)
            }
            let byte = bytes[offset]
            offset += 1
            let payload = UInt64(byte & 0x7F)
            if shift == 63 && payload > 1 { throw BinaryDecodeError.varintOverflow(offset: start) }
            result |= payload << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw BinaryDecodeError.varintOverflow(offset: start) }
        }
    }

    /// Reads a zigzag varint written by `writeVarInt`.
    public mutating func readVarInt() throws -> Int64 {
        let raw = try readVarUInt()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// Reads a zigzag varint as a platform `Int`.
    public mutating func readInt() throws -> Int {
        let start = offset
        let value = try readVarInt()
        guard let int = Int(exactly: value) else { throw BinaryDecodeError.valueOutOfRange(offset: start, value: value) }
        return int
    }

    /// Reads a zigzag varint that must fit in `Int32`.
    public mutating func readInt32() throws -> Int32 {
        let start = offset
        let value = try readVarInt()
        guard let int = Int32(exactly: value) else { throw BinaryDecodeError.valueOutOfRange(offset: start, value: value) }
        return int
    }

    /// Reads a fixed 8-byte little-endian unsigned integer.
    public mutating func readUInt64() throws -> UInt64 {
        try need(8)
        var value: UInt64 = 0
        for i in 0..<8 {
            value |= UInt64(bytes[offset + i]) << (8 * UInt64(i))
        }
        offset += 8
        return value
    }

    /// Reads a fixed 8-byte little-endian two's-complement integer.
    public mutating func readInt64() throws -> Int64 {
        Int64(bitPattern: try readUInt64())
    }

    /// Reads a fixed 4-byte little-endian unsigned integer.
    public mutating func readUInt32() throws -> UInt32 {
        try need(4)
        var value: UInt32 = 0
        for i in 0..<4 {
            value |= UInt32(bytes[offset + i]) << (8 * UInt32(i))
        }
        offset += 4
        return value
    }

    /// Reads a `Double` from its 8-byte bit pattern.
    public mutating func readDouble() throws -> Double {
        Double(bitPattern: try readUInt64())
    }

    /// Reads a `Bool`; any byte other than 0 or 1 is an error.
    public mutating func readBool() throws -> Bool {
        let start = offset
        switch try readByte() {
        case 0: return false
        case 1: return true
        case let other: throw BinaryDecodeError.invalidFlag(offset: start, value: other)
        }
    }

    private mutating func readLength() throws -> Int {
        let length = try readVarUInt()
        guard length <= UInt64(remaining) else {
            throw BinaryDecodeError.truncated(offset: offset, needed: Int(clamping: length), available: remaining)
        }
        return Int(length)
    }

    /// Reads a length-prefixed UTF-8 string; invalid UTF-8 is an error, not replaced.
    public mutating func readString() throws -> String {
        let length = try readLength()
        let start = offset
        let slice = bytes[start..<start + length]
        let string = String(decoding: slice, as: UTF8.self)
        // Decoding replaces invalid sequences with U+FFFD; the round trip differs exactly then.
        guard string.utf8.elementsEqual(slice) else { throw BinaryDecodeError.invalidUTF8(offset: start) }
        offset += length
        return string
    }

    /// Reads a length-prefixed byte array.
    public mutating func readBytes() throws -> [UInt8] {
        let length = try readLength()
        defer { offset += length }
        return Array(bytes[offset..<offset + length])
    }

    /// Reads any `StateCodable` value.
    public mutating func read<T: StateCodable>(_ type: T.Type = T.self) throws -> T {
        try T(from: &self)
    }

    /// Reads an optional written by `writeOptional`.
    public mutating func readOptional<T>(_ readValue: (inout BinaryReader) throws -> T) throws -> T? {
        try readBool() ? try readValue(&self) : nil
    }

    /// Reads an array written by `writeArray`. Elements must encode to at least one byte each.
    public mutating func readArray<T>(_ readElement: (inout BinaryReader) throws -> T) throws -> [T] {
        let start = offset
        let count = try readVarUInt()
        guard count <= UInt64(remaining) else { throw BinaryDecodeError.countTooLarge(offset: start, count: count) }
        var result: [T] = []
        result.reserveCapacity(Int(count))
        for _ in 0..<Int(count) {
            result.append(try readElement(&self))
        }
        return result
    }
}

// MARK: - Built-in conformances

extension Bool: StateCodable {
    public func encode(to writer: inout BinaryWriter) { writer.writeBool(self) }
    public init(from reader: inout BinaryReader) throws { self = try reader.readBool() }
}

extension Int: StateCodable {
    public func encode(to writer: inout BinaryWriter) { writer.writeInt(self) }
    public init(from reader: inout BinaryReader) throws { self = try reader.readInt() }
}

extension Int32: StateCodable {
    public func encode(to writer: inout BinaryWriter) { writer.writeVarInt(Int64(self)) }
    public init(from reader: inout BinaryReader) throws { self = try reader.readInt32() }
}

extension Int64: StateCodable {
    public func encode(to writer: inout BinaryWriter) { writer.writeVarInt(self) }
    public init(from reader: inout BinaryReader) throws { self = try reader.readVarInt() }
}

extension UInt64: StateCodable {
    public func encode(to writer: inout BinaryWriter) { writer.writeVarUInt(self) }
    public init(from reader: inout BinaryReader) throws { self = try reader.readVarUInt() }
}

extension Double: StateCodable {
    public func encode(to writer: inout BinaryWriter) { writer.writeDouble(self) }
    public init(from reader: inout BinaryReader) throws { self = try reader.readDouble() }
}

extension String: StateCodable {
    public func encode(to writer: inout BinaryWriter) { writer.writeString(self) }
    public init(from reader: inout BinaryReader) throws { self = try reader.readString() }
}

extension Optional: StateCodable where Wrapped: StateCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.writeOptional(self) { w, value in value.encode(to: &w) }
    }
    public init(from reader: inout BinaryReader) throws {
        self = try reader.readOptional { r in try Wrapped(from: &r) }
    }
}

extension Array: StateCodable where Element: StateCodable {
    public func encode(to writer: inout BinaryWriter) {
        writer.writeArray(self) { w, value in value.encode(to: &w) }
    }
    public init(from reader: inout BinaryReader) throws {
        self = try reader.readArray { r in try Element(from: &r) }
    }
}
