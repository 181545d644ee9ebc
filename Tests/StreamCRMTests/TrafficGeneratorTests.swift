import CRMModel
import XCTest
@testable import StreamCRM

/// The demo traffic generator: determinism, size, validity per DESIGN.md §2, churn and Zipf.
final class TrafficGeneratorTests: XCTestCase {
    /// One default run shared by the read-only tests (the generator is pure).
    private static let traffic = ShopTrafficGenerator().generate()
    private static let config = ShopTrafficConfig()

    func testDemoRandomIsSplitMix64() {
        var rng = DemoRandom(seed: 0)
        // Reference outputs of splitmix64.c (Vigna) for seed 0.
        XCTAssertEqual(rng.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(rng.next(), 0x6E78_9E6A_A1B9_65F4)
        XCTAssertEqual(rng.next(), 0x06C4_5D18_8009_454F)
        var a = DemoRandom.derive(seed: 7, stream: 3), b = DemoRandom.derive(seed: 7, stream: 3)
        var c = DemoRandom.derive(seed: 7, stream: 4)
        XCTAssertEqual(a.next(), b.next())
        XCTAssertNotEqual(a.next(), c.next())
        var counts = [0, 0, 0]
        for _ in 0..<3_000 {
            let x = rng.int(below: 3)
            counts[x] += 1
            let u = rng.unit()
            XCTAssertTrue(u >= 0 && u < 1)
        }
        XCTAssertTrue(counts.allSatisfy { $0 > 900 && $0 < 1_100 }, "\(counts)")
        let weights = rng.dirichlet(count: 3, alpha: 1.5)
        XCTAssertEqual(weights.reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertTrue(weights.allSatisfy { $0 > 0 })
    }

    func testSameSeedSameEventsDifferentSeedDifferent() {
        let small = ShopTrafficConfig(seed: 9, itemCount: 80, customerCount: 120, days: 30)
        let first = ShopTrafficGenerator(config: small).generate()
        let second = ShopTrafficGenerator(config: small).generate()
        XCTAssertEqual(first, second)
        XCTAssertFalse(first.events.isEmpty)
        var other = small
        other.seed = 10
        let third = ShopTrafficGenerator(config: other).generate()
        XCTAssertNotEqual(first.events, third.events)
        XCTAssertNotEqual(first.catalog, third.catalog)
        XCTAssertEqual(ShopTrafficGenerator().events(), Self.traffic.events)
    }

    func testDefaultSizeAndCap() {
        let events = Self.traffic.events
        XCTAssertTrue((55_000...100_000).contains(events.count), "\(events.count) events")
        XCTAssertEqual(Self.traffic.customers.count, 1_500)
        XCTAssertEqual(Self.traffic.customers.first?.userID, "u1")
        var capped = Self.config
        capped.maxEvents = 1_000
        let prefix = ShopTrafficGenerator(config: capped).events()
        XCTAssertEqual(prefix, Array(events.prefix(1_000)))
    }

    func testCatalog() {
        let catalog = ShopTrafficGenerator().catalog()
        XCTAssertEqual(catalog, Self.traffic.catalog)
        XCTAssertEqual(catalog.count, 400)
        XCTAssertEqual(catalog.first?.itemID, "i1")
        XCTAssertEqual(catalog.last?.itemID, "i400")
        let categories = Set(catalog.compactMap(\.category))
        XCTAssertEqual(categories, ["shoes", "sports", "books", "stationery", "kitchen", "home", "electronics", "gaming",
                                    "beauty", "fashion", "garden", "pets"])
        for item in catalog {
            let price = item.price ?? -1
            XCTAssertTrue(price > 0 && price.isFinite, "\(item)")
            XCTAssertEqual((price * 100).rounded().truncatingRemainder(dividingBy: 100), 99, "\(item)")
            XCTAssertEqual(item.tags.first, item.category)
        }
        XCTAssertEqual(catalog.filter { $0.tags.contains("bestseller") }.count, 20)
        XCTAssertTrue(catalog.filter { !$0.available }.count < 40)
    }

    func testEveryEventIsValid() {
        let config = Self.config
        var last = EventTime.min
        var eventIDs = Set<String>(), orders: [String: String] = [:], undone = Set<String>()
        for event in Self.traffic.events {
            guard let ts = event.ts else { return XCTFail("no ts: \(event)") }
            XCTAssertGreaterThanOrEqual(ts, last)
            XCTAssertTrue(ts >= config.start && ts < config.end, "ts \(ts) outside the period")
            last = ts
            switch event {
            case .click(let c):
                XCTAssertTrue(eventIDs.insert(c.eventID).inserted, "duplicate \(c.eventID)")
                XCTAssertFalse(c.userID.isEmpty)
                XCTAssertFalse(c.sessionID?.isEmpty ?? true)
                if c.type == .search {
                    XCTAssertNil(c.itemID)
                    XCTAssertFalse(c.query?.isEmpty ?? true)
                } else {
                    XCTAssertFalse(c.itemID?.isEmpty ?? true)
                    XCTAssertNotNil(c.category)
                    let price = c.price ?? -1
                    XCTAssertTrue(price.isFinite && price >= 0)
                }
            case .order(let o):
                XCTAssertTrue(eventIDs.insert(o.eventID).inserted, "duplicate \(o.eventID)")
                XCTAssertFalse(o.userID.isEmpty)
                switch o.type {
                case .order:
                    XCTAssertNil(orders[o.orderID], "order id \(o.orderID) reused")
                    orders[o.orderID] = o.userID
                    XCTAssertTrue((1...4).contains(o.items.count), "\(o.items.count) lines")
                    var cents = 0.0
                    for line in o.items {
                        XCTAssertTrue(line.quantity >= 1 && line.price.isFinite && line.price > 0)
                        cents += Double(line.quantity) * (line.price * 100).rounded()
                    }
                    XCTAssertEqual(o.total ?? -1, cents / 100, accuracy: 1e-9)
                    XCTAssertEqual(o.currency, "EUR")
                case .cancel, .refund:
                    XCTAssertEqual(orders[o.orderID], o.userID, "\(o.eventID) names an unknown order")
                    XCTAssertTrue(undone.insert(o.orderID).inserted, "\(o.orderID) undone twice")
                }
            default:
                XCTFail("unexpected \(event)")
            }
        }
        XCTAssertGreaterThan(orders.count, 2_000)
        XCTAssertGreaterThan(undone.count, 50)
    }

    func testCustomerKindsBehave() {
        var ordersByUser: [String: Int] = [:]
        for case .order(let o) in Self.traffic.events where o.type == .order { ordersByUser[o.userID, default: 0] += 1 }
        var loyalOrders = 0, loyalCount = 0
        for customer in Self.traffic.customers {
            let n = ordersByUser[customer.userID] ?? 0
            switch customer.kind {
            case .browser: XCTAssertEqual(n, 0, customer.userID)
            case .oneTime: XCTAssertEqual(n, 1, customer.userID)
            case .loyal: loyalOrders += n; loyalCount += 1
            case .occasional: break
            }
        }
        XCTAssertGreaterThan(Double(loyalOrders) / Double(loyalCount), 5)
    }

    func testSomeCustomersGoSilentWhileTheStreamContinues() {
        let config = Self.config
        var lastByUser: [String: EventTime] = [:], ordersByUser: [String: Int] = [:]
        for event in Self.traffic.events {
            guard let user = event.userID, let ts = event.ts else { continue }
            lastByUser[user] = ts
            if case .order(let o) = event, o.type == .order { ordersByUser[user, default: 0] += 1 }
        }
        let streamEnd = Self.traffic.events.last?.ts ?? 0
        XCTAssertGreaterThan(streamEnd, config.end - millisecondsPerDay)
        var silentBuyers = 0
        for customer in Self.traffic.customers {
            guard let silentFrom = customer.silentFrom, let lastSeen = lastByUser[customer.userID] else { continue }
            XCTAssertLessThan(lastSeen, silentFrom, customer.userID)
            if streamEnd - lastSeen >= 60 * millisecondsPerDay, (ordersByUser[customer.userID] ?? 0) >= 2 { silentBuyers += 1 }
        }
        XCTAssertGreaterThanOrEqual(silentBuyers, 20, "repeat buyers silent for the last 60+ days")
    }

    func testPopularityHasAZipfHead() {
        var views: [String: Int] = [:]
        for case .click(let c) in Self.traffic.events where c.type == .view { views[c.itemID ?? "", default: 0] += 1 }
        let counts = views.values.sorted(by: >)
        let head = counts.prefix(Self.config.itemCount / 10).reduce(0, +)
        let share = Double(head) / Double(counts.reduce(0, +))
        // Uniform popularity would give 0.10; Zipf(1.1) over 400 items gives about 0.72 globally,
        // diluted by customers' category tastes. Require four times uniform.
        XCTAssertGreaterThan(share, 0.4, "top 10 % of items get \(share) of views")
    }

    func testBoughtTogetherIsLearnable() {
        let catalog = DemoCatalog(config: Self.config)
        let index = Dictionary(uniqueKeysWithValues: catalog.items.enumerated().map { ($1.id, $0) })
        var multi = 0, withComplement = 0
        for case .order(let o) in Self.traffic.events where o.type == .order && o.items.count > 1 {
            multi += 1
            let first = index[o.items[0].itemID]!
            let complements = Set(catalog.items[first].complements.map { catalog.items[$0].id })
            if o.items.dropFirst().contains(where: { complements.contains($0.itemID) }) { withComplement += 1 }
        }
        XCTAssertGreaterThan(multi, 500)
        XCTAssertGreaterThan(Double(withComplement) / Double(multi), 0.3, "\(withComplement) of \(multi)")
    }
}
