/// The member names any input schema knows, and a one-pass collector that records where each
/// one's value lies in the message (first phase of `EventDecoder`).
///
/// Duplicates are refused for every name, known or not, compared after unescaping.
struct EventFields {
    /// A member name known to some input schema.
    enum Name: Int {
        case eventID, type, userID, sessionID, itemID, category, price, query, ts
        case orderID, items, total, currency, brand, available, tags, quantity

        /// The name as it appears in JSON.
        var json: String {
            switch self {
            case .eventID: return "event_id"
            case .type: return "type"
            case .userID: return "user_id"
            case .sessionID: return "session_id"
            case .itemID: return "item_id"
            case .category: return "category"
            case .price: return "price"
            case .query: return "query"
            case .ts: return "ts"
            case .orderID: return "order_id"
            case .items: return "items"
            case .total: return "total"
            case .currency: return "currency"
            case .brand: return "brand"
            case .available: return "available"
            case .tags: return "tags"
            case .quantity: return "quantity"
            }
        }

        @inline(__always)
        private static func equals(_ k: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
            let w = literal.utf8Start
            for i in 0..<k.count where k[i] != w[i] { return false }
            return true
        }

        /// The known name whose (unescaped) bytes are `k`, if any.
        static func match(_ k: UnsafeRawBufferPointer) -> Name? {
            switch k.count {
            case 2:
                return equals(k, "ts") ? .ts : nil
            case 4:
                if equals(k, "type") { return .type }
                return equals(k, "tags") ? .tags : nil
            case 5:
                switch k[0] {
                case UInt8(ascii: "p"): return equals(k, "price") ? .price : nil
                case UInt8(ascii: "q"): return equals(k, "query") ? .query : nil
                case UInt8(ascii: "i"): return equals(k, "items") ? .items : nil
                case UInt8(ascii: "t"): return equals(k, "total") ? .total : nil
                case UInt8(ascii: "b"): return equals(k, "brand") ? .brand : nil
                default: return nil
                }
            case 7:
                if equals(k, "user_id") { return .userID }
                return equals(k, "item_id") ? .itemID : nil
            case 8:
                switch k[0] {
                case UInt8(ascii: "e"): return equals(k, "event_id") ? .eventID : nil
                case UInt8(ascii: "c"):
                    if equals(k, "category") { return .category }
                    return equals(k, "currency") ? .currency : nil
                case UInt8(ascii: "o"): return equals(k, "order_id") ? .orderID : nil
                case UInt8(ascii: "q"): return equals(k, "quantity") ? .quantity : nil
                default: return nil
                }
            case 9:
                return equals(k, "available") ? .available : nil
            case 10:
                return equals(k, "session_id") ? .sessionID : nil
            default:
                return nil
            }
        }
    }

    private var slots: (JSONToken?, JSONToken?, JSONToken?, JSONToken?, JSONToken?, JSONToken?,
                        JSONToken?, JSONToken?, JSONToken?, JSONToken?, JSONToken?, JSONToken?,
                        JSONToken?, JSONToken?, JSONToken?, JSONToken?, JSONToken?)
        = (nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil)
    private var seen: UInt32 = 0
    private var unknown = UnknownNames()

    /// The value recorded for `name`, if the member was present.
    subscript(name: Name) -> JSONToken? {
        get {
            switch name {
            case .eventID: return slots.0
            case .type: return slots.1
            case .userID: return slots.2
            case .sessionID: return slots.3
            case .itemID: return slots.4
            case .category: return slots.5
            case .price: return slots.6
            case .query: return slots.7
            case .ts: return slots.8
            case .orderID: return slots.9
            case .items: return slots.10
            case .total: return slots.11
            case .currency: return slots.12
            case .brand: return slots.13
            case .available: return slots.14
            case .tags: return slots.15
            case .quantity: return slots.16
            }
        }
        set {
            switch name {
            case .eventID: slots.0 = newValue
            case .type: slots.1 = newValue
            case .userID: slots.2 = newValue
            case .sessionID: slots.3 = newValue
            case .itemID: slots.4 = newValue
            case .category: slots.5 = newValue
            case .price: slots.6 = newValue
            case .query: slots.7 = newValue
            case .ts: slots.8 = newValue
            case .orderID: slots.9 = newValue
            case .items: slots.10 = newValue
            case .total: slots.11 = newValue
            case .currency: slots.12 = newValue
            case .brand: slots.13 = newValue
            case .available: slots.14 = newValue
            case .tags: slots.15 = newValue
            case .quantity: slots.16 = newValue
            }
        }
    }

    /// Reads the members of the object the scanner has just entered, up to its `}`; each value is
    /// read with `readValue()` (containers validated and skipped). Throws on syntax errors and on
    /// duplicated names; `fieldPrefix` is prepended to the name in the duplicate error.
    mutating func collect(_ s: inout JSONScanner, fieldPrefix: String = "") throws(EventDecodeError) {
        while true {
            let key: JSONToken?
            let value: JSONToken
            do throws(JSONSyntaxError) {
                key = try s.nextKey()
                guard key != nil else { return }
                value = try s.readValue()
            } catch {
                throw EventDecodeError(error)
            }
            try record(key: key!, value: value, in: s, fieldPrefix: fieldPrefix)
        }
    }

    /// Records one member; refuses a duplicated name.
    mutating func record(key: JSONToken, value: JSONToken, in s: JSONScanner,
                         fieldPrefix: String) throws(EventDecodeError) {
        var name: Name?
        if !key.flag {
            name = Name.match(s.rawBytes(key))
        } else {
            var bytes: [UInt8] = []
            s.appendUnescaped(key, to: &bytes)
            name = bytes.withUnsafeBytes { Name.match($0) }
        }
        if let name {
            let bit = UInt32(1) << UInt32(name.rawValue)
            if seen & bit != 0 {
                throw EventDecodeError(field: fieldPrefix + name.json, reason: "duplicated member name")
            }
            seen |= bit
            self[name] = value
        } else if !unknown.insert(key, in: s) {
            throw EventDecodeError(field: fieldPrefix + s.string(key), reason: "duplicated member name")
        }
    }
}

/// The names of unknown members seen so far in one object (unescaped), for duplicate detection:
/// a short list searched linearly, then a hash set once it grows.
struct UnknownNames {
    private var list: [[UInt8]] = []
    private var set: Set<[UInt8]>? = nil

    /// Inserts the name; false when it was already present.
    mutating func insert(_ key: JSONToken, in s: JSONScanner) -> Bool {
        var bytes: [UInt8] = []
        if key.flag {
            s.appendUnescaped(key, to: &bytes)
        } else {
            bytes = Array(s.rawBytes(key))
        }
        if set != nil {
            return set!.insert(bytes).inserted
        }
        if list.contains(bytes) { return false }
        list.append(bytes)
        if list.count > 16 {
            set = Set(list)
            list = []
        }
        return true
    }
}
