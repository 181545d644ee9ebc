/// Appends compact JSON fragments to a byte buffer: the shared low-level writer of the encoders.
///
/// Strings are escaped minimally and deterministically: `"` and `\` get a backslash, control
/// characters U+0000...U+001F become `\u00XX` (lower-case hex), everything else (DEL, non-ASCII
/// UTF-8, U+2028/U+2029) passes through unchanged. Doubles use the shortest representation that
/// reads back to the same value; integral values below 1e15 in magnitude are written without a
/// fraction (`60`, not `60.0`; `-0.0` is written `0`); non-finite values are written `null`.
public enum JSONWriter {
    private static let hexDigits: StaticString = "0123456789abcdef"

    /// Appends a literal fragment (punctuation, a quoted key and colon, ...).
    @inline(__always)
    public static func appendRaw(_ fragment: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: fragment.utf8Start, count: fragment.utf8CodeUnitCount))
    }

    /// Appends `bytes` (valid UTF-8) escaped, without surrounding quotes.
    public static func appendEscaped(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        var runStart = 0
        let n = bytes.count
        var i = 0
        while i < n {
            // Eight bytes at a time while none of them needs escaping (SWAR: a byte < 0x20, or
            // equal to `"` or `\`, sets its high bit in `special`).
            while n - i >= 8 {
                let w = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                if Self.hasSpecialByte(w) { break }
                i += 8
            }
            guard i < n else { break }
            let b = bytes[i]
            if b >= 0x20 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") {
                i += 1
                continue
            }
            if i > runStart { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<i])) }
            out.append(UInt8(ascii: "\\"))
            if b >= 0x20 {
                out.append(b)
            } else {
                let hex = hexDigits.utf8Start
                out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            }
            i += 1
            runStart = i
        }
        if n > runStart { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<n])) }
    }

    /// Whether any byte of `w` is below 0x20, `"` or `\` (exact: the subtractions are done on
    /// bytes with their high bit cleared, so no borrow crosses bytes; bytes ≥ 0x80 never match).
    @inline(__always)
    static func hasSpecialByte(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let low7 = w & ~high
        // A byte x (high bit clear) is below k exactly when (x + (0x80 - k)) has its high bit clear.
        let below20 = ~(low7 &+ ones &* (0x80 - 0x20)) & high
        let q = low7 ^ (ones &* 0x22), bs = low7 ^ (ones &* 0x5C)
        // A byte y (high bit clear) is zero exactly when (y + 0x7F) | y has its high bit clear.
        let isQuote = ~((q &+ ~high) | q) & high
        let isBackslash = ~((bs &+ ~high) | bs) & high
        return ((below20 | isQuote | isBackslash) & ~w) != 0  // bytes with the high bit set never match
    }

    /// Appends a quoted, escaped string.
    public static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { appendEscaped(UnsafeRawBufferPointer($0), to: &out) }
        if done == nil {
            var copy = s
            copy.withUTF8 { appendEscaped(UnsafeRawBufferPointer($0), to: &out) }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends a quoted string, or `null` when nil.
    public static func appendOptionalString(_ s: String?, to out: inout [UInt8]) {
        if let s { appendString(s, to: &out) } else { appendRaw("null", to: &out) }
    }

    /// Appends a decimal integer.
    public static func appendInt(_ v: Int64, to out: inout [UInt8]) {
        var magnitude = v.magnitude
        if v < 0 { out.append(UInt8(ascii: "-")) }
        var digits = 1
        var probe = magnitude
        while probe >= 10 { probe /= 10; digits += 1 }
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        var i = start + digits - 1
        while magnitude >= 10 {
            out[i] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            i -= 1
        }
        out[i] = UInt8(ascii: "0") + UInt8(magnitude)
    }

    /// Appends a double (see the type's documentation); non-finite values become `null`.
    public static func appendDouble(_ v: Double, to out: inout [UInt8]) {
        guard v.isFinite else {
            appendRaw("null", to: &out)
            return
        }
        if v.magnitude < 1e15 && Double(Int64(v)) == v {
            appendInt(Int64(v), to: &out)
            return
        }
        // `write(to:)` gives the same characters as `description` (shortest round trip) and hands
        // them to the stream as ASCII bytes, without making a String.
        var sink = ASCIIAppender()
        swap(&sink.bytes, &out)
        v.write(to: &sink)
        swap(&sink.bytes, &out)
    }
}

/// A text stream that appends to a byte array (the array is swapped in and out, so it stays
/// uniquely referenced).
private struct ASCIIAppender: TextOutputStream {
    var bytes: [UInt8] = []
    mutating func write(_ string: String) { bytes.append(contentsOf: string.utf8) }
    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: buffer) }
}
