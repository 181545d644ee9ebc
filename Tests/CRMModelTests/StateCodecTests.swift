import XCTest
@testable import CRMModel

/// The hand-written customer codec and the Codable binary encoder/decoder.
final class StateCodecTests: XCTestCase {
    static let t: EventTime = 1_700_000_000_000

    static func handBuiltCustomer() -> CustomerState {
        let config = UserProfileConfig(maxItems: 10, maxCategories: 5, recentLimit: 4, halfLife: 3_600_000)
        var p = UserProfile(config: config)
        p.decay = ForwardDecay(halfLife: 3_600_000, landmark: t - 7_200_000)
        p.items = ["i1": 1.5, "i2": 0.25, "ü-ñ": 3e-300, "": 7]
        p.categories = ["c1": 2.5, "c2": .infinity]
        p.recent = [RecentItem(itemID: "i2", ts: t - 5_000, bought: true), RecentItem(itemID: "i1", ts: t, bought: false)]
        p.bought = ["i2": t - 5_000, "i9": -86_400_000]
        p.appliedOrders = [
            AppliedOrder(orderID: "o1", ts: t - 5_000, value: 19.99, undoneValue: 3.5, refunded: true, cancelled: false),
            AppliedOrder(orderID: "o2", ts: t - 4_000, value: 5, undoneValue: 5, refunded: false, cancelled: true),
        ]
        p.firstOrderAt = t - 5_000
        p.lastOrderAt = t - 5_000
        p.orderCount = 1
        p.monetary = 16.49
        p.distinctOrderDays = 1
        p.views = 3; p.clicks = 200; p.cartAdds = 1; p.cartRemoves = 0; p.wishlists = 2; p.searches = 70_000
        p.lastEventAt = t
        let c = CustomerState(profile: p, partition: 3)
        c.segment = 2
        c.segmentEvaluatedAt = t - 1
        c.lastRecommendationDigest = RecommendationDigest.of(["i5", "i6"])
        c.lastRecommendationAt = t - 2
        c.alertedEpisode = nil
        c.recentEventIDs = ["e1", "e2", "e3"]
        return c
    }

    func testCustomerRoundTripKeepsEveryField() throws {
        let c = Self.handBuiltCustomer()
        let bytes = CustomerStateCodec.encode(c)
        XCTAssertEqual(bytes.first, CustomerStateCodec.version)
        let d = try CustomerStateCodec.decode(bytes, profileConfig: c.profile.config, partition: 3)
        XCTAssertEqual(d.profile, c.profile)
        XCTAssertEqual(d.profile.decay.landmark, Self.t - 7_200_000)
        XCTAssertEqual(d.profile.items, c.profile.items)
        XCTAssertEqual(d.profile.categories, c.profile.categories)
        XCTAssertEqual(d.profile.appliedOrders, c.profile.appliedOrders)
        XCTAssertEqual(d.profile.searches, 70_000)
        XCTAssertEqual(d.partition, 3)
        XCTAssertEqual(d.segment, 2)
        XCTAssertEqual(d.segmentEvaluatedAt, Self.t - 1)
        XCTAssertEqual(d.lastRecommendationDigest, 12_912_121_518_580_912_852)
        XCTAssertEqual(d.lastRecommendationAt, Self.t - 2)
        XCTAssertNil(d.alertedEpisode)
        XCTAssertEqual(d.recentEventIDs, ["e1", "e2", "e3"])
        XCTAssertEqual(CustomerStateCodec.encode(d), bytes)

        // An empty customer, and one with every optional set.
        let empty = CustomerState(profile: UserProfile(), partition: 0)
        let e = try CustomerStateCodec.decode(CustomerStateCodec.encode(empty), profileConfig: UserProfileConfig(), partition: 0)
        XCTAssertEqual(e.profile, empty.profile)
        XCTAssertNil(e.segment); XCTAssertNil(e.lastRecommendationDigest)
        c.alertedEpisode = Self.t - 5_000
        let f = try CustomerStateCodec.decode(CustomerStateCodec.encode(c), profileConfig: c.profile.config, partition: 3)
        XCTAssertEqual(f.alertedEpisode, Self.t - 5_000)
    }

    /// ``handBuiltCustomer()`` as the version-2 codec wrote it (captured from that build).
    static let version2Bytes: [UInt8] = {
        let hex = "020180a0abfef962fff3ee0604000000000000001c40026931000000000000f83f026932000000000000d03f05c3bc2dc3b183b63ad29712c001020263310000000000000440026332000000000000f07f020269328f4e010269310000020269328f4e026939ff8fded0fa6202026f318f4e3d0ad7a370fd33400000000000000c4001026f32bf3e0000000000001440000000000000144002018f4e018f4e02023d0ad7a3707d3040069003020004e0c508010401010102026935000000000000e03f17626f7567687420746f67657468657220776974682069320269360000000000000080000103000302653102653202653300"
        var bytes: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            bytes.append(UInt8(hex[i..<j], radix: 16)!)
            i = j
        }
        return bytes
    }()

    /// A version-2 blob (written by the previous build, which kept the whole last list: items i5
    /// and i6 with scores and reasons) decodes to the same customer, the list to its digest.
    func testVersion2CustomerDecodes() throws {
        let bytes = Self.version2Bytes
        let want = Self.handBuiltCustomer()
        let d = try CustomerStateCodec.decode(bytes, profileConfig: want.profile.config, partition: 3)
        XCTAssertEqual(d.profile, want.profile)
        XCTAssertEqual(d.lastRecommendationDigest, RecommendationDigest.of(["i5", "i6"]))
        XCTAssertEqual(d.lastRecommendationAt, Self.t - 2)
        XCTAssertEqual(d.recentEventIDs, ["e1", "e2", "e3"])
        // Re-encoded, it is the current version's encoding of the same customer.
        XCTAssertEqual(CustomerStateCodec.encode(d), CustomerStateCodec.encode(want))
    }

    /// FNV-1a 64 with a 0xFF separator per id; values computed independently (Python, mod 2^64).
    func testRecommendationDigest() {
        XCTAssertEqual(RecommendationDigest.of([String]()), 14_695_981_039_346_656_037)
        XCTAssertEqual(RecommendationDigest.of([""]), 12_638_352_127_299_873_646)
        XCTAssertEqual(RecommendationDigest.of(["ab", "c"]), 2_358_367_985_974_424_609)
        XCTAssertEqual(RecommendationDigest.of(["a", "bc"]), 11_575_188_015_659_155_627)
        let list = [RecommendedItem(itemID: "i5", score: 1, reason: "x"), RecommendedItem(itemID: "i6", score: 0, reason: "y")]
        XCTAssertEqual(RecommendationDigest.of(list), 12_912_121_518_580_912_852)
        // The engine's decision: an unchanged list (by ids) is not sent again; a changed one is.
        let r = Recommender()
        XCTAssertFalse(r.shouldEmit(list, lastDigest: RecommendationDigest.of(["i5", "i6"]), lastEmitAt: 0, now: 600_000))
        XCTAssertTrue(r.shouldEmit(list, lastDigest: RecommendationDigest.of(["i6", "i5"]), lastEmitAt: 0, now: 600_000))
        XCTAssertFalse(r.shouldEmit(list, lastDigest: RecommendationDigest.of(["i6", "i5"]), lastEmitAt: 0, now: 59_999))
        XCTAssertTrue(r.shouldEmit(list, lastDigest: nil, lastEmitAt: nil, now: 0))
    }

    func testCustomerEncodingIsDeterministic() {
        let a = Self.handBuiltCustomer(), b = Self.handBuiltCustomer()
        // Same content, different insertion history.
        b.profile.items = [:]
        for k in ["ü-ñ", "", "i2", "i1"] { b.profile.items[k] = a.profile.items[k] }
        XCTAssertEqual(CustomerStateCodec.encode(a), CustomerStateCodec.encode(a))
        XCTAssertEqual(CustomerStateCodec.encode(a), CustomerStateCodec.encode(b))
    }

    func testTruncatedOrExtendedCustomerBytesThrow() {
        let c = Self.handBuiltCustomer()
        let bytes = CustomerStateCodec.encode(c)
        for n in 0..<bytes.count {
            XCTAssertThrowsError(try CustomerStateCodec.decode(Array(bytes.prefix(n)), profileConfig: c.profile.config,
                                                               partition: 0), "prefix \(n)") { error in
                XCTAssertTrue(error is BinaryDecodeError)
            }
        }
        XCTAssertThrowsError(try CustomerStateCodec.decode(bytes + [0], profileConfig: c.profile.config, partition: 0)) {
            XCTAssertEqual($0 as? BinaryDecodeError, .trailingBytes(count: 1))
        }
        var v4 = bytes; v4[0] = 4
        XCTAssertThrowsError(try CustomerStateCodec.decode(v4, profileConfig: c.profile.config, partition: 0))
        // Version 1 had no timer field: version 2's bytes without the last (absent timer) byte.
        XCTAssertNil(c.churnTimerAt)
        var v1 = Array(Self.version2Bytes.dropLast()); v1[0] = 1
        let old = try? CustomerStateCodec.decode(v1, profileConfig: c.profile.config, partition: 0)
        XCTAssertNotNil(old)
        XCTAssertEqual(old.map { CustomerStateCodec.encode($0) }, bytes)
    }

    func testGarbageCustomerBytesThrowNeverTrap() {
        var rng = SeededRandom(seed: 99)
        let valid = CustomerStateCodec.encode(Self.handBuiltCustomer())
        var decoded = 0
        for trial in 0..<20_000 {
            var bytes: [UInt8]
            if trial % 2 == 0 {
                bytes = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if !bytes.isEmpty { bytes[0] = 1 }
            } else {
                // Valid bytes with a few flipped.
                bytes = valid
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            do {
                let c = try CustomerStateCodec.decode(bytes, profileConfig: UserProfileConfig(), partition: 0)
                decoded += 1
                // Whatever decoded re-encodes without trapping.
                _ = CustomerStateCodec.encode(c)
            } catch {
                XCTAssertTrue(error is BinaryDecodeError, "\(error)")
            }
        }
        XCTAssertLessThan(decoded, 20_000)
    }

    func testInvalidUTF8AndOutOfRangeTimesThrow() {
        var w = BinaryWriter()
        w.writeByte(1)
        w.writeByte(1); w.writeVarInt(Int64.max)  // lastEventAt far out of range
        XCTAssertThrowsError(try CustomerStateCodec.decode(w.bytes, profileConfig: UserProfileConfig(), partition: 0)) {
            guard case .valueOutOfRange = $0 as? BinaryDecodeError else { return XCTFail("\($0)") }
        }
        var u = BinaryWriter()
        u.writeByte(1); u.writeByte(0); u.writeVarInt(0)
        u.writeVarUInt(1); u.writeVarUInt(2); u.writeRaw([0xC3, 0x28]); u.writeDouble(1)  // invalid UTF-8 key
        XCTAssertThrowsError(try CustomerStateCodec.decode(u.bytes, profileConfig: UserProfileConfig(), partition: 0)) {
            guard case .invalidUTF8 = $0 as? BinaryDecodeError else { return XCTFail("\($0)") }
        }
    }

    // MARK: Codable encoder

    struct Inner: Codable, Equatable, Hashable {
        var a: Int8
        var b: String?
    }

    enum Kind: String, Codable { case x, y }

    struct Sample: Codable, Equatable {
        var i: Int = -5
        var u: UInt64 = .max
        var f: Float = 1.5
        var d: Double = -0.0
        var s: String = "héllo"
        var none: String? = nil
        var some: String? = ""
        var nested: Int?? = .some(nil)
        var list: [Double] = [1, .infinity, -3]
        var grid: [[Int]] = [[], [1, 2], [3]]
        var byName: [String: Inner] = ["b": Inner(a: 1, b: nil), "a": Inner(a: -128, b: "z")]
        var byInt: [Int: Double] = [3: 1, -1: 2, 100: 3]
        var byStruct: [Inner: Int] = [Inner(a: 1, b: "k"): 1, Inner(a: 2, b: nil): 2]
        var set: Set<String> = ["p", "q"]
        var kind: Kind = .y
        var optionalList: [Int?] = [1, nil, 3]
        var empty: [String: Double] = [:]
    }

    func testCodableRoundTrip() throws {
        let s = Sample()
        let bytes = try BinaryStateEncoder().encode(s)
        let back = try BinaryStateDecoder().decode(Sample.self, from: bytes)
        XCTAssertEqual(back, s)
        XCTAssertEqual(back.nested, .some(nil))
        XCTAssertEqual(back.d.sign, .minus)
        XCTAssertEqual(try BinaryStateDecoder().decode(String?.self, from: try BinaryStateEncoder().encode(String?.none)), nil)
        XCTAssertEqual(try BinaryStateEncoder().encode(Optional("a")), [1, 1, 0x61])
    }

    func testCodableDictionariesEncodeDeterministically() throws {
        var a: [String: Double] = [:], b: [String: Double] = [:]
        let keys = (0..<500).map { "k\($0 * 7919 % 1000)" }
        for k in keys { a[k] = Double(k.count) }
        for k in keys.reversed() { b[k] = Double(k.count) }
        XCTAssertEqual(try BinaryStateEncoder().encode(a), try BinaryStateEncoder().encode(b))
        var s1 = Sample(), s2 = Sample()
        s1.byStruct = [:]; s2.byStruct = [:]
        for i in 0..<50 { s1.byStruct[Inner(a: Int8(i), b: "\(i)")] = i }
        for i in (0..<50).reversed() { s2.byStruct[Inner(a: Int8(i), b: "\(i)")] = i }
        for i in 0..<100 { s1.set.insert("e\(i)") }
        for i in (0..<100).reversed() { s2.set.insert("e\(i)") }
        XCTAssertEqual(try BinaryStateEncoder().encode(s1), try BinaryStateEncoder().encode(s2))
        XCTAssertEqual(try BinaryStateDecoder().decode(Sample.self, from: try BinaryStateEncoder().encode(s1)), s1)
    }

    func testCodableBadBytesThrow() throws {
        let bytes = try BinaryStateEncoder().encode(Sample())
        for n in 0..<bytes.count {
            XCTAssertThrowsError(try BinaryStateDecoder().decode(Sample.self, from: Array(bytes.prefix(n))), "prefix \(n)")
        }
        XCTAssertThrowsError(try BinaryStateDecoder().decode(Sample.self, from: bytes + [1]))
        // Out-of-range integer: an Int8 field holding 300.
        var w = BinaryWriter()
        w.writeVarInt(300); w.writeByte(0)
        XCTAssertThrowsError(try BinaryStateDecoder().decode(Inner.self, from: w.bytes)) {
            guard case .valueOutOfRange = $0 as? BinaryDecodeError else { return XCTFail("\($0)") }
        }
        // A duplicate dictionary key.
        var dup = BinaryWriter()
        dup.writeVarUInt(2); dup.writeString("a"); dup.writeDouble(1); dup.writeString("a"); dup.writeDouble(2)
        XCTAssertThrowsError(try BinaryStateDecoder().decode([String: Double].self, from: dup.bytes))
        // Garbage never traps.
        var rng = SeededRandom(seed: 5)
        for _ in 0..<5_000 {
            var g = bytes
            for _ in 0..<3 { g[Int(rng.next() % UInt64(g.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            _ = try? BinaryStateDecoder().decode(Sample.self, from: g)
        }
    }

    func testModelSnapshotsRoundTrip() throws {
        let sim = ItemSimilarity()
        let pop = PopularityIndex()
        _ = Toy.feed(sim, popularity: pop, segments: ["A": 0, "B": 1, "C": 0])
        let s = try BinaryStateDecoder().decode(ItemSimilarity.Snapshot.self, from: try BinaryStateEncoder().encode(sim.snapshot()))
        XCTAssertEqual(s, sim.snapshot())
        let p = try BinaryStateDecoder().decode(PopularityIndex.Snapshot.self, from: try BinaryStateEncoder().encode(pop.snapshot()))
        XCTAssertEqual(p, pop.snapshot())
        var km = OnlineKMeans(configuration: .init(k: 2, dimension: 2, decay: 1, seed: 1))
        for i in 0..<30 { _ = km.update([Double(i % 3), Double(i % 5)]) }
        XCTAssertEqual(try BinaryStateDecoder().decode(OnlineKMeans.self, from: try BinaryStateEncoder().encode(km)), km)
        var timers = ChurnTimers()
        timers.schedule(user: "b", at: 5); timers.schedule(user: "a", at: 5); timers.schedule(user: "c", at: 1)
        XCTAssertEqual(try BinaryStateDecoder().decode(ChurnTimers.self, from: try BinaryStateEncoder().encode(timers)), timers)
    }
}
