/// A value that can be written to and read back from the compact binary state encoding.
///
/// Conforming types write their fields in a fixed order with a `BinaryWriter` and read them back in
/// the same order with a `BinaryReader`. Every encoding must be at least one byte long (all the
/// built-in conformances are), which lets the reader reject absurd array lengths cheaply.
public protocol StateCodable {
    /// Appends the value's encoding to `writer`.
    func encode(to writer: inout BinaryWriter)
    /// Reads a value previously written by `encode(to:)`; throws `BinaryDecodeError` on bad data.
    init(from reader: inout BinaryReader) throws
}

extension StateCodable {
    /// The value's encoding as a fresh byte array.
    public func encodedBytes() -> [UInt8] {
        var writer = BinaryWriter()
        encode(to: &writer)
        return writer.bytes
    }

    /// Decodes a value that must occupy all of `bytes` (trailing bytes are an error).
    public init(decoding bytes: [UInt8]) throws {
        var reader = BinaryReader(bytes)
        self = try Self(from: &reader)
        try reader.expectEnd()
    }
}

/// Appends a compact, Foundation-free binary encoding of model state to a byte array.
///
/// Formats (all multi-byte fixed-width values are little-endian):
/// - unsigned varint: LEB128, 7 bits per byte, high bit set on all but the last byte (300 → AC 02);
/// - signed varint: zigzag-mapped to unsigned (0 → 0, −1 → 1, 1 → 2, −2 → 3), then LEB128;
/// - `Int64` / `UInt64` fixed: 8 bytes; `Double`: its IEEE-754 bit pattern as 8 bytes;
/// - `Bool`: one byte, 0 or 1; string: unsigned varint byte length, then UTF-8 bytes;
/// - optional: one byte 0 (absent) or 1 followed by the value; array: varint count, then elements.
public struct BinaryWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// Creates an empty writer, reserving `capacity` bytes.
    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Removes all written bytes, keeping the storage for reuse.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
    }

    /// Writes one raw byte.
    public mutating func writeByte(_ value: UInt8) {
        bytes.append(value)
    }

    /// Writes raw bytes with no length prefix.
    public mutating func writeRaw<S: Sequence>(_ raw: S) where S.Element == UInt8 {
        bytes.append(contentsOf: raw)
    }

    /// Writes an unsigned LEB128 varint (1–10 bytes).
    public mutating func writeVarUInt(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Writes a signed integer as a zigzag varint, so small magnitudes of either sign are short.
    public mutating func writeVarInt(_ value: Int64) {
        writeVarUInt(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Writes a platform `Int` as a zigzag varint.
    public mutating func writeInt(_ value: Int) {
        writeVarInt(Int64(value))
    }

    /// Writes a fixed 8-byte little-endian unsigned integer.
    public mutating func writeUInt64(_ value: UInt64) {
        var v = value
        for _ in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    /// Writes a fixed 8-byte little-endian two's-complement integer.
    public mutating func writeInt64(_ value: Int64) {
        writeUInt64(UInt64(bitPattern: value))
    }

    /// Writes a fixed 4-byte little-endian unsigned integer.
    public mutating func writeUInt32(_ value: UInt32) {
        var v = value
        for _ in 0..<4 {
            bytes.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    /// Writes a `Double` as its 8-byte IEEE-754 bit pattern (NaN payloads and −0 are preserved).
    public mutating func writeDouble(_ value: Double) {
        writeUInt64(value.bitPattern)
    }

    /// Writes a `Bool` as one byte, 0 or 1.
    public mutating func writeBool(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    /// Writes a string as a varint UTF-8 byte length followed by the UTF-8 bytes.
    public mutating func writeString(_ value: String) {
        var copy = value
        copy.withUTF8 { utf8 in
            writeVarUInt(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// Writes a byte array as a varint length followed by the bytes.
    public mutating func writeBytes(_ value: [UInt8]) {
        writeVarUInt(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Writes any `StateCodable` value.
    public mutating func write<T: StateCodable>(_ value: T) {
        value.encode(to: &self)
    }

    /// Writes an optional as a presence byte (0 or 1) followed by the value when present.
    public mutating func writeOptional<T>(_ value: T?, _ writeValue: (inout BinaryWriter, T) -> Void) {
        if let value {
            bytes.append(1)
            writeValue(&self, value)
        } else {
            bytes.append(0)
        }
    }

    /// Writes an array as a varint count followed by each element.
    public mutating func writeArray<C: Collection>(_ values: C, _ writeElement: (inout BinaryWriter, C.Element) -> Void) {
        writeVarUInt(UInt64(values.count))
        for value in values {
            writeElement(&self, value)
        }
    }
}
