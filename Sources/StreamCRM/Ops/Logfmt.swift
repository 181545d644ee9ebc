#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Encoding of logfmt records: `key=value` pairs separated by single spaces.
///
/// A value is written bare unless it is empty or contains a space, a control character,
/// `=`, `"` or `\`; then it is double-quoted with `\\`, `\"`, `\n`, `\r`, `\t` and other control
/// characters (`\u{XX}`) escaped. Keys are sanitized: characters other than letters, digits,
/// `_`, `.`, `-` and `/` become `_`.
public enum Logfmt {
    /// Appends ` key=value` (or `key=value` when `line` is empty) to `line`.
    public static func append(key: String, value: String, to line: inout String) {
        if !line.isEmpty { line.append(" ") }
        line.append(sanitizedKey(key))
        line.append("=")
        line.append(encodedValue(value))
    }

    /// The key with characters that would break the record replaced by `_`.
    public static func sanitizedKey(_ key: String) -> String {
        if key.isEmpty { return "_" }
        var clean = true
        for u in key.utf8 where !isKeyByte(u) { clean = false; break }
        if clean { return key }
        var out = ""
        out.unicodeScalars.reserveCapacity(key.unicodeScalars.count)
        for s in key.unicodeScalars {
            if s.isASCII && isKeyByte(UInt8(s.value)) { out.unicodeScalars.append(s) } else { out.append("_") }
        }
        return out
    }

    /// The value, quoted and escaped if needed.
    public static func encodedValue(_ value: String) -> String {
        if value.isEmpty { return "\"\"" }
        var needsQuotes = false
        for u in value.utf8 where u <= 0x20 || u == 0x3D || u == 0x22 || u == 0x5C || u == 0x7F {
            needsQuotes = true
            break
        }
        if !needsQuotes { return value }
        var out = "\""
        for s in value.unicodeScalars {
            switch s {
            case "\\": out.append("\\\\")
            case "\"": out.append("\\\"")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            default:
                if s.value < 0x20 || s.value == 0x7F {
                    let hex = String(s.value, radix: 16)
                    out.append("\\u{" + (hex.count < 2 ? "0" + hex : hex) + "}")
                } else {
                    out.unicodeScalars.append(s)
                }
            }
        }
        out.append("\"")
        return out
    }

    /// RFC 3339 UTC timestamp with milliseconds, e.g. `2026-12-03T10:00:00.123Z`.
    public static func timestamp(_ date: Date) -> String {
        let totalMillis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(totalMillis >= 0 ? totalMillis / 1000 : (totalMillis - 999) / 1000)
        let millis = Int(totalMillis - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-" + pad(Int(parts.tm_mday), 2)
            + "T" + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2)
            + "." + pad(millis, 3) + "Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func isKeyByte(_ u: UInt8) -> Bool {
        (u >= 0x30 && u <= 0x39) || (u >= 0x41 && u <= 0x5A) || (u >= 0x61 && u <= 0x7A)
            || u == 0x5F || u == 0x2E || u == 0x2D || u == 0x2F
    }
}
