/// Standard base64 (RFC 4648 §4, with `=` padding), for dead letters whose original bytes are not
/// UTF-8.
public enum Base64 {
    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// Appends the base64 encoding of `bytes` to `out`.
    public static func encode(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let a = alphabet.utf8Start
        let n = bytes.count
        out.reserveCapacity(out.count + (n + 2) / 3 * 4)
        var i = 0
        while i + 3 <= n {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(a[Int(v >> 18)])
            out.append(a[Int(v >> 12 & 0x3F)])
            out.append(a[Int(v >> 6 & 0x3F)])
            out.append(a[Int(v & 0x3F)])
            i += 3
        }
        let rest = n - i
        if rest == 1 {
            let v = UInt32(bytes[i]) << 16
            out.append(a[Int(v >> 18)])
            out.append(a[Int(v >> 12 & 0x3F)])
            out.append(UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        } else if rest == 2 {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out.append(a[Int(v >> 18)])
            out.append(a[Int(v >> 12 & 0x3F)])
            out.append(a[Int(v >> 6 & 0x3F)])
            out.append(UInt8(ascii: "="))
        }
    }

    /// The base64 encoding of `bytes` as a string.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        bytes.withUnsafeBytes { encode($0, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }
}
