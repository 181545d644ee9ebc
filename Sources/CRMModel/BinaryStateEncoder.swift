/// A Swift `Encoder` that writes any `Encodable` value in the compact binary format of
/// ``BinaryWriter`` (no Foundation), for the few but large global model states.
///
/// Format and rules (``BinaryStateDecoder`` reads it back):
/// - **Keyed containers are positional**: key names are not written; values follow one another in
///   the order they are encoded, and decoding must ask for them in the same order. Synthesized
///   `Codable` conformances (and the hand-written ones of this module) do. Reordering, adding or
///   removing stored properties changes the format: bump the version byte that callers put first.
/// - Optionals (also through `encodeIfPresent`): a presence byte, 0 or 1, then the value.
/// - Integers: zigzag varints (signed) or varints (unsigned); `Double`/`Float`: IEEE bit patterns,
///   8/4 bytes little-endian; `Bool`: one byte; `String`: varint UTF-8 length and bytes.
/// - Arrays: varint count, then the elements. Dictionaries: varint count, then key and value per
///   entry, **sorted by key** (strings and integers by value, other keys by their encoded bytes),
///   so the same state always gives the same bytes whatever the hash seed.
/// - Sets: varint count, then the elements ordered by their encoded bytes.
/// - Other unkeyed containers (custom code): a 4-byte little-endian count, then the
///   elements (in the type's own order).
/// - `encodeNil` outside an optional writes a 0 byte; `decodeNil` is true (and consumes it) exactly
///   when the next byte is 0, so it is only meaningful where the type itself wrote such a flag.
/// - `codingPath` is always empty (not tracked, for speed); `userInfo` is empty.
public struct BinaryStateEncoder {
    public init() {}

    /// The encoding of `value`.
    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let e = _BinaryStateEncoder()
        try e.encodeValue(value)
        return e.finish()
    }
}

// MARK: - Special cases (optionals, arrays, dictionaries)

protocol _BinaryStateEncodableSpecial {
    func _binaryEncode(to e: _BinaryStateEncoder) throws
}

extension Optional: _BinaryStateEncodableSpecial where Wrapped: Encodable {
    func _binaryEncode(to e: _BinaryStateEncoder) throws {
        if let value = self { e.writer.writeByte(1); try e.encodeValue(value) } else { e.writer.writeByte(0) }
    }
}

extension Array: _BinaryStateEncodableSpecial where Element: Encodable {
    func _binaryEncode(to e: _BinaryStateEncoder) throws {
        e.writer.writeVarUInt(UInt64(count))
        if Element.self == Double.self {
            for d in unsafeBitCast(self, to: [Double].self) { e.writer.writeDouble(d) }
            return
        }
        for element in self { try e.encodeValue(element) }
    }
}

extension Dictionary: _BinaryStateEncodableSpecial where Key: Encodable, Value: Encodable {
    func _binaryEncode(to e: _BinaryStateEncoder) throws {
        e.writer.writeVarUInt(UInt64(count))
        // Metatype checks, not `as?` casts (a dictionary cast converts element by element).
        if Key.self == String.self && Value.self == Double.self {
            let map = unsafeBitCast(self, to: [String: Double].self)
            for (k, v) in map.sorted(by: { $0.key < $1.key }) { e.writer.writeString(k); e.writer.writeDouble(v) }
        } else if Key.self == IDKey.self {
            // Written exactly as the `String`-keyed dictionary it replaced.
            let map = unsafeBitCast(self, to: [IDKey: Value].self)
            for (k, v) in map.sorted(by: { $0.key < $1.key }) { e.writer.writeString(k.string); try e.encodeValue(v) }
        } else if Key.self == String.self {
            let map = unsafeBitCast(self, to: [String: Value].self)
            for (k, v) in map.sorted(by: { $0.key < $1.key }) { e.writer.writeString(k); try e.encodeValue(v) }
        } else if Key.self == Int.self {
            let map = unsafeBitCast(self, to: [Int: Value].self)
            for (k, v) in map.sorted(by: { $0.key < $1.key }) { e.writer.writeInt(k); try e.encodeValue(v) }
        } else {
            // Any other key: order by the key's encoded bytes.
            var entries: [(key: [UInt8], value: Value)] = []
            entries.reserveCapacity(count)
            for (k, v) in self { entries.append((try BinaryStateEncoder().encode(k), v)) }
            entries.sort { $0.key.lexicographicallyPrecedes($1.key) }
            for (k, v) in entries { e.writer.writeRaw(k); try e.encodeValue(v) }
        }
    }
}

extension Set: _BinaryStateEncodableSpecial where Element: Encodable {
    func _binaryEncode(to e: _BinaryStateEncoder) throws {
        e.writer.writeVarUInt(UInt64(count))
        // Ordered by the elements' encoded bytes, so that equal sets give equal bytes.
        var encoded: [[UInt8]] = []
        encoded.reserveCapacity(count)
        for element in self { encoded.append(try BinaryStateEncoder().encode(element)) }
        encoded.sort { $0.lexicographicallyPrecedes($1) }
        for bytes in encoded { e.writer.writeRaw(bytes) }
    }
}

// MARK: - Encoder

final class _BinaryStateEncoder: Encoder {
    final class CountBox { var count: UInt32 = 0 }

    var writer = BinaryWriter(capacity: 1024)
    /// 4-byte counts of unkeyed containers, patched in at the end.
    var patches: [(offset: Int, box: CountBox)] = []

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func finish() -> [UInt8] {
        var bytes = writer.bytes
        for p in patches {
            var c = p.box.count
            for i in 0..<4 { bytes[p.offset + i] = UInt8(truncatingIfNeeded: c); c >>= 8 }
        }
        return bytes
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedContainer<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box = CountBox()
        patches.append((writer.bytes.count, box))
        writer.writeUInt32(0)
        return UnkeyedContainer(encoder: self, box: box)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleContainer(encoder: self) }

    /// Writes primitives directly; returns false for other types. Compares metatypes exactly (a
    /// dynamic `as?` cast would also unwrap an `Optional<String>` and lose its presence byte).
    @inline(__always)
    func encodePrimitive<T>(_ value: T) -> Bool {
        if T.self == String.self { writer.writeString(unsafeBitCast(value, to: String.self)) }
        else if T.self == Double.self { writer.writeDouble(unsafeBitCast(value, to: Double.self)) }
        else if T.self == Int.self { writer.writeInt(unsafeBitCast(value, to: Int.self)) }
        else if T.self == Bool.self { writer.writeBool(unsafeBitCast(value, to: Bool.self)) }
        else if T.self == Int64.self { writer.writeVarInt(unsafeBitCast(value, to: Int64.self)) }
        else if T.self == UInt64.self { writer.writeVarUInt(unsafeBitCast(value, to: UInt64.self)) }
        else if T.self == Int32.self { writer.writeVarInt(Int64(unsafeBitCast(value, to: Int32.self))) }
        else if T.self == UInt32.self { writer.writeVarUInt(UInt64(unsafeBitCast(value, to: UInt32.self))) }
        else if T.self == Float.self { writer.writeUInt32(unsafeBitCast(value, to: Float.self).bitPattern) }
        else if T.self == UInt.self { writer.writeVarUInt(UInt64(unsafeBitCast(value, to: UInt.self))) }
        else if T.self == Int16.self { writer.writeVarInt(Int64(unsafeBitCast(value, to: Int16.self))) }
        else if T.self == UInt16.self { writer.writeVarUInt(UInt64(unsafeBitCast(value, to: UInt16.self))) }
        else if T.self == Int8.self { writer.writeVarInt(Int64(unsafeBitCast(value, to: Int8.self))) }
        else if T.self == UInt8.self { writer.writeVarUInt(UInt64(unsafeBitCast(value, to: UInt8.self))) }
        else { return false }
        return true
    }

    func encodeValue<T: Encodable>(_ value: T) throws {
        if encodePrimitive(value) { return }
        if let special = value as? any _BinaryStateEncodableSpecial {
            try special._binaryEncode(to: self)
            return
        }
        try value.encode(to: self)
    }

    func encodeIfPresent<T: Encodable>(_ value: T?) throws {
        if let value { writer.writeByte(1); try encodeValue(value) } else { writer.writeByte(0) }
    }

    // MARK: Containers

    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: _BinaryStateEncoder
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) throws { encoder.writer.writeByte(0) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { encoder.writer.writeBool(value) }
        mutating func encode(_ value: String, forKey key: Key) throws { encoder.writer.writeString(value) }
        mutating func encode(_ value: Double, forKey key: Key) throws { encoder.writer.writeDouble(value) }
        mutating func encode(_ value: Float, forKey key: Key) throws { encoder.writer.writeUInt32(value.bitPattern) }
        mutating func encode(_ value: Int, forKey key: Key) throws { encoder.writer.writeInt(value) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { encoder.writer.writeVarInt(Int64(value)) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { encoder.writer.writeVarInt(Int64(value)) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { encoder.writer.writeVarInt(Int64(value)) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { encoder.writer.writeVarInt(value) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { encoder.writer.writeVarUInt(UInt64(value)) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { encoder.writer.writeVarUInt(UInt64(value)) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { encoder.writer.writeVarUInt(UInt64(value)) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { encoder.writer.writeVarUInt(UInt64(value)) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { encoder.writer.writeVarUInt(value) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try encoder.encodeValue(value) }

        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encoder.encodeIfPresent(value) }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encoder.encodeIfPresent(value) }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encoder.encodeIfPresent(value) }
        mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try encoder.encodeIfPresent(value) }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encoder.encodeIfPresent(value) }
        mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try encoder.encodeIfPresent(value) }
        mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try encoder.encodeIfPresent(value) }
        mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try encoder.encodeIfPresent(value) }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encoder.encodeIfPresent(value) }
        mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try encoder.encodeIfPresent(value) }
        mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try encoder.encodeIfPresent(value) }
        mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try encoder.encodeIfPresent(value) }
        mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try encoder.encodeIfPresent(value) }
        mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try encoder.encodeIfPresent(value) }
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { try encoder.encodeIfPresent(value) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                            forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            encoder.container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { encoder.unkeyedContainer() }
        mutating func superEncoder() -> any Encoder { encoder }
        mutating func superEncoder(forKey key: Key) -> any Encoder { encoder }
    }

    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let encoder: _BinaryStateEncoder
        let box: CountBox
        var codingPath: [any CodingKey] { [] }
        var count: Int { Int(box.count) }

        mutating func encodeNil() throws { box.count += 1; encoder.writer.writeByte(0) }
        mutating func encode<T: Encodable>(_ value: T) throws { box.count += 1; try encoder.encodeValue(value) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            box.count += 1
            return encoder.container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            box.count += 1
            return encoder.unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { box.count += 1; return encoder }
    }

    struct SingleContainer: SingleValueEncodingContainer {
        let encoder: _BinaryStateEncoder
        var codingPath: [any CodingKey] { [] }
        mutating func encodeNil() throws { encoder.writer.writeByte(0) }
        mutating func encode<T: Encodable>(_ value: T) throws { try encoder.encodeValue(value) }
    }
}
