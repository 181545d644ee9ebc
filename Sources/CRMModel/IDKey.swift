/// An item, category or customer id used as a key of the models' hot dictionaries: a `String`
/// with a cheaper hash than `String`'s own.
///
/// `String` hashes with SipHash-1-3 through a `Hasher` (≈ 250–300 instructions per lookup for the
/// short ids of a shop); the recommender does hundreds of lookups per list, so that was most of an
/// event's cost. `IDKey` hashes the id's UTF-8 bytes with a multiply–fold mixer (wyhash style, a
/// handful of instructions per 16 bytes) keyed with the dictionary's per-instance seed, through
/// `Hashable`'s `_rawHashValue(seed:)` customisation point. Equality, ordering and `Codable` are the
/// wrapped string's, so sorted output, checkpoint bytes and JSON are unchanged (``CodingKeyRepresentable``
/// keeps `[IDKey: V]` a JSON object; the binary state encoder writes its keys as strings).
///
/// Not a cryptographic hash: it is fit for ids from the shop's own systems; a hash-flooding attacker
/// who controls ids could make one dictionary's probing slow (bounded by the models' caps).
/// Iteration order of these dictionaries is unspecified, as with `String` keys: nothing may depend on it.
public struct IDKey: Hashable, Comparable, Sendable, Codable, CodingKeyRepresentable,
                     ExpressibleByStringLiteral, CustomStringConvertible {
    /// The id.
    public var string: String

    @inline(__always) public init(_ string: String) { self.string = string }
    public init(stringLiteral value: String) { string = value }
    public var description: String { string }

    @inline(__always) public static func == (a: IDKey, b: IDKey) -> Bool {
        // Fast paths on the string's two words (64-bit layout): identical bits are equal strings
        // (as `String ==` checks first); two small ASCII strings (discriminator nibble 0xE) are
        // stored canonically (bytes, zero padding, count), so different bits mean different
        // strings, which is how the standard library compares them too. Anything else: `String ==`.
        let x = unsafeBitCast(a.string, to: (UInt64, UInt64).self)
        let y = unsafeBitCast(b.string, to: (UInt64, UInt64).self)
        if x.0 == y.0 && x.1 == y.1 { return true }
        if x.1 >> 60 == 0xE && y.1 >> 60 == 0xE { return false }
        return a.string == b.string
    }
    @inline(__always) public static func < (a: IDKey, b: IDKey) -> Bool { a.string < b.string }

    public func hash(into hasher: inout Hasher) { hasher.combine(Self.hash64(string, seed: 0)) }

    /// Dictionary and Set call this instead of `hash(into:)`.
    @inline(__always) public func _rawHashValue(seed: Int) -> Int {
        Int(truncatingIfNeeded: Self.hash64(string, seed: UInt64(truncatingIfNeeded: seed)))
    }

    public init(from decoder: any Decoder) throws {
        string = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(string)
    }

    public init?<T: CodingKey>(codingKey: T) { string = codingKey.stringValue }
    public var codingKey: any CodingKey { Key(stringValue: string) }

    private struct Key: CodingKey {
        var stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    // MARK: Hash

    private static let k0: UInt64 = 0xa076_1d64_78bd_642f
    private static let k1: UInt64 = 0xe703_7ed1_a0b4_28db

    @inline(__always)
    private static func mum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let r = a.multipliedFullWidth(by: b)
        return r.high ^ r.low
    }

    /// A 64-bit hash consistent with `String` equality: an ASCII string's bytes through the fast
    /// mixer; a string with other characters by the standard library's hash of its normalised
    /// form, unless it is canonically equivalent to an ASCII string (only the singletons U+212A
    /// KELVIN SIGN, U+037E GREEK QUESTION MARK and U+1FEF GREEK VARIA decompose to ASCII), which
    /// is hashed as that ASCII string.
    @inline(__always)
    static func hash64(_ s: String, seed: UInt64) -> UInt64 {
        if let h = s.utf8.withContiguousStorageIfAvailable({ hashBytes(UnsafeRawBufferPointer($0), seed: seed) }) {
            return h ?? nonASCIIHash(s, seed: seed)
        }
        var copy = s
        return copy.withUTF8 { hashBytes(UnsafeRawBufferPointer($0), seed: seed) } ?? nonASCIIHash(s, seed: seed)
    }

    @inline(never)
    private static func nonASCIIHash(_ s: String, seed: UInt64) -> UInt64 {
        var ascii: [UInt8] = []
        ascii.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u.value {
            case 0..<0x80: ascii.append(UInt8(u.value))
            case 0x212A: ascii.append(UInt8(ascii: "K"))
            case 0x037E: ascii.append(UInt8(ascii: ";"))
            case 0x1FEF: ascii.append(UInt8(ascii: "`"))
            default:
                return UInt64(bitPattern: Int64(s._rawHashValue(seed: Int(truncatingIfNeeded: seed))))
            }
        }
        return ascii.withUnsafeBytes { hashBytes($0, seed: seed)! }
    }

    @inline(__always)
    private static func load8(_ p: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    private static func load4(_ p: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
    }

    /// wyhash's structure: up to 16 bytes read as two (overlapping) words without a byte loop,
    /// longer inputs in 16-byte steps plus the last 16 bytes. The reads cover every byte, so the
    /// high bits of their OR tell whether all bytes are ASCII; nil when they are not.
    @inline(__always)
    static func hashBytes(_ p: UnsafeRawBufferPointer, seed: UInt64) -> UInt64? {
        let n = p.count
        var h = seed ^ k0
        let a: UInt64, b: UInt64
        if n <= 16 {
            if n >= 4 {
                let q = (n >> 3) << 2
                a = load4(p, 0) << 32 | load4(p, q)
                b = load4(p, n - 4) << 32 | load4(p, n - 4 - q)
            } else if n > 0 {
                a = UInt64(p[0]) << 16 | UInt64(p[n >> 1]) << 8 | UInt64(p[n - 1])
                b = 0
            } else {
                a = 0; b = 0
            }
        } else {
            var i = 0
            var seen: UInt64 = 0
            while n - i > 16 {
                let x = load8(p, i), y = load8(p, i + 8)
                seen |= x | y
                h = mum(x ^ k1, y ^ h)
                i += 16
            }
            a = load8(p, n - 16); b = load8(p, n - 8)
            guard (seen | a | b) & 0x8080_8080_8080_8080 == 0 else { return nil }
            return mum(k1 ^ UInt64(truncatingIfNeeded: n), mum(a ^ k1, b ^ h))
        }
        guard (a | b) & 0x8080_8080_8080_8080 == 0 else { return nil }
        return mum(k1 ^ UInt64(truncatingIfNeeded: n), mum(a ^ k1, b ^ h))
    }
}

/// `String` access to `IDKey`-keyed dictionaries, so call sites read as with `String` keys.
extension Dictionary where Key == IDKey {
    /// The value for the id `key`.
    @inline(__always) public subscript(key: String) -> Value? {
        get { self[IDKey(key)] }
        set { self[IDKey(key)] = newValue }
        _modify { yield &self[IDKey(key)] }
    }

    /// The value for the id `key`, or `defaultValue` (inserted on mutation).
    @inline(__always) public subscript(key: String, default defaultValue: @autoclosure () -> Value) -> Value {
        get { self[IDKey(key), default: defaultValue()] }
        _modify { yield &self[IDKey(key), default: defaultValue()] }
    }

    /// Removes the value for the id `key`.
    @inline(__always) @discardableResult public mutating func removeValue(forKey key: String) -> Value? {
        removeValue(forKey: IDKey(key))
    }
}

/// `String` membership test of `IDKey` sets.
extension Set where Element == IDKey {
    /// Whether the id `member` is in the set.
    @inline(__always) public func contains(_ member: String) -> Bool { contains(IDKey(member)) }
}
