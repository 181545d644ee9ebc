import CCrypto
import CRMModel

/// Replaces customer ids with a keyed hash on input (DESIGN.md §7): HMAC-SHA256 with the
/// configured key (OpenSSL's libcrypto), the first 16 bytes in hex, prefixed `p-`. The same id
/// always maps to the same pseudonym under one key, so state, outputs and `forget_user` agree;
/// without the key the mapping cannot be reversed or recomputed.
public struct Pseudonymiser: Sendable {
    private let key: [UInt8]

    /// nil when `key` is empty (pseudonymisation off).
    public init?(key: String) {
        guard !key.isEmpty else { return nil }
        self.key = Array(key.utf8)
    }

    /// The pseudonym of `id`.
    public func pseudonym(_ id: String) -> String {
        var mac = [UInt8](repeating: 0, count: 32)
        var length = 0
        let data = Array(id.utf8)
        let ok = key.withUnsafeBytes { k in
            data.withUnsafeBytes { d in
                mac.withUnsafeMutableBytes { out in
                    EVP_Q_mac(nil, "HMAC", nil, "SHA256", nil, k.baseAddress, k.count, d.baseAddress, d.count,
                              out.baseAddress!.assumingMemoryBound(to: UInt8.self), out.count, &length) != nil
                }
            }
        }
        // EVP_Q_mac fails only on a broken OpenSSL installation (no SHA-256 or HMAC provider).
        precondition(ok && length == 32, "OpenSSL HMAC-SHA256 is unavailable")
        let hex: [Character] = Array("0123456789abcdef")
        var out = "p-"
        out.reserveCapacity(34)
        for byte in mac.prefix(16) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return out
    }

    /// The event with its customer id replaced.
    public func apply(_ event: ShopEvent) -> ShopEvent {
        switch event {
        case .click(var c): c.userID = pseudonym(c.userID); return .click(c)
        case .order(var o): o.userID = pseudonym(o.userID); return .order(o)
        case .forgetUser(let u): return .forgetUser(userID: pseudonym(u))
        case .catalog: return event
        }
    }
}
