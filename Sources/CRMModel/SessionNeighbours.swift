/// Parameters of ``SessionNeighbours``.
public struct SessionNeighboursConfig: Sendable, Equatable, Codable {
    /// Customers (sessions) remembered per item, the latest. Default 100.
    public var customersPerItem: Int
    /// Nearest customers whose items are scored. Default 50.
    public var neighbours: Int
    /// Items tracked at most; past it the map is cleared and rebuilt from new events. Default 200 000.
    public var maxItems: Int

    public init(customersPerItem: Int = 100, neighbours: Int = 50, maxItems: Int = 200_000) {
        precondition(customersPerItem > 0 && neighbours > 0 && maxItems > 0, "SessionNeighboursConfig bounds must be positive")
        self.customersPerItem = customersPerItem; self.neighbours = neighbours; self.maxItems = maxItems
    }
}

/// User-based collaborative filtering through nearest customers (session-kNN, V-SKNN style): an
/// index item → the latest customers who touched it, and a scorer that finds the customers whose
/// recent items overlap the current customer's most and scores their items.
///
/// For the current history `H` (newest first, position weights `w_k = decay^k`) and a neighbour
/// with recent items `N`: `sim = Σ_{i ∈ H ∩ N} w_i / √(|H|·|N|)`; the `neighbours` most similar
/// (ties by customer id) each add their `sim` to every item in `N`. Bounded; not Sendable.
public final class SessionNeighbours {
    public let config: SessionNeighboursConfig
    private var byItem: [String: [String]] = [:]

    public init(config: SessionNeighboursConfig = SessionNeighboursConfig()) { self.config = config }

    /// The whole state, for checkpoints: item → latest customers.
    public func snapshot() -> [String: [String]] { byItem }

    /// An index restored from a snapshot, under `config` (the running configuration).
    public convenience init(snapshot: [String: [String]], config: SessionNeighboursConfig) {
        self.init(config: config)
        byItem = snapshot
    }

    /// Removes a customer everywhere (erasure, DESIGN.md §7): a scan of every item's list.
    public func forget(customer: String) {
        for (item, list) in byItem where list.contains(customer) {
            let rest = list.filter { $0 != customer }
            byItem[item] = rest.isEmpty ? nil : rest
        }
    }

    /// An independent copy (for a frozen evaluation).
    public func copy() -> SessionNeighbours {
        let c = SessionNeighbours(config: config)
        c.byItem = byItem
        return c
    }

    /// Records that `customer` touched `item` (the customer moves to the end of the item's list).
    public func observe(customer: String, item: String) {
        if byItem.count >= config.maxItems && byItem[item] == nil { byItem.removeAll() }
        var list = byItem.removeValue(forKey: item) ?? []
        if let i = list.lastIndex(of: customer) { list.remove(at: i) }
        list.append(customer)
        if list.count > config.customersPerItem { list.removeFirst(list.count - config.customersPerItem) }
        byItem[item] = list
    }

    /// Item scores from the nearest customers of one with history `recent` (oldest first).
    /// - Parameters:
    ///   - customer: the current customer (never their own neighbour).
    ///   - recent: their recent items, oldest first.
    ///   - decay: position weight per step back from the newest item.
    ///   - history: another customer's recent items.
    public func scores(customer: String, recent: [RecentItem], decay: Double,
                       history: (String) -> [RecentItem]?) -> [String: Double] {
        guard !recent.isEmpty else { return [:] }
        var weight: [IDKey: Double] = [:]
        weight.reserveCapacity(recent.count)
        var w = 1.0
        for r in recent.reversed() where weight[r.itemID] == nil { weight[r.itemID] = w; w *= decay }
        var candidates = Set<IDKey>()
        for item in weight.keys { for c in byItem[item.string] ?? [] where c != customer { candidates.insert(IDKey(c)) } }
        var sims: [(id: String, sim: Double, items: [RecentItem])] = []
        let h = Double(weight.count)
        for key in candidates {
            let c = key.string
            guard let items = history(c), !items.isEmpty else { continue }
            var overlap = 0.0
            for r in items { overlap += weight[r.itemID] ?? 0 }
            guard overlap > 0 else { continue }
            sims.append((c, overlap / (h * Double(items.count)).squareRoot(), items))
        }
        sims.sort { $0.sim != $1.sim ? $0.sim > $1.sim : $0.id < $1.id }
        var out: [String: Double] = [:]
        out.reserveCapacity(sims.prefix(config.neighbours).reduce(0) { $0 + $1.items.count })
        for n in sims.prefix(config.neighbours) {
            for r in n.items { out[r.itemID, default: 0] += n.sim }
        }
        return out
    }
}
