/// Strict UTF-8 validation (RFC 3629): no overlong forms, no encoded UTF-16 surrogates, nothing
/// above U+10FFFF, no truncated sequences or stray continuation bytes.
public enum UTF8Validator {
    /// Validates the multi-byte sequence whose lead byte (>= 0x80) is at `p[i]`, with `count`
    /// readable bytes in total. Returns the sequence length, or throws with a reason whose offset
    /// is `i`.
    @inline(__always)
    static func sequenceLength(_ p: UnsafePointer<UInt8>, at i: Int, count: Int) throws(JSONSyntaxError) -> Int {
        let b0 = p[i]
        let length: Int
        var lo: UInt8 = 0x80
        var hi: UInt8 = 0xBF
        switch b0 {
        case 0x80...0xBF:
            throw JSONSyntaxError(offset: i, reason: "invalid UTF-8 (unexpected continuation byte)")
        case 0xC0, 0xC1:
            throw JSONSyntaxError(offset: i, reason: "invalid UTF-8 (overlong encoding)")
        case 0xC2...0xDF:
            length = 2
        case 0xE0:
            length = 3; lo = 0xA0
        case 0xED:
            length = 3; hi = 0x9F
        case 0xE1...0xEF:
            length = 3
        case 0xF0:
            length = 4; lo = 0x90
        case 0xF4:
            length = 4; hi = 0x8F
        case 0xF1...0xF3:
            length = 4
        default:
            throw JSONSyntaxError(offset: i, reason: "invalid UTF-8 (byte 0xF5-0xFF)")
        }
        if i + length > count {
            throw JSONSyntaxError(offset: i, reason: "invalid UTF-8 (truncated sequence)")
        }
        let b1 = p[i + 1]
        if b1 < lo || b1 > hi {
            if b1 & 0xC0 != 0x80 {
                throw JSONSyntaxError(offset: i, reason: "invalid UTF-8 (truncated sequence)")
            }
            if b0 == 0xED {
                throw JSONSyntaxError(offset: i, reason: "invalid UTF-8 (surrogate code point)")
            }
            if b0 == 0xF4 {
                throw JSONSyntaxError(offset: i, reason: "invalid UTF-8 (code point above U+10FFFF)")
            }
            throw JSONSyntaxError(offset: i, reason: "invalid UTF-8 (overlong encoding)")
        }
        var k = 2
        while k < length {
            if p[i + k] & 0xC0 != 0x80 {
                throw JSONSyntaxError(offset: i, reason: "invalid UTF-8 (truncated sequence)")
            }
            k += 1
        }
        return length
    }

    /// Throws the first UTF-8 error in `bytes`, if any.
    public static func validate(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) {
        guard let raw = bytes.baseAddress else { return }
        let p = raw.assumingMemoryBound(to: UInt8.self)
        let count = bytes.count
        var i = 0
        while i < count {
            if p[i] < 0x80 {
                i += 1
            } else {
                i += try sequenceLength(p, at: i, count: count)
            }
        }
    }

    /// True when `bytes` is entirely valid UTF-8.
    public static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        do {
            try validate(bytes)
            return true
        } catch {
            return false
        }
    }

    /// True when `bytes` is entirely valid UTF-8.
    public static func isValid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { isValid($0) }
    }
}
