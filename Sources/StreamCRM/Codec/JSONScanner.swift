/// A strict RFC 8259 pull parser over a byte buffer.
///
/// The scanner validates as it goes: UTF-8 (strictly, RFC 3629), escapes (including paired
/// `\uD83D\uDE00` surrogates; lone surrogates are refused), control characters in strings,
/// number grammar (no leading zeros, no NaN/Infinity), literals, commas (no trailing comma),
/// nesting depth (at most `maxDepth` open containers) and trailing data after the top-level value.
/// Values handed out as `JSONToken`s are fully validated and can be materialised later.
///
/// Duplicate member names are *not* checked by the scanner itself (it does not remember names);
/// callers that decode an object check the names they read (`EventDecoder` does). Objects skipped
/// with `readValue()` are validated for syntax only.
///
/// The buffer must stay valid for the scanner's lifetime (use it inside `withUnsafeBytes`).
public struct JSONScanner {
    /// The default nesting limit: at most 32 containers open at once (the top-level object is 1).
    public static let defaultMaxDepth = 32

    @usableFromInline let p: UnsafePointer<UInt8>
    /// Number of bytes in the input.
    public let count: Int
    /// Maximum number of containers open at once.
    public let maxDepth: Int
    /// Current read position (byte offset).
    public private(set) var offset: Int = 0
    /// Number of containers currently open.
    public private(set) var depth: Int = 0
    /// True right after entering a container: the next member/element needs no comma.
    private var atFirst = false

    /// Creates a scanner over `buffer`, which must outlive the scanner.
    public init(_ buffer: UnsafeRawBufferPointer, maxDepth: Int = JSONScanner.defaultMaxDepth) {
        if let base = buffer.baseAddress {
            p = base.assumingMemoryBound(to: UInt8.self)
        } else {
            // Never dereferenced: count is 0.
            p = UnsafePointer(bitPattern: 0x10)!
        }
        count = buffer.count
        self.maxDepth = maxDepth
    }

    /// A scanner that resumes inside `buffer` at `offset` with `depth` containers already open
    /// (used to decode a nested value a first pass has located and validated).
    init(_ buffer: UnsafeRawBufferPointer, maxDepth: Int, resumingAt offset: Int, depth: Int) {
        self.init(buffer, maxDepth: maxDepth)
        self.offset = offset
        self.depth = depth
    }

    // MARK: - Structure

    @inline(__always)
    private mutating func skipWhitespace() {
        while offset < count {
            let b = p[offset]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 {
                offset += 1
            } else {
                return
            }
        }
    }

    @inline(__always)
    private func fail(_ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: offset, reason: reason)
    }

    /// The kind of the next value, without consuming it; throws at end of input or on a byte that
    /// cannot start a value.
    public mutating func peekKind() throws(JSONSyntaxError) -> JSONValueKind {
        skipWhitespace()
        guard offset < count else { throw fail("unexpected end of input") }
        switch p[offset] {
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "t"): return .true
        case UInt8(ascii: "f"): return .false
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw unexpectedByte()
        }
    }

    private func unexpectedByte() -> JSONSyntaxError {
        let b = p[offset]
        if b == UInt8(ascii: "N") || b == UInt8(ascii: "I") {
            return fail("NaN and Infinity are not JSON")
        }
        if b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
            return fail("expected a value")
        }
        if b == 0xEF && offset + 2 < count && p[offset + 1] == 0xBB && p[offset + 2] == 0xBF {
            return fail("byte order mark is not allowed")
        }
        return fail("unexpected byte, expected a value")
    }

    /// Consumes `{` and enters the object. Follow with `nextKey()` until it returns nil.
    public mutating func beginObject() throws(JSONSyntaxError) {
        skipWhitespace()
        guard offset < count else { throw fail("unexpected end of input") }
        guard p[offset] == UInt8(ascii: "{") else {
            if p[offset] == 0xEF { throw unexpectedByte() }
            throw fail("expected an object")
        }
        try enter()
    }

    /// Consumes `[` and enters the array. Follow with `nextElement()` until it returns false.
    public mutating func beginArray() throws(JSONSyntaxError) {
        skipWhitespace()
        guard offset < count else { throw fail("unexpected end of input") }
        guard p[offset] == UInt8(ascii: "[") else { throw fail("expected an array") }
        try enter()
    }

    @inline(__always)
    private mutating func enter() throws(JSONSyntaxError) {
        if depth >= maxDepth { throw fail("nesting deeper than the limit") }
        depth += 1
        offset += 1
        atFirst = true
    }

    /// Reads the next member name of the current object and its `:`, leaving the scanner at the
    /// member's value (read it with `readValue()` or `beginObject()`/`beginArray()`). Returns nil
    /// and leaves the object when `}` is reached.
    public mutating func nextKey() throws(JSONSyntaxError) -> JSONToken? {
        skipWhitespace()
        guard offset < count else { throw fail("unexpected end of input in an object") }
        var b = p[offset]
        if b == UInt8(ascii: "}") {
            offset += 1
            depth -= 1
            atFirst = false
            return nil
        }
        if atFirst {
            atFirst = false
        } else {
            guard b == UInt8(ascii: ",") else { throw fail("expected ',' or '}' in an object") }
            offset += 1
            skipWhitespace()
            guard offset < count else { throw fail("unexpected end of input in an object") }
            b = p[offset]
            if b == UInt8(ascii: "}") { throw fail("trailing comma") }
        }
        guard b == UInt8(ascii: "\"") else { throw fail("expected a member name") }
        let key = try scanString()
        skipWhitespace()
        guard offset < count, p[offset] == UInt8(ascii: ":") else { throw fail("expected ':' after a member name") }
        offset += 1
        return key
    }

    /// Moves to the next element of the current array and returns true, or consumes `]` and
    /// returns false.
    public mutating func nextElement() throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        guard offset < count else { throw fail("unexpected end of input in an array") }
        let b = p[offset]
        if b == UInt8(ascii: "]") {
            offset += 1
            depth -= 1
            atFirst = false
            return false
        }
        if atFirst {
            atFirst = false
            return true
        }
        guard b == UInt8(ascii: ",") else { throw fail("expected ',' or ']' in an array") }
        offset += 1
        skipWhitespace()
        guard offset < count else { throw fail("unexpected end of input in an array") }
        if p[offset] == UInt8(ascii: "]") { throw fail("trailing comma") }
        return true
    }

    /// Reads (and fully validates) the next value. Containers are skipped; their token covers the
    /// whole container.
    public mutating func readValue() throws(JSONSyntaxError) -> JSONToken {
        skipWhitespace()
        guard offset < count else { throw fail("unexpected end of input") }
        let start = offset
        switch p[offset] {
        case UInt8(ascii: "\""):
            return try scanString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try scanNumber()
        case UInt8(ascii: "{"):
            try enter()
            while try nextKey() != nil {
                _ = try readValue()
            }
            return JSONToken(kind: .object, start: start, end: offset, flag: false)
        case UInt8(ascii: "["):
            try enter()
            while try nextElement() {
                _ = try readValue()
            }
            return JSONToken(kind: .array, start: start, end: offset, flag: false)
        case UInt8(ascii: "t"):
            try literal("true")
            return JSONToken(kind: .true, start: start, end: offset, flag: false)
        case UInt8(ascii: "f"):
            try literal("false")
            return JSONToken(kind: .false, start: start, end: offset, flag: false)
        case UInt8(ascii: "n"):
            try literal("null")
            return JSONToken(kind: .null, start: start, end: offset, flag: false)
        default:
            throw unexpectedByte()
        }
    }

    /// Checks that only whitespace follows the top-level value.
    public mutating func finish() throws(JSONSyntaxError) {
        skipWhitespace()
        if offset != count { throw fail("trailing data after the top-level value") }
    }

    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let n = word.utf8CodeUnitCount
        let w = word.utf8Start
        guard offset + n <= count else { throw fail("invalid literal") }
        for i in 0..<n where p[offset + i] != w[i] {
            throw fail("invalid literal")
        }
        offset += n
    }

    // MARK: - Strings

    /// Scans a string starting at the opening quote; returns its token (content range).
    private mutating func scanString() throws(JSONSyntaxError) -> JSONToken {
        offset += 1
        let start = offset
        var escaped = false
        while true {
            // Fast path: 8 plain ASCII bytes at a time (no quote, backslash, control or non-ASCII).
            while offset + 8 <= count {
                let x = UnsafeRawPointer(p + offset).loadUnaligned(as: UInt64.self)
                let high: UInt64 = 0x8080_8080_8080_8080
                let ones: UInt64 = 0x0101_0101_0101_0101
                let control = (x &- 0x2020_2020_2020_2020) & ~x
                let q = x ^ 0x2222_2222_2222_2222
                let quote = (q &- ones) & ~q
                let s = x ^ 0x5C5C_5C5C_5C5C_5C5C
                let slash = (s &- ones) & ~s
                if (x | control | quote | slash) & high != 0 { break }
                offset += 8
            }
            guard offset < count else { throw fail("unterminated string") }
            let b = p[offset]
            if b == UInt8(ascii: "\"") {
                let token = JSONToken(kind: .string, start: start, end: offset, flag: escaped)
                offset += 1
                return token
            } else if b == UInt8(ascii: "\\") {
                escaped = true
                try scanEscape()
            } else if b < 0x20 {
                throw fail("control character in a string")
            } else if b < 0x80 {
                offset += 1
            } else {
                offset += try UTF8Validator.sequenceLength(p, at: offset, count: count)
            }
        }
    }

    @inline(__always)
    private static func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// Reads 4 hex digits at `i`.
    private func hex4(at i: Int) -> UInt32? {
        guard i + 4 <= count else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            guard let h = JSONScanner.hexValue(p[i + k]) else { return nil }
            v = v << 4 | h
        }
        return v
    }

    /// Validates the escape at `offset` (a backslash) and moves past it.
    private mutating func scanEscape() throws(JSONSyntaxError) {
        guard offset + 1 < count else { throw fail("unterminated string") }
        switch p[offset + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            offset += 2
        case UInt8(ascii: "u"):
            guard let unit = hex4(at: offset + 2) else { throw fail("invalid \\u escape") }
            if unit >= 0xDC00 && unit <= 0xDFFF { throw fail("lone low surrogate escape") }
            if unit >= 0xD800 && unit <= 0xDBFF {
                let next = offset + 6
                guard next + 1 < count, p[next] == UInt8(ascii: "\\"), p[next + 1] == UInt8(ascii: "u"),
                      let low = hex4(at: next + 2), low >= 0xDC00 && low <= 0xDFFF
                else { throw fail("lone high surrogate escape") }
                offset += 12
            } else {
                offset += 6
            }
        default:
            throw fail("invalid escape")
        }
    }

    /// The bytes of a token as they appear in the input (strings: without quotes, escapes raw).
    public func rawBytes(_ token: JSONToken) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: p + token.start, count: token.end - token.start)
    }

    /// Appends the unescaped UTF-8 content of a string token to `out`.
    public func appendUnescaped(_ token: JSONToken, to out: inout [UInt8]) {
        var i = token.start
        let end = token.end
        while i < end {
            let b = p[i]
            if b != UInt8(ascii: "\\") {
                out.append(b)
                i += 1
                continue
            }
            let e = p[i + 1]
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(at: i + 2)!
                i += 6
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    let low = hex4(at: i + 2)!
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                JSONScanner.appendUTF8(scalar, to: &out)
                continue
            default: out.append(e) // \" \\ \/
            }
            i += 2
        }
    }

    @inline(__always)
    static func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        if v < 0x80 {
            out.append(UInt8(v))
        } else if v < 0x800 {
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else if v < 0x10000 {
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else {
            out.append(UInt8(0xF0 | (v >> 18)))
            out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    /// The value of a string token as a Swift `String`.
    public func string(_ token: JSONToken) -> String {
        if !token.flag {
            return String(decoding: UnsafeBufferPointer(start: p + token.start, count: token.end - token.start),
                          as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(token.end - token.start)
        appendUnescaped(token, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// True when the string token's unescaped content equals `literal`.
    public func stringEquals(_ token: JSONToken, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        let w = literal.utf8Start
        if !token.flag {
            guard token.end - token.start == n else { return false }
            for i in 0..<n where p[token.start + i] != w[i] { return false }
            return true
        }
        var out: [UInt8] = []
        appendUnescaped(token, to: &out)
        guard out.count == n else { return false }
        for i in 0..<n where out[i] != w[i] { return false }
        return true
    }

    // MARK: - Numbers

    @inline(__always)
    private func isDigit(_ i: Int) -> Bool {
        i < count && p[i] &- UInt8(ascii: "0") < 10
    }

    private mutating func scanNumber() throws(JSONSyntaxError) -> JSONToken {
        let start = offset
        var hasFractionOrExponent = false
        if p[offset] == UInt8(ascii: "-") {
            offset += 1
            if offset < count && (p[offset] == UInt8(ascii: "I") || p[offset] == UInt8(ascii: "N")) {
                throw fail("NaN and Infinity are not JSON")
            }
        }
        guard isDigit(offset) else { throw fail("invalid number") }
        if p[offset] == UInt8(ascii: "0") {
            offset += 1
            if isDigit(offset) { throw fail("leading zero in a number") }
        } else {
            while isDigit(offset) { offset += 1 }
        }
        if offset < count && p[offset] == UInt8(ascii: ".") {
            offset += 1
            hasFractionOrExponent = true
            guard isDigit(offset) else { throw fail("digit expected after the decimal point") }
            while isDigit(offset) { offset += 1 }
        }
        if offset < count && (p[offset] | 0x20) == UInt8(ascii: "e") {
            offset += 1
            hasFractionOrExponent = true
            if offset < count && (p[offset] == UInt8(ascii: "+") || p[offset] == UInt8(ascii: "-")) {
                offset += 1
            }
            guard isDigit(offset) else { throw fail("digit expected in the exponent") }
            while isDigit(offset) { offset += 1 }
        }
        return JSONToken(kind: .number, start: start, end: offset, flag: hasFractionOrExponent)
    }

    /// Decimal decomposition of a validated number token: value = ±mantissa × 10^(scale), with
    /// `digits` significant digits in `mantissa`; nil when there are more than 19 significant
    /// digits (then the caller falls back to a slower exact path).
    private func decompose(_ token: JSONToken) -> (negative: Bool, mantissa: UInt64, digits: Int, scale: Int)? {
        var i = token.start
        let end = token.end
        var negative = false
        if p[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var pendingZeros = 0
        var scale = 0
        var inFraction = false
        while i < end {
            let b = p[i]
            if b == UInt8(ascii: ".") { inFraction = true; i += 1; continue }
            let d = b &- UInt8(ascii: "0")
            if d >= 10 { break }
            if inFraction { scale -= 1 }
            if d == 0 {
                if digits > 0 { pendingZeros += 1 }
            } else {
                digits += pendingZeros + 1
                if digits > 19 { return nil }
                for _ in 0..<pendingZeros { mantissa &*= 10 }
                mantissa = mantissa &* 10 &+ UInt64(d)
                pendingZeros = 0
            }
            i += 1
        }
        scale += pendingZeros
        if i < end {
            // Exponent.
            i += 1
            var expNegative = false
            if p[i] == UInt8(ascii: "-") { expNegative = true; i += 1 } else if p[i] == UInt8(ascii: "+") { i += 1 }
            var e = 0
            while i < end {
                if e < 100_000 { e = e * 10 + Int(p[i] &- UInt8(ascii: "0")) }
                i += 1
            }
            scale += expNegative ? -e : e
        }
        return (negative, mantissa, digits, scale)
    }

    private static let powersOf10: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The value of a number token, correctly rounded. Out-of-range magnitudes give ±infinity
    /// (callers that need finite numbers check `isFinite`).
    public func double(_ token: JSONToken) -> Double {
        if let (negative, mantissa, _, scale) = decompose(token), mantissa <= (1 << 53) {
            // Exact: both the mantissa and 10^|scale| are exactly representable.
            if mantissa == 0 { return negative ? -0.0 : 0.0 }
            if scale >= 0 && scale <= 22 {
                let v = Double(mantissa) * JSONScanner.powersOf10[scale]
                return negative ? -v : v
            }
            if scale < 0 && scale >= -22 {
                let v = Double(mantissa) / JSONScanner.powersOf10[-scale]
                return negative ? -v : v
            }
        }
        let text = String(decoding: UnsafeBufferPointer(start: p + token.start, count: token.end - token.start),
                          as: UTF8.self)
        if let v = Double(text) { return v }
        return p[token.start] == UInt8(ascii: "-") ? -.infinity : .infinity
    }

    /// The value of a number token when it is exactly an integer that fits in 18 decimal digits
    /// (e.g. `1764755200123`, `1.764755200123e12`, `17647552001230e-1`); nil otherwise.
    public func exactInteger(_ token: JSONToken) -> Int64? {
        guard let (negative, mantissa, digits, scale) = decompose(token) else { return nil }
        if mantissa == 0 { return 0 }
        if scale < 0 || digits + scale > 18 { return nil }
        var v = Int64(mantissa)
        for _ in 0..<scale { v *= 10 }
        return negative ? -v : v
    }
}
