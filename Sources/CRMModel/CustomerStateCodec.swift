/// The hand-written binary encoding of one customer (``CustomerState`` with its full
/// ``UserProfile``): the hot path of checkpoints and restores (DESIGN.md §5).
///
/// Layout, version 3 (primitives as documented on ``BinaryWriter``; "time" is a zigzag varint of
/// `t − base` with wrapping arithmetic, where `base` is `lastEventAt`, or 0 without one, so that
/// timestamps near the customer's last event take 1–4 bytes instead of 6):
///
///     u8      version = 3
///     opt     lastEventAt            presence byte, zigzag varint (absolute)
///     time    affinity landmark      (ForwardDecay.landmark)
///     count, (string, f64)*          item affinities, stored units, sorted by item id
///     count, (string, f64)*          category affinities, stored units, sorted by category
///     count, (string, time, bool)*   recent items, oldest first
///     count, (string, time)*         bought items, sorted by item id
///     count, (string, time, f64 value, f64 undone, u8 flags)*   applied orders, oldest first;
///                                    flags: bit 0 refunded, bit 1 cancelled
///     opt time firstOrderAt, opt time lastOrderAt
///     int     orderCount, int distinctOrderDays, f64 monetary
///     int×6   views, clicks, cartAdds, cartRemoves, wishlists, searches
///     opt int segment, opt time segmentEvaluatedAt
///     opt varuint                    lastRecommendationDigest (version 3; versions 1–2 stored
///                                    the list, opt (count, (string itemID, f64 score, string
///                                    reason)*), and decode to its digest)
///     opt time lastRecommendationAt, opt time alertedEpisode
///     count, string*                 recentEventIDs, oldest first
///     opt time churnTimerAt          (version 2 and later)
///
/// The profile's bounds and half-life (``UserProfileConfig``) are not stored: the restoring engine's
/// configuration applies, so a changed configuration takes effect on restart (the affinities'
/// landmark is kept). The customer's partition is not stored either (it is the store's key).
/// Dictionaries are written sorted, so the same state always gives the same bytes.
///
/// Decoding validates as it goes: truncated or malformed input, unknown versions, timestamps
/// outside ±2^52 ms, negative counters, duplicate keys and trailing bytes throw
/// ``BinaryDecodeError``; nothing traps.
public enum CustomerStateCodec {
    /// The format version written first.
    public static let version: UInt8 = 3
    /// Largest |timestamp| accepted (about 142 700 years from 1970): keeps time arithmetic far
    /// from Int64 overflow whatever the bytes said.
    static let maxAbsTime: Int64 = 1 << 52

    // MARK: Encoding

    /// Appends the encoding of `customer` to `writer`.
    public static func encode(_ customer: CustomerState, into w: inout BinaryWriter) {
        let p = customer.profile
        let base = p.lastEventAt ?? 0
        w.writeByte(version)
        w.writeOptional(p.lastEventAt) { w, t in w.writeVarInt(t) }
        writeTime(p.decay.landmark, base, &w)
        writeAffinities(p.items, &w)
        writeAffinities(p.categories, &w)
        w.writeVarUInt(UInt64(p.recent.count))
        for r in p.recent {
            w.writeString(r.itemID); writeTime(r.ts, base, &w); w.writeBool(r.bought)
        }
        w.writeVarUInt(UInt64(p.bought.count))
        for (item, ts) in p.bought.sorted(by: { $0.key < $1.key }) {
            let item = item.string
            w.writeString(item); writeTime(ts, base, &w)
        }
        w.writeVarUInt(UInt64(p.appliedOrders.count))
        for o in p.appliedOrders {
            w.writeString(o.orderID); writeTime(o.ts, base, &w)
            w.writeDouble(o.value); w.writeDouble(o.undoneValue)
            w.writeByte((o.refunded ? 1 : 0) | (o.cancelled ? 2 : 0))
        }
        writeOptionalTime(p.firstOrderAt, base, &w)
        writeOptionalTime(p.lastOrderAt, base, &w)
        w.writeInt(p.orderCount); w.writeInt(p.distinctOrderDays); w.writeDouble(p.monetary)
        w.writeInt(p.views); w.writeInt(p.clicks); w.writeInt(p.cartAdds)
        w.writeInt(p.cartRemoves); w.writeInt(p.wishlists); w.writeInt(p.searches)
        w.writeOptional(customer.segment) { w, s in w.writeInt(s) }
        writeOptionalTime(customer.segmentEvaluatedAt, base, &w)
        w.writeOptional(customer.lastRecommendationDigest) { w, d in w.writeVarUInt(d) }
        writeOptionalTime(customer.lastRecommendationAt, base, &w)
        writeOptionalTime(customer.alertedEpisode, base, &w)
        w.writeVarUInt(UInt64(customer.recentEventIDs.count))
        for id in customer.recentEventIDs { w.writeString(id) }
        writeOptionalTime(customer.churnTimerAt, base, &w)
    }

    /// The encoding of `customer` as a fresh byte array.
    public static func encode(_ customer: CustomerState) -> [UInt8] {
        var w = BinaryWriter(capacity: 512)
        encode(customer, into: &w)
        return w.bytes
    }

    @inline(__always)
    private static func writeTime(_ t: EventTime, _ base: EventTime, _ w: inout BinaryWriter) {
        w.writeVarInt(t &- base)
    }

    @inline(__always)
    private static func writeOptionalTime(_ t: EventTime?, _ base: EventTime, _ w: inout BinaryWriter) {
        if let t { w.writeByte(1); w.writeVarInt(t &- base) } else { w.writeByte(0) }
    }

    private static func writeAffinities(_ map: [IDKey: Double], _ w: inout BinaryWriter) {
        w.writeVarUInt(UInt64(map.count))
        for (k, v) in map.sorted(by: { $0.key < $1.key }) { w.writeString(k.string); w.writeDouble(v) }
    }

    // MARK: Decoding

    /// Decodes a customer that must occupy all of `bytes`.
    /// - Parameters:
    ///   - profileConfig: bounds and half-life of the restored profile (the engine's).
    ///   - partition: the customer's partition.
    public static func decode(_ bytes: UnsafeRawBufferPointer, profileConfig: UserProfileConfig,
                              partition: Int32) throws -> CustomerState {
        var r = StateBufferReader(bytes)
        let v = try r.readByte()
        guard v >= 1 && v <= version else {
            throw BinaryDecodeError.invalidValue(offset: 0, reason: "unknown customer state version \(v)")
        }
        var p = UserProfile(config: profileConfig)
        let lastEventAt: EventTime? = try r.readBool() ? try readAbsoluteTime(&r) : nil
        let base = lastEventAt ?? 0
        p.lastEventAt = lastEventAt
        p.decay = ForwardDecay(halfLife: profileConfig.halfLife, landmark: try readTime(&r, base))
        p.items = try readAffinities(&r)
        p.categories = try readAffinities(&r)

        let recentCount = try r.readCount()
        var recent: [RecentItem] = []
        recent.reserveCapacity(recentCount)
        for _ in 0..<recentCount {
            let id = try r.readString()
            let ts = try readTime(&r, base)
            recent.append(RecentItem(itemID: id, ts: ts, bought: try r.readBool()))
        }
        p.recent = recent

        let boughtCount = try r.readCount()
        var bought: [IDKey: EventTime] = [:]
        bought.reserveCapacity(boughtCount)
        for _ in 0..<boughtCount {
            let at = r.offset
            let id = try r.readString()
            if bought.updateValue(try readTime(&r, base), forKey: IDKey(id)) != nil { throw duplicate(at, id) }
        }
        p.bought = bought

        let orderCount = try r.readCount()
        var orders: [AppliedOrder] = []
        orders.reserveCapacity(orderCount)
        for _ in 0..<orderCount {
            let id = try r.readString()
            let ts = try readTime(&r, base)
            let value = try r.readDouble(), undone = try r.readDouble()
            let at = r.offset
            let flags = try r.readByte()
            guard flags & ~3 == 0 else { throw BinaryDecodeError.invalidValue(offset: at, reason: "order flags \(flags)") }
            orders.append(AppliedOrder(orderID: id, ts: ts, value: value, undoneValue: undone,
                                       refunded: flags & 1 != 0, cancelled: flags & 2 != 0))
        }
        p.appliedOrders = orders

        p.firstOrderAt = try readOptionalTime(&r, base)
        p.lastOrderAt = try readOptionalTime(&r, base)
        p.orderCount = try r.readNonNegativeInt()
        p.distinctOrderDays = try r.readNonNegativeInt()
        p.monetary = try r.readDouble()
        p.views = try r.readNonNegativeInt(); p.clicks = try r.readNonNegativeInt()
        p.cartAdds = try r.readNonNegativeInt(); p.cartRemoves = try r.readNonNegativeInt()
        p.wishlists = try r.readNonNegativeInt(); p.searches = try r.readNonNegativeInt()

        let c = CustomerState(profile: p, partition: partition)
        c.segment = try r.readBool() ? try r.readNonNegativeInt() : nil
        c.segmentEvaluatedAt = try readOptionalTime(&r, base)
        if c.segment != nil && c.segmentEvaluatedAt == nil {
            throw BinaryDecodeError.invalidValue(offset: r.offset, reason: "segment without an evaluation time")
        }
        if try r.readBool() {
            if v >= 3 {
                c.lastRecommendationDigest = try r.readVarUInt()
            } else {
                let n = try r.readCount()
                var ids: [String] = []
                ids.reserveCapacity(n)
                for _ in 0..<n {
                    ids.append(try r.readString())
                    _ = try r.readDouble()  // score
                    _ = try r.readString()  // reason
                }
                c.lastRecommendationDigest = RecommendationDigest.of(ids)
            }
        }
        c.lastRecommendationAt = try readOptionalTime(&r, base)
        c.alertedEpisode = try readOptionalTime(&r, base)
        let idCount = try r.readCount()
        var ids: [String] = []
        ids.reserveCapacity(idCount)
        for _ in 0..<idCount { ids.append(try r.readString()) }
        c.recentEventIDs = ids
        if v >= 2 {
            c.churnTimerAt = try readOptionalTime(&r, base)
            c.churnTimerKnown = true
        }
        try r.expectEnd()
        return c
    }

    /// Decodes a customer from a byte array (see ``decode(_:profileConfig:partition:)``).
    public static func decode(_ bytes: [UInt8], profileConfig: UserProfileConfig, partition: Int32) throws -> CustomerState {
        try bytes.withUnsafeBytes { try decode($0, profileConfig: profileConfig, partition: partition) }
    }

    private static func duplicate(_ offset: Int, _ key: String) -> BinaryDecodeError {
        .invalidValue(offset: offset, reason: "duplicate key '\(key)'")
    }

    @inline(__always)
    private static func checkTime(_ t: EventTime, at offset: Int) throws -> EventTime {
        guard t >= -maxAbsTime && t <= maxAbsTime else { throw BinaryDecodeError.valueOutOfRange(offset: offset, value: t) }
        return t
    }

    @inline(__always)
    private static func readAbsoluteTime(_ r: inout StateBufferReader) throws -> EventTime {
        let at = r.offset
        return try checkTime(try r.readVarInt(), at: at)
    }

    @inline(__always)
    private static func readTime(_ r: inout StateBufferReader, _ base: EventTime) throws -> EventTime {
        let at = r.offset
        return try checkTime(base &+ (try r.readVarInt()), at: at)
    }

    @inline(__always)
    private static func readOptionalTime(_ r: inout StateBufferReader, _ base: EventTime) throws -> EventTime? {
        try r.readBool() ? try readTime(&r, base) : nil
    }

    private static func readAffinities(_ r: inout StateBufferReader) throws -> [IDKey: Double] {
        let n = try r.readCount()
        var map: [IDKey: Double] = [:]
        map.reserveCapacity(n)
        for _ in 0..<n {
            let at = r.offset
            let k = try r.readString()
            if map.updateValue(try r.readDouble(), forKey: IDKey(k)) != nil { throw duplicate(at, k) }
        }
        return map
    }
}
