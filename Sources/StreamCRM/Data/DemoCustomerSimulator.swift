import CRMModel
import Foundation

/// Simulates one demo customer's whole life: sessions of views, wishlists, carts and orders,
/// and the odd cancel or refund. Each customer has their own random stream, so customers are
/// independent of each other and of the customer count.
struct DemoCustomerSimulator {
    private let config: ShopTrafficConfig
    private let catalog: DemoCatalog
    private var rng: DemoRandom
    private let userID: String
    private var events: [ShopEvent] = []
    private var clickCount = 0
    private var orderCount = 0
    private var sessionCount = 0
    private var preferred: [Int] = []
    private var preferredCumulative: [Double] = []

    /// Relative activity by hour of day (UTC), evenings busiest.
    private static let hourCumulative: [Double] = {
        let weights: [Double] = [1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1, 1.5, 2, 2, 2.2,
                                 2.5, 2.2, 2, 2, 2.2, 2.5, 3, 3.5, 3.8, 3.5, 2.5, 1.6]
        var sum = 0.0
        return weights.map { sum += $0; return sum }
    }()

    init(index: Int, config: ShopTrafficConfig, catalog: DemoCatalog) {
        self.config = config
        self.catalog = catalog
        self.rng = DemoRandom.derive(seed: config.seed, stream: UInt64(index))
        self.userID = "u\(index)"
    }

    /// Draws the customer's profile and simulates them; returns the profile and their events
    /// (in generation order, which is time order within a session).
    mutating func run() -> (DemoCustomer, [ShopEvent]) {
        let kind = DemoCustomerKind.allCases[rng.index(cumulative: config.mix.cumulative)]
        chooseTastes()
        let start = config.start, end = config.end
        let period = Double(end - start)
        let arrivalShare: Double
        switch kind {
        case .loyal: arrivalShare = 0.25
        case .occasional, .browser: arrivalShare = 0.7
        case .oneTime: arrivalShare = 0.8
        }
        let arrival = start + EventTime(rng.uniform(0, arrivalShare) * period)
        var silentFrom: EventTime?
        if kind == .loyal || kind == .occasional, rng.chance(config.silentFraction) {
            let earliest = arrival + 14 * millisecondsPerDay, latest = end - 30 * millisecondsPerDay
            if earliest < latest { silentFrom = earliest + EventTime(rng.uniform(0, Double(latest - earliest))) }
        }
        let stop = silentFrom ?? end
        let meanGapDays: Double
        switch kind {
        case .loyal: meanGapDays = 3.5
        case .occasional: meanGapDays = 10
        case .browser: meanGapDays = 9
        case .oneTime: meanGapDays = 10
        }
        var t = arrival
        var sessionsLeft = kind == .oneTime ? rng.int(in: 1...3) : Int.max
        while t < stop, sessionsLeft > 0 {
            let sessionStart = Self.placeInDay(t, using: &rng)
            guard sessionStart < stop else { break }
            let mustBuy = kind == .oneTime && sessionCount == 0
            let mayBuy = kind == .loyal || kind == .occasional || mustBuy
            let sessionEnd = session(kind: kind, at: sessionStart, mayBuy: mayBuy, mustBuy: mustBuy, stop: stop)
            sessionsLeft -= 1
            t = max(sessionEnd + 3_600_000, t + EventTime(rng.exponential(mean: meanGapDays) * Double(millisecondsPerDay)))
        }
        // Sessions may run past the end or the moment of silence: nothing happens from then on.
        events.removeAll { ($0.ts ?? stop) >= stop }
        let profile = DemoCustomer(userID: userID, kind: kind, preferredCategories: preferred.map { catalog.categoryNames[$0] },
                                   firstActive: arrival, silentFrom: silentFrom)
        return (profile, events)
    }

    private mutating func chooseTastes() {
        let count = catalog.categoryNames.count
        let wanted = min(count, rng.int(in: 2...3))
        var picks: [Int] = []
        var attempts = 0
        while picks.count < wanted, attempts < 100 {
            attempts += 1
            let c = rng.index(cumulative: catalog.categoryCumulative)
            if !picks.contains(c) { picks.append(c) }
        }
        let weights = rng.dirichlet(count: picks.count, alpha: 1.5)
        var sum = 0.0
        preferred = picks
        preferredCumulative = weights.map { sum += $0; return sum }
    }

    /// A time on the same day as `t` or later, at an hour drawn from the daily rhythm.
    private static func placeInDay(_ t: EventTime, using rng: inout DemoRandom) -> EventTime {
        let dayStart = t - ((t % millisecondsPerDay) + millisecondsPerDay) % millisecondsPerDay
        let hour = EventTime(rng.index(cumulative: hourCumulative))
        let candidate = dayStart + hour * 3_600_000 + EventTime(rng.int(below: 3_600_000))
        return candidate >= t ? candidate : candidate + millisecondsPerDay
    }

    /// One session. Returns the time of its last event.
    private mutating func session(kind: DemoCustomerKind, at start: EventTime, mayBuy: Bool, mustBuy: Bool,
                                  stop: EventTime) -> EventTime {
        sessionCount += 1
        let sessionID = "s-\(userID)-\(sessionCount)"
        var t = start
        var category = pickCategory()
        if rng.chance(0.1) {
            click(.search, sessionID: sessionID, item: nil, query: catalog.categoryNames[category], at: t)
            t += step()
        }
        let meanViews: Double, cartP: Double
        switch kind {
        case .loyal: meanViews = 4; cartP = 0.3
        case .occasional: meanViews = 3; cartP = 0.2
        case .oneTime: meanViews = 3; cartP = 0.25
        case .browser: meanViews = 5; cartP = 0.06
        }
        let views = min(15, 1 + Int(rng.exponential(mean: meanViews - 1)))
        var current = catalog.popularItem(in: category, using: &rng)
        var cart: [Int] = []
        for v in 0..<views {
            if v > 0 {
                let complements = catalog.items[current].complements
                if !complements.isEmpty, rng.chance(config.complementViewProbability) {
                    current = complements[rng.int(below: complements.count)]
                } else {
                    if rng.chance(0.15) { category = pickCategory() }
                    current = catalog.popularItem(in: category, using: &rng)
                }
                t += step()
            }
            click(.view, sessionID: sessionID, item: current, at: t)
            if rng.chance(0.03) { t += step(); click(.wishlist, sessionID: sessionID, item: current, at: t) }
            if !cart.contains(current), rng.chance(cartP) {
                t += step(); click(.addToCart, sessionID: sessionID, item: current, at: t)
                cart.append(current)
            }
            if cart.count >= 2, rng.chance(0.08) {
                let removed = cart.remove(at: rng.int(below: cart.count))
                t += step(); click(.removeFromCart, sessionID: sessionID, item: removed, at: t)
            }
        }
        guard mayBuy else { return t }
        let buyP = kind == .loyal ? 0.7 : 0.5
        if mustBuy, cart.isEmpty {
            t += step(); click(.addToCart, sessionID: sessionID, item: current, at: t)
            cart.append(current)
        }
        guard !cart.isEmpty, mustBuy || rng.chance(buyP) else { return t }
        var lines = Array(cart.prefix(3))
        if lines.count < 3, rng.chance(config.complementPurchaseProbability) {
            let complements = catalog.items[lines[0]].complements.filter { !lines.contains($0) }
            if !complements.isEmpty {
                let extra = complements[rng.int(below: complements.count)]
                t += step(); click(.view, sessionID: sessionID, item: extra, at: t)
                t += step(); click(.addToCart, sessionID: sessionID, item: extra, at: t)
                lines.append(extra)
            }
        }
        t += step()
        order(lines: lines, at: t, stop: stop)
        return t
    }

    private mutating func order(lines items: [Int], at t: EventTime, stop: EventTime) {
        orderCount += 1
        let orderID = "o-\(userID)-\(orderCount)"
        var lines: [OrderLine] = []
        var cents = 0
        for index in items {
            let item = catalog.items[index]
            let quantity = rng.chance(0.12) ? 2 : 1
            lines.append(OrderLine(itemID: item.id, quantity: quantity, price: item.price))
            cents += quantity * Int((item.price * 100).rounded())
        }
        events.append(.order(OrderEvent(eventID: orderID, type: .order, orderID: orderID, userID: userID, ts: t,
                                        items: lines, total: Double(cents) / 100, currency: config.currency)))
        if rng.chance(config.cancelProbability) {
            let at = t + EventTime(rng.int(in: 10...120)) * 60_000
            if at < stop {
                events.append(.order(OrderEvent(eventID: "x-\(userID)-\(orderCount)", type: .cancel, orderID: orderID,
                                                userID: userID, ts: at)))
            }
        } else if rng.chance(config.refundProbability) {
            let at = t + EventTime(rng.int(in: 3...21)) * millisecondsPerDay + EventTime(rng.int(below: 3_600_000))
            if at < stop {
                events.append(.order(OrderEvent(eventID: "r-\(userID)-\(orderCount)", type: .refund, orderID: orderID,
                                                userID: userID, ts: at)))
            }
        }
    }

    /// A category: one of the customer's tastes (90 %) or any category by popularity (10 %).
    private mutating func pickCategory() -> Int {
        if rng.chance(0.1) { return rng.index(cumulative: catalog.categoryCumulative) }
        return preferred[rng.index(cumulative: preferredCumulative)]
    }

    /// Seconds between two clicks of a session: 15 s to 4 min.
    private mutating func step() -> EventTime { EventTime(rng.int(in: 15_000...240_000)) }

    private mutating func click(_ type: ClickType, sessionID: String, item: Int?, query: String? = nil, at t: EventTime) {
        clickCount += 1
        let record = item.map { catalog.items[$0] }
        events.append(.click(ClickEvent(eventID: "c-\(userID)-\(clickCount)", type: type, userID: userID, sessionID: sessionID,
                                        itemID: record?.id, category: record.map { catalog.categoryNames[$0.category] },
                                        price: record?.price, query: query, ts: t)))
    }
}
