/// Bounds and decay of a ``UserProfile`` (DESIGN.md §4 "User vectors").
public struct UserProfileConfig: Sendable, Equatable, Codable {
    /// At most this many item affinities per customer; the smallest is dropped. Default 50.
    public var maxItems: Int
    /// At most this many category affinities per customer; the smallest is dropped. Default 20.
    public var maxCategories: Int
    /// Length of the recent item history (distinct items, newest last). Default 20.
    public var recentLimit: Int
    /// At most this many bought item ids remembered (oldest purchase dropped). Default 100.
    public var maxBoughtItems: Int
    /// At most this many applied orders remembered for dedup and cancel/refund. Default 64.
    public var maxAppliedOrders: Int
    /// Half-life of affinities in milliseconds. Default 7 days.
    public var halfLife: Int64

    public init(maxItems: Int = 50, maxCategories: Int = 20, recentLimit: Int = 20,
                maxBoughtItems: Int = 100, maxAppliedOrders: Int = 64,
                halfLife: Int64 = 7 * millisecondsPerDay) {
        precondition(maxItems > 0 && maxCategories > 0 && recentLimit > 0 && maxBoughtItems > 0
                     && maxAppliedOrders > 0 && halfLife > 0, "UserProfileConfig bounds must be positive")
        self.maxItems = maxItems; self.maxCategories = maxCategories; self.recentLimit = recentLimit
        self.maxBoughtItems = maxBoughtItems; self.maxAppliedOrders = maxAppliedOrders; self.halfLife = halfLife
    }
}

/// An order this customer placed, kept (bounded) so that a duplicate is applied once and a cancel or
/// refund undoes it at most once.
public struct AppliedOrder: Sendable, Equatable, Codable {
    public var orderID: String
    public var ts: EventTime
    /// The order's monetary value when it was applied.
    public var value: Double
    /// Value already undone by a refund or cancel.
    public var undoneValue: Double
    /// A refund was applied (value undone, count kept).
    public var refunded: Bool
    /// A cancel was applied (value and count undone).
    public var cancelled: Bool
}

/// What applying an order event did, so the caller can count it or dead-letter it.
public enum OrderOutcome: Sendable, Equatable {
    /// A new order: count, value and affinities updated.
    case applied
    /// The same `order_id` was already applied: nothing changed.
    case duplicate
    /// A cancel undid the order's count and its remaining value.
    case cancelled(undoneValue: Double)
    /// A refund undid this much value (the count stays).
    case refunded(undoneValue: Double)
    /// A cancel or refund that names no order this customer has (or one beyond the remembered
    /// ``UserProfileConfig/maxAppliedOrders``): nothing changed; a dead letter for the caller.
    case unknownOrder
    /// A second cancel, or a second refund, of the same order: nothing changed.
    case alreadyUndone
}

/// What applying a click event did.
public struct ClickOutcome: Sendable, Equatable {
    /// The item touched, if the event named one.
    public var itemID: String?
    /// The weight applied to the item (and category) affinity.
    public var weight: Double
    /// Whether the item entered (or moved to the end of) the recent history.
    public var addedToRecent: Bool
}

/// One customer's state for the CRM models (DESIGN.md §4 "User vectors"): decayed item and category
/// affinities, recent history, browse counts and order statistics.
///
/// Affinities use ``ForwardDecay``: stored values are in the units of a per-profile landmark, so
/// ranking and eviction need no per-entry decay; real values are read with a time.
/// A value type (each copy is independent), Codable for checkpoints and changelogs (DESIGN.md §5, §9).
public struct UserProfile: Sendable, Equatable, Codable {
    public let config: UserProfileConfig
    // Internal (not private) so that the binary state codec (UserProfile+StateCodable.swift) can
    // restore a profile field by field.
    var decay: ForwardDecay
    var items: [IDKey: Double] = [:]
    var categories: [IDKey: Double] = [:]

    /// Distinct recently touched items, oldest first, at most ``UserProfileConfig/recentLimit``.
    public internal(set) var recent: [RecentItem] = []
    /// Ordered items with the time of their last purchase, at most ``UserProfileConfig/maxBoughtItems``.
    public internal(set) var bought: [IDKey: EventTime] = [:]
    /// Recent orders (oldest first), at most ``UserProfileConfig/maxAppliedOrders``.
    public internal(set) var appliedOrders: [AppliedOrder] = []

    /// Time of the first (not cancelled) order.
    public internal(set) var firstOrderAt: EventTime?
    /// Time of the last (not cancelled) order.
    public internal(set) var lastOrderAt: EventTime?
    /// Orders applied minus orders cancelled.
    public internal(set) var orderCount = 0
    /// Sum of order values minus refunds and cancels.
    public internal(set) var monetary = 0.0
    /// Number of distinct UTC days with an order (cancels remove a day when no other remembered
    /// order falls on it). `distinctOrderDays − 1` is BG/NBD's repeat-purchase frequency.
    public internal(set) var distinctOrderDays = 0
    /// Counts of clickstream events by type.
    public internal(set) var views = 0, clicks = 0, cartAdds = 0, cartRemoves = 0, wishlists = 0, searches = 0
    /// Time of the latest event applied (the maximum seen).
    public internal(set) var lastEventAt: EventTime?

    public init(config: UserProfileConfig = UserProfileConfig()) {
        self.config = config
        self.decay = ForwardDecay(halfLife: config.halfLife)
    }

    // MARK: Derived values

    /// Monetary total divided by the order count; 0 without orders.
    public var averageOrderValue: Double { orderCount > 0 ? monetary / Double(orderCount) : 0 }

    /// Browsing events (views + clicks) per order; with no order, the number of browsing events.
    public var browseToBuyRatio: Double { Double(views + clicks) / Double(max(orderCount, 1)) }

    /// Number of categories currently holding affinity (at most ``UserProfileConfig/maxCategories``).
    public var categorySpread: Int { categories.count }

    /// BG/NBD inputs at `now`: repeat-purchase days `x`, recency `t_x` (last − first order) and age
    /// `T` (now − first order), both in days. Nil before the first order.
    public func purchaseSummary(at now: EventTime) -> (frequency: Int, recencyDays: Double, ageDays: Double)? {
        guard let first = firstOrderAt, let last = lastOrderAt else { return nil }
        let day = Double(millisecondsPerDay)
        return (max(distinctOrderDays - 1, 0), Double(last - first) / day, Double(max(now - first, 0)) / day)
    }

    /// Whether the customer ordered the item (among the remembered purchases).
    public func hasBought(_ itemID: String) -> Bool { bought[itemID] != nil }

    /// Number of distinct items bought (within the bound of the bought set).
    public var boughtCount: Int { bought.count }

    /// The decayed affinity to an item at `now` (0 when not tracked).
    public func itemAffinity(_ itemID: String, at now: EventTime) -> Double {
        decay.realValue(items[itemID] ?? 0, at: now)
    }

    /// The decayed affinity to a category at `now` (0 when not tracked).
    public func categoryAffinity(_ category: String, at now: EventTime) -> Double {
        decay.realValue(categories[category] ?? 0, at: now)
    }

    /// The factor that turns stored affinities into their values at `now`: `itemAffinity(i, at: now)`
    /// equals `storedItemAffinity(i) · affinityFactor(at: now)` (for reading many at once).
    func affinityFactor(at now: EventTime) -> Double {
        Decay.factor(elapsed: now - decay.landmark, halfLife: decay.halfLife)
    }

    /// The stored (landmark-unit) affinity to an item; see ``affinityFactor(at:)``.
    @inline(__always) func storedItemAffinity(_ itemID: String) -> Double { items[itemID] ?? 0 }

    /// The stored (landmark-unit) affinity to a category; see ``affinityFactor(at:)``.
    @inline(__always) func storedCategoryAffinity(_ category: String) -> Double { categories[category] ?? 0 }

    /// Item affinities at `now`, strongest first (ties by item id), at most `limit`.
    public func topItems(limit: Int = .max, at now: EventTime) -> [(itemID: String, affinity: Double)] {
        let f = Decay.factor(elapsed: now - decay.landmark, halfLife: decay.halfLife)  // = realValue(1, at: now)
        return Self.ranked(items, limit: limit).map { ($0.key.string, $0.value * f) }
    }

    /// Category affinities at `now`, strongest first (ties by name), at most `limit`.
    public func topCategories(limit: Int = .max, at now: EventTime) -> [(category: String, affinity: Double)] {
        let f = Decay.factor(elapsed: now - decay.landmark, halfLife: decay.halfLife)  // = realValue(1, at: now)
        return Self.ranked(categories, limit: limit).map { ($0.key.string, $0.value * f) }
    }

    /// Number of tracked item affinities.
    public var itemAffinityCount: Int { items.count }

    // MARK: Applying events

    /// Applies a clickstream event: counts it, adds its weight to the item and category affinities
    /// (never below zero), and records the item in the recent history when the weight is positive.
    @discardableResult
    public mutating func apply(click: ClickEvent, weights: EventWeights = .default) -> ClickOutcome {
        touch(click.ts)
        switch click.type {
        case .view: views += 1
        case .click: clicks += 1
        case .addToCart: cartAdds += 1
        case .removeFromCart: cartRemoves += 1
        case .wishlist: wishlists += 1
        case .search: searches += 1
        }
        let w = weights.weight(for: click.type)
        guard let item = click.itemID else { return ClickOutcome(itemID: nil, weight: 0, addedToRecent: false) }
        if w != 0 {
            let s = w * decay.weight(at: click.ts)
            Self.add(s, to: item, in: &items, cap: config.maxItems)
            if let c = click.category { Self.add(s, to: c, in: &categories, cap: config.maxCategories) }
        }
        let toRecent = w > 0
        if toRecent { remember(item, at: click.ts, bought: false) }
        return ClickOutcome(itemID: item, weight: w, addedToRecent: toRecent)
    }

    /// Applies an order, cancel or refund (DESIGN.md §2). An order adds `weights.order` to each line's
    /// item (and its category, from `categoryOf`, when given), records the lines as bought and recent,
    /// and updates the order statistics; the same `orderID` twice is a ``OrderOutcome/duplicate``.
    /// A cancel undoes the count and the remaining value; a refund undoes its `total` (or its lines'
    /// sum, or else the whole remaining value), capped at the remaining value; each at most once.
    /// Affinities are not undone by cancels or refunds (interest was shown).
    @discardableResult
    public mutating func apply(order: OrderEvent, weights: EventWeights = .default,
                               categoryOf: ((String) -> String?)? = nil) -> OrderOutcome {
        switch order.type {
        case .order: return applyOrder(order, weights: weights, categoryOf: categoryOf)
        case .cancel, .refund: return applyUndo(order)
        }
    }

    private mutating func applyOrder(_ order: OrderEvent, weights: EventWeights,
                                     categoryOf: ((String) -> String?)?) -> OrderOutcome {
        if appliedOrders.contains(where: { $0.orderID == order.orderID }) { return .duplicate }
        touch(order.ts)
        let value = order.monetaryValue
        let day = Self.day(order.ts)
        if !appliedOrders.contains(where: { !$0.cancelled && Self.day($0.ts) == day }) { distinctOrderDays += 1 }
        appliedOrders.append(AppliedOrder(orderID: order.orderID, ts: order.ts, value: value,
                                          undoneValue: 0, refunded: false, cancelled: false))
        if appliedOrders.count > config.maxAppliedOrders { appliedOrders.removeFirst() }
        orderCount += 1
        monetary += value
        firstOrderAt = min(firstOrderAt ?? order.ts, order.ts)
        lastOrderAt = max(lastOrderAt ?? order.ts, order.ts)
        let s = weights.order * decay.weight(at: order.ts)
        for line in order.items {
            if s != 0 {
                Self.add(s, to: line.itemID, in: &items, cap: config.maxItems)
                if let c = categoryOf?(line.itemID) { Self.add(s, to: c, in: &categories, cap: config.maxCategories) }
            }
            remember(line.itemID, at: order.ts, bought: true)
            bought[line.itemID] = max(bought[line.itemID] ?? order.ts, order.ts)
        }
        if bought.count > config.maxBoughtItems {
            // Drop the oldest purchases; ties by item id (larger dropped first) for determinism.
            let drop = bought.sorted { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }
                .prefix(bought.count - config.maxBoughtItems)
            for (k, _) in drop { bought[k] = nil }
        }
        return .applied
    }

    private mutating func applyUndo(_ event: OrderEvent) -> OrderOutcome {
        guard let i = appliedOrders.firstIndex(where: { $0.orderID == event.orderID }) else { return .unknownOrder }
        var o = appliedOrders[i]
        let remaining = max(o.value - o.undoneValue, 0)
        let outcome: OrderOutcome
        if event.type == .cancel {
            if o.cancelled { return .alreadyUndone }
            o.cancelled = true
            o.undoneValue += remaining
            monetary -= remaining
            orderCount -= 1
            outcome = .cancelled(undoneValue: remaining)
        } else {
            if o.refunded || o.cancelled { return .alreadyUndone }
            let asked = event.total ?? (event.items.isEmpty ? remaining : event.monetaryValue)
            let amount = min(max(asked, 0), remaining)
            o.refunded = true
            o.undoneValue += amount
            monetary -= amount
            outcome = .refunded(undoneValue: amount)
        }
        appliedOrders[i] = o
        touch(event.ts)
        if monetary < 0 && monetary > -1e-9 { monetary = 0 }
        if event.type == .cancel { recomputeOrderTimes(afterCancelling: o) }
        return outcome
    }

    private mutating func recomputeOrderTimes(afterCancelling o: AppliedOrder) {
        let active = appliedOrders.filter { !$0.cancelled }
        let day = Self.day(o.ts)
        if !active.contains(where: { Self.day($0.ts) == day }) { distinctOrderDays = max(distinctOrderDays - 1, 0) }
        if orderCount <= 0 {
            orderCount = 0; firstOrderAt = nil; lastOrderAt = nil; distinctOrderDays = 0
            return
        }
        // Orders older than the remembered log cannot be cancelled, so when the first or last order is
        // cancelled, the remaining remembered orders hold the new first/last.
        if o.ts == lastOrderAt, let m = active.map(\.ts).max() { lastOrderAt = m }
        if o.ts == firstOrderAt, let m = active.map(\.ts).min() { firstOrderAt = m }
    }

    // MARK: Helpers

    private mutating func touch(_ ts: EventTime) {
        lastEventAt = max(lastEventAt ?? ts, ts)
        if let f = decay.rebaseIfNeeded(for: ts) {
            for k in items.keys { items[k]! *= f }
            for k in categories.keys { categories[k]! *= f }
        }
    }

    private mutating func remember(_ item: String, at ts: EventTime, bought b: Bool) {
        var wasBought = false
        if let i = recent.firstIndex(where: { $0.itemID == item }) {
            wasBought = recent[i].bought
            recent.remove(at: i)
        }
        recent.append(RecentItem(itemID: item, ts: ts, bought: b || wasBought))
        if recent.count > config.recentLimit { recent.removeFirst(recent.count - config.recentLimit) }
    }

    /// Adds a stored-unit amount to a bounded affinity map; entries at or below zero are removed; past
    /// the cap the smallest entry is dropped (ties: the larger key is dropped).
    private static func add(_ s: Double, to id: String, in map: inout [IDKey: Double], cap: Int) {
        let key = IDKey(id)
        let v = (map[key] ?? 0) + s
        if v <= 0 { map[key] = nil; return }
        map[key] = v
        if map.count > cap {
            var minKey = key, minValue = v
            for (k, x) in map where x < minValue || (x == minValue && k > minKey) { minKey = k; minValue = x }
            map[minKey] = nil
        }
    }

    private static func ranked(_ map: [IDKey: Double], limit: Int) -> ArraySlice<(key: IDKey, value: Double)> {
        if limit == 1 {
            // The strongest entry by one scan (same order as the sort below).
            var best: (key: IDKey, value: Double)?
            for e in map where best == nil || e.value > best!.value || (e.value == best!.value && e.key < best!.key) {
                best = e
            }
            return best.map { [$0][...] } ?? []
        }
        return map.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(limit)
    }

    private static func day(_ ts: EventTime) -> Int64 {
        ts >= 0 ? ts / millisecondsPerDay : (ts - millisecondsPerDay + 1) / millisecondsPerDay
    }
}
