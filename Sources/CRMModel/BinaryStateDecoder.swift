/// A Swift `Decoder` that reads what ``BinaryStateEncoder`` wrote (see there for the format).
///
/// Truncated or malformed bytes throw ``BinaryDecodeError`` (a value a type rejects, such as an
/// unknown enum raw value, throws that type's `DecodingError`); nothing traps. `allKeys` is empty and
/// `contains(_:)` is always true (keys are positional).
public struct BinaryStateDecoder {
    public init() {}

    /// Decodes a `T` that must occupy all of `bytes`.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let d = _BinaryStateDecoder(BinaryReader(bytes))
        let value = try d.decodeValue(T.self)
        try d.reader.expectEnd()
        return value
    }
}

// MARK: - Special cases

protocol _BinaryStateDecodableSpecial {
    static func _binaryDecode(from d: _BinaryStateDecoder) throws -> Self
}

extension Optional: _BinaryStateDecodableSpecial where Wrapped: Decodable {
    static func _binaryDecode(from d: _BinaryStateDecoder) throws -> Self {
        try d.reader.readBool() ? .some(try d.decodeValue(Wrapped.self)) : .none
    }
}

extension Array: _BinaryStateDecodableSpecial where Element: Decodable {
    static func _binaryDecode(from d: _BinaryStateDecoder) throws -> Self {
        let n = try d.readCount()
        if Element.self == Double.self {
            var doubles: [Double] = []
            doubles.reserveCapacity(n)
            for _ in 0..<n { doubles.append(try d.reader.readDouble()) }
            return doubles as! Self
        }
        var result: [Element] = []
        result.reserveCapacity(n)
        for _ in 0..<n { result.append(try d.decodeValue(Element.self)) }
        return result
    }
}

extension Dictionary: _BinaryStateDecodableSpecial where Key: Decodable, Value: Decodable {
    static func _binaryDecode(from d: _BinaryStateDecoder) throws -> Self {
        let n = try d.readCount()
        var result: [Key: Value] = [:]
        result.reserveCapacity(n)
        for _ in 0..<n {
            let at = d.reader.offset
            let key = try d.decodeValue(Key.self)
            let value = try d.decodeValue(Value.self)
            if result.updateValue(value, forKey: key) != nil {
                throw BinaryDecodeError.invalidValue(offset: at, reason: "duplicate dictionary key")
            }
        }
        return result
    }
}

extension Set: _BinaryStateDecodableSpecial where Element: Decodable {
    static func _binaryDecode(from d: _BinaryStateDecoder) throws -> Self {
        let n = try d.readCount()
        var result = Set<Element>(minimumCapacity: n)
        for _ in 0..<n {
            let at = d.reader.offset
            guard result.insert(try d.decodeValue(Element.self)).inserted else {
                throw BinaryDecodeError.invalidValue(offset: at, reason: "duplicate set element")
            }
        }
        return result
    }
}

// MARK: - Decoder

final class _BinaryStateDecoder: Decoder {
    var reader: BinaryReader

    init(_ reader: BinaryReader) { self.reader = reader }

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(KeyedContainer<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let at = reader.offset
        let count = try reader.readUInt32()
        guard UInt64(count) <= UInt64(reader.remaining) else {
            throw BinaryDecodeError.countTooLarge(offset: at, count: UInt64(count))
        }
        return UnkeyedContainer(decoder: self, count: Int(count))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleContainer(decoder: self) }

    /// A varint element count, at most the bytes left (every element takes at least one byte).
    func readCount() throws -> Int {
        let at = reader.offset
        let n = try reader.readVarUInt()
        guard n <= UInt64(reader.remaining) else { throw BinaryDecodeError.countTooLarge(offset: at, count: n) }
        return Int(n)
    }

    func readInteger<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let at = reader.offset
        if T.isSigned {
            let v = try reader.readVarInt()
            guard let x = T(exactly: v) else { throw BinaryDecodeError.valueOutOfRange(offset: at, value: v) }
            return x
        }
        let v = try reader.readVarUInt()
        guard let x = T(exactly: v) else {
            throw BinaryDecodeError.valueOutOfRange(offset: at, value: Int64(truncatingIfNeeded: v))
        }
        return x
    }

    /// Consumes a 0 byte and returns true, or returns false without consuming anything.
    func decodeNilFlag() throws -> Bool {
        guard reader.remaining > 0 else { throw BinaryDecodeError.truncated(offset: reader.offset, needed: 1, available: 0) }
        var peek = reader
        if try peek.readByte() == 0 { reader = peek; return true }
        return false
    }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == String.self { return try reader.readString() as! T }
        if T.self == Double.self { return try reader.readDouble() as! T }
        if T.self == Int.self { return try reader.readInt() as! T }
        if T.self == Bool.self { return try reader.readBool() as! T }
        if T.self == Int64.self { return try reader.readVarInt() as! T }
        if T.self == UInt64.self { return try reader.readVarUInt() as! T }
        if T.self == Int32.self { return try readInteger(Int32.self) as! T }
        if T.self == UInt32.self { return try readInteger(UInt32.self) as! T }
        if T.self == Float.self { return Float(bitPattern: try reader.readUInt32()) as! T }
        if T.self == UInt.self { return try readInteger(UInt.self) as! T }
        if T.self == Int16.self { return try readInteger(Int16.self) as! T }
        if T.self == UInt16.self { return try readInteger(UInt16.self) as! T }
        if T.self == Int8.self { return try readInteger(Int8.self) as! T }
        if T.self == UInt8.self { return try readInteger(UInt8.self) as! T }
        if let special = T.self as? any _BinaryStateDecodableSpecial.Type {
            return try special._binaryDecode(from: self) as! T
        }
        return try T(from: self)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type) throws -> T? {
        try reader.readBool() ? try decodeValue(T.self) : nil
    }

    // MARK: Containers

    struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let decoder: _BinaryStateDecoder
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { [] }

        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool { try decoder.decodeNilFlag() }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.reader.readBool() }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.reader.readString() }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder.reader.readDouble() }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(bitPattern: try decoder.reader.readUInt32()) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.reader.readInt() }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decoder.readInteger(type) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decoder.readInteger(type) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decoder.readInteger(type) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder.reader.readVarInt() }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decoder.readInteger(type) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decoder.readInteger(type) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decoder.readInteger(type) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decoder.readInteger(type) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoder.reader.readVarUInt() }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoder.decodeValue(type) }

        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try decoder.decodeIfPresent(type) }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try decoder.decodeIfPresent(type) }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try decoder.decodeIfPresent(type) }
        func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try decoder.decodeIfPresent(type) }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try decoder.decodeIfPresent(type) }
        func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try decoder.decodeIfPresent(type) }
        func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try decoder.decodeIfPresent(type) }
        func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try decoder.decodeIfPresent(type) }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try decoder.decodeIfPresent(type) }
        func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try decoder.decodeIfPresent(type) }
        func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try decoder.decodeIfPresent(type) }
        func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try decoder.decodeIfPresent(type) }
        func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try decoder.decodeIfPresent(type) }
        func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try decoder.decodeIfPresent(type) }
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try decoder.decodeIfPresent(type) }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type,
                                                   forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try decoder.container(keyedBy: type)
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try decoder.unkeyedContainer() }
        func superDecoder() throws -> any Decoder { decoder }
        func superDecoder(forKey key: Key) throws -> any Decoder { decoder }
    }

    struct UnkeyedContainer: UnkeyedDecodingContainer {
        let decoder: _BinaryStateDecoder
        let total: Int
        var currentIndex = 0

        init(decoder: _BinaryStateDecoder, count: Int) { self.decoder = decoder; self.total = count }

        var codingPath: [any CodingKey] { [] }
        var count: Int? { total }
        var isAtEnd: Bool { currentIndex >= total }

        private mutating func next() throws {
            guard currentIndex < total else {
                throw BinaryDecodeError.invalidValue(offset: decoder.reader.offset, reason: "read past the end of an unkeyed container")
            }
            currentIndex += 1
        }

        mutating func decodeNil() throws -> Bool {
            guard currentIndex < total else { return false }
            if try decoder.decodeNilFlag() { currentIndex += 1; return true }
            return false
        }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(); return try decoder.decodeValue(type) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try next()
            return try decoder.container(keyedBy: type)
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try next()
            return try decoder.unkeyedContainer()
        }
        mutating func superDecoder() throws -> any Decoder { try next(); return decoder }
    }

    struct SingleContainer: SingleValueDecodingContainer {
        let decoder: _BinaryStateDecoder
        var codingPath: [any CodingKey] { [] }
        func decodeNil() -> Bool { (try? decoder.decodeNilFlag()) ?? false }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(type) }
    }
}
