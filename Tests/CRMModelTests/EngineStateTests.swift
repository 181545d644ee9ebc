import XCTest
@testable import CRMModel

/// Checkpoint and restore of the whole engine (DESIGN.md §5): a restored engine continues exactly
/// like the original.
final class EngineStateTests: XCTestCase {
    struct LCG {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
    }

    static let hour: Int64 = 3_600_000
    static let start: EventTime = 1_700_000_000_000

    static func config() -> EngineConfig {
        var c = EngineConfig()
        c.segmentCount = 3
        c.segmentRenameEvery = 100
        c.churnRefitEveryOrders = 40
        c.churnEmitReactivated = true
        c.similarity = ItemSimilarityConfig(recentLimit: 6, window: 48 * hour, halfLife: 24 * hour, topK: 4,
                                            maxItems: 50, maxPairsPerItem: 8, pruneInterval: 72 * hour)
        c.popularity = PopularityConfig(halfLife: 72 * hour, topN: 6, maxGlobalItems: 40, maxItemsPerSegment: 20)
        c.profile = UserProfileConfig(maxItems: 12, maxCategories: 4, recentLimit: 6, maxBoughtItems: 8,
                                      maxAppliedOrders: 6, halfLife: 48 * hour)
        c.recommender.minEmitInterval = hour
        c.watermark = Watermark.Configuration(allowedLateness: 2 * hour, maxForwardJump: 2 * millisecondsPerDay)
        return c
    }

    /// A seeded stream: catalog records, clicks of every type, orders (some redelivered, some
    /// cancelled or refunded), out-of-order events, customers who go quiet (so churn alerts fire) and
    /// two `forget_user`s. About 140 days.
    static func stream(count: Int, seed: UInt64 = 7) -> [(ShopEvent, SourcePosition)] {
        var rng = LCG(state: seed)
        var events: [(ShopEvent, SourcePosition)] = []
        var offsets: [Int32: Int64] = [:]
        func add(_ e: ShopEvent, partition: Int32) {
            let o = offsets[partition, default: 0]
            offsets[partition] = o + 1
            events.append((e, SourcePosition(topic: "shop", partition: partition, offset: o)))
        }
        for i in 0..<40 {
            add(.catalog(CatalogItem(itemID: "i\(i)", category: "c\(i % 7)", price: Double(5 + i),
                                     available: i % 13 != 0)), partition: 9)
        }
        var ts = start
        var orders: [(user: Int, id: String)] = []
        var lastEvent: ShopEvent?
        for n in 0..<count {
            ts += Int64(rng.next(Int(3 * hour)))
            // Users 0..<15 stop after a third of the stream: they go silent and churn.
            let user = n < count / 3 ? rng.next(40) : 15 + rng.next(25)
            let uid = "u\(user)"
            let partition = Int32(user % 4)
            let late = rng.next(20) == 0 ? Int64(rng.next(Int(4 * hour))) : 0
            let item = rng.next(40)
            let roll = rng.next(100)
            if n == count / 4 || n == (3 * count) / 4 {
                add(.forgetUser(userID: "u\(15 + rng.next(25))"), partition: partition)
                continue
            }
            if roll < 3, let e = lastEvent {
                // A redelivery of the previous event.
                add(e, partition: e.userID.map { Int32((Int($0.dropFirst()) ?? 0) % 4) } ?? 0)
                continue
            }
            let event: ShopEvent
            if roll < 70 {
                let type = ClickType.allCases[rng.next(ClickType.allCases.count)]
                event = .click(ClickEvent(eventID: "e\(n)", type: type, userID: uid,
                                          itemID: type == .search ? nil : "i\(item)", category: "c\(item % 7)",
                                          query: type == .search ? "q\(item)" : nil, ts: ts - late))
            } else if roll < 90 || orders.isEmpty {
                let lines = (0...rng.next(3)).map { _ in
                    let j = rng.next(40)
                    return OrderLine(itemID: "i\(j)", quantity: 1 + rng.next(2), price: Double(5 + j))
                }
                let id = "o\(n)"
                orders.append((user, id))
                event = .order(OrderEvent(eventID: "e\(n)", type: .order, orderID: id, userID: uid, ts: ts - late,
                                          items: lines, currency: "EUR"))
            } else {
                let o = orders[rng.next(orders.count)]
                event = .order(OrderEvent(eventID: "e\(n)", type: roll < 95 ? .cancel : .refund, orderID: o.id,
                                          userID: "u\(o.user)", ts: ts, total: roll % 2 == 0 ? 3.5 : nil))
            }
            lastEvent = event
            add(event, partition: Int32((Int(event.userID!.dropFirst()) ?? 0) % 4))
        }
        return events
    }

    static func feed(_ engine: CRMEngine, _ events: ArraySlice<(ShopEvent, SourcePosition)>) -> [ModelOutput] {
        var outputs: [ModelOutput] = []
        for (e, p) in events { engine.process(e, at: p, into: &outputs) }
        return outputs
    }

    static func customerBlobs(_ engine: CRMEngine) -> [String: [UInt8]] {
        var blobs: [String: [UInt8]] = [:]
        for id in engine.customers.keys { blobs[id] = engine.encodeCustomer(id)!.state }
        return blobs
    }

    static func restored(from engine: CRMEngine) throws -> CRMEngine {
        let globals = Dictionary(uniqueKeysWithValues: engine.encodeGlobals().map { ($0.key, $0.state) })
        let fresh = CRMEngine(config: engine.config)
        try fresh.restoreGlobals { globals[$0] }
        for id in engine.customers.keys.sorted() {
            let (partition, state) = engine.encodeCustomer(id)!
            try fresh.restoreCustomer(userID: id, partition: partition, from: state)
        }
        return fresh
    }

    func assertSameState(_ a: CRMEngine, _ b: CRMEngine, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(Self.customerBlobs(a), Self.customerBlobs(b), "customer encodings", file: file, line: line)
        let ga = a.encodeGlobals(), gb = b.encodeGlobals()
        XCTAssertEqual(ga.map(\.key), gb.map(\.key), file: file, line: line)
        for (x, y) in zip(ga, gb) { XCTAssertEqual(x.state, y.state, "global \(x.key)", file: file, line: line) }
        XCTAssertEqual(a.churnSummaries, b.churnSummaries, "churn summaries", file: file, line: line)
        XCTAssertEqual(a.timers, b.timers, "churn timers", file: file, line: line)
    }

    /// The decisive test: snapshot at the midpoint, restore into a fresh engine, feed both the rest.
    func testRestoredEngineContinuesIdentically() throws {
        let events = Self.stream(count: 4000)
        let mid = events.count / 2
        let a = CRMEngine(config: Self.config())
        _ = Self.feed(a, events[..<mid])
        let b = try Self.restored(from: a)
        assertSameState(a, b)

        let outA = Self.feed(a, events[mid...])
        let outB = Self.feed(b, events[mid...])
        XCTAssertEqual(outA.count, outB.count)
        for (i, (x, y)) in zip(outA, outB).enumerated() where x != y {
            XCTFail("output \(i) differs:\n\(x)\n\(y)")
            break
        }
        XCTAssertEqual(outA, outB)
        assertSameState(a, b)
        XCTAssertEqual(a.stats, b.stats)

        // The stream exercised what it should have.
        XCTAssertGreaterThan(a.stats.churnAlerts, 0)
        XCTAssertGreaterThan(a.stats.churnRefits, 0)
        XCTAssertGreaterThan(a.stats.cancels, 0)
        XCTAssertGreaterThan(a.stats.refunds, 0)
        XCTAssertGreaterThan(a.stats.duplicates, 0)
        XCTAssertEqual(a.stats.forgotten, 2)
        XCTAssertGreaterThan(a.stats.segmentChanges, 0)
        XCTAssertGreaterThan(a.stats.recommendations, 0)
        let kinds = Set(outA.map { o -> String in
            switch o {
            case .recommendation: return "rec"
            case .churnAlert: return "churn"
            case .segmentChange: return "segment"
            case .tombstone: return "tombstone"
            }
        })
        XCTAssertEqual(kinds, ["rec", "churn", "segment", "tombstone"])
    }

    func testGlobalAndCustomerEncodingsAreDeterministic() throws {
        let events = Self.stream(count: 1500, seed: 11)
        let a = CRMEngine(config: Self.config())
        _ = Self.feed(a, events[...])
        let b = CRMEngine(config: Self.config())
        _ = Self.feed(b, events[...])
        XCTAssertEqual(a.encodeGlobals().map(\.state), a.encodeGlobals().map(\.state))
        XCTAssertEqual(a.encodeGlobals().map(\.state), b.encodeGlobals().map(\.state))
        XCTAssertEqual(Self.customerBlobs(a), Self.customerBlobs(b))
        // A restored engine re-encodes to the same bytes.
        let c = try Self.restored(from: a)
        XCTAssertEqual(a.encodeGlobals().map(\.state), c.encodeGlobals().map(\.state))
        XCTAssertEqual(Self.customerBlobs(a), Self.customerBlobs(c))
    }

    func testRestoreGlobalsWithNothingSavedStartsEmpty() throws {
        let e = CRMEngine(config: Self.config())
        try e.restoreGlobals { _ in nil }
        let fresh = CRMEngine(config: Self.config())
        XCTAssertEqual(e.encodeGlobals().map(\.state), fresh.encodeGlobals().map(\.state))
        XCTAssertEqual(Self.feed(e, Self.stream(count: 500)[...]), Self.feed(fresh, Self.stream(count: 500)[...]))
    }

    func testRestoreGlobalsRejectsBadBlobsAndLeavesEngineUnchanged() throws {
        let a = CRMEngine(config: Self.config())
        _ = Self.feed(a, Self.stream(count: 800)[...])
        let globals = Dictionary(uniqueKeysWithValues: a.encodeGlobals().map { ($0.key, $0.state) })
        for key in CRMEngine.globalKeys {
            let good = globals[key]!
            for bad in [Array(good.dropLast()), [2] + good.dropFirst(), good + [0], []] {
                let e = CRMEngine(config: Self.config())
                let before = e.encodeGlobals().map(\.state)
                XCTAssertThrowsError(try e.restoreGlobals { $0 == key ? bad : globals[$0] }, "\(key)")
                XCTAssertEqual(e.encodeGlobals().map(\.state), before, "\(key) partially applied")
            }
        }
    }

    /// Partitions move away and come back: the dropped customers return with their churn summaries
    /// and timers.
    func testDropAndRestorePartition() throws {
        let a = CRMEngine(config: Self.config())
        _ = Self.feed(a, Self.stream(count: 3000, seed: 3)[...])
        let summaries = a.churnSummaries, timers = a.timers
        let moved: Set<Int32> = [1, 2]
        let blobs = a.customers.filter { moved.contains($0.value.partition) }.keys.sorted()
            .map { ($0, a.encodeCustomer($0)!) }
        XCTAssertFalse(blobs.isEmpty)
        XCTAssertTrue(blobs.contains { timers.fireTime(of: $0.0) != nil }, "some moved customer has a timer")
        let stay = a.customers.count - blobs.count
        a.dropCustomers(partitions: moved)
        XCTAssertEqual(a.customers.count, stay)
        XCTAssertTrue(a.customers.values.allSatisfy { !moved.contains($0.partition) })
        XCTAssertLessThan(a.churnSummaries.totalCustomers, summaries.totalCustomers)
        for (id, _) in blobs { XCTAssertNil(a.timers.fireTime(of: id)) }
        // Another engine that only ever held the staying customers has the same summaries.
        for (id, blob) in blobs { try a.restoreCustomer(userID: id, partition: blob.partition, from: blob.state) }
        XCTAssertEqual(a.churnSummaries, summaries)
        XCTAssertEqual(a.timers, timers)
        for (id, blob) in blobs {
            XCTAssertEqual(a.encodeCustomer(id)!.state, blob.state)
            XCTAssertEqual(a.encodeCustomer(id)!.partition, blob.partition)
        }
    }

    func testRestoredAlertedCustomerGetsNoNewTimer() throws {
        let a = CRMEngine(config: Self.config())
        _ = Self.feed(a, Self.stream(count: 4000)[...])
        let alerted = a.customers.filter { $0.value.alertedEpisode != nil && $0.value.alertedEpisode == $0.value.profile.lastOrderAt }
        XCTAssertFalse(alerted.isEmpty)
        let b = try Self.restored(from: a)
        for id in alerted.keys { XCTAssertNil(b.timers.fireTime(of: id), id) }
        XCTAssertEqual(a.timers, b.timers)
    }

    func testFiredAlertMarksTheCustomerDirty() {
        let a = CRMEngine(config: Self.config())
        let events = Self.stream(count: 4000)
        _ = Self.feed(a, events[..<2000])
        _ = a.takeDirtyCustomers()
        var out: [ModelOutput] = []
        // Day by day (a single far jump would be refused by the clock as too far in the future).
        let from = a.watermark.current!
        for day in 1...300 { a.advance(to: from + Int64(day) * millisecondsPerDay, into: &out) }
        let alerted = out.compactMap { o -> String? in if case .churnAlert(let x) = o { return x.userID } else { return nil } }
        XCTAssertFalse(alerted.isEmpty)
        XCTAssertEqual(a.takeDirtyCustomers().changed, alerted.sorted())
    }
}
