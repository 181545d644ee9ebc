import CRMModel

/// Everything one generator run produces.
public struct ShopTraffic: Sendable, Equatable {
    /// The catalog records, in item order (`i1` first), for the catalog topic.
    public var catalog: [CatalogItem]
    /// The simulated customers, in id order (`u1` first).
    public var customers: [DemoCustomer]
    /// The clickstream and order events in non-decreasing event-time order.
    public var events: [ShopEvent]

    public init(catalog: [CatalogItem], customers: [DemoCustomer], events: [ShopEvent]) {
        self.catalog = catalog; self.customers = customers; self.events = events
    }
}

/// Realistic demo traffic for a web shop, pure and seeded: the same config gives the identical
/// catalog and event list, on every run.
///
/// The shop has `itemCount` items (`i1`…) in `categoryCount` named categories, with Zipf-like
/// popularity and per-category price ranges (prices end in .99); each item has a few
/// complementary items in a paired category (shoes↔sports, books↔stationery, …).
/// `customerCount` customers (`u1`…) of four kinds (`DemoCustomerKind`) arrive over the period,
/// each with 2–3 preferred categories (Dirichlet weights). In sessions placed by a daily rhythm
/// they search now and then, view mostly popular items of their categories, follow complements
/// ("bought together"), wishlist, add to and remove from the cart, and (buyers) order 1–3 lines,
/// often with a complement of the first item. A share of buyers go silent for good at a random
/// time (churn); a few orders are cancelled or refunded.
///
/// Ids: clicks `c-<user>-<n>`, sessions `s-<user>-<n>`, orders `o-<user>-<n>` (event id = order
/// id), cancels `x-<user>-<n>` and refunds `r-<user>-<n>` naming the order they undo. All ids
/// are unique. Clicks on items carry the item's category and current price.
public struct ShopTrafficGenerator: Sendable {
    /// The configuration, defaults documented on `ShopTrafficConfig`.
    public var config: ShopTrafficConfig

    /// A generator for `config`.
    public init(config: ShopTrafficConfig = ShopTrafficConfig()) {
        self.config = config
    }

    /// The catalog records (cheap: no traffic is simulated).
    public func catalog() -> [CatalogItem] {
        DemoCatalog(config: config).records()
    }

    /// The events in non-decreasing event-time order (ties in customer, then generation order).
    public func events() -> [ShopEvent] {
        generate().events
    }

    /// The catalog, the customers and the events of one run.
    public func generate() -> ShopTraffic {
        let catalog = DemoCatalog(config: config)
        var customers: [DemoCustomer] = []
        var all: [ShopEvent] = []
        for index in 1...max(1, config.customerCount) {
            var simulator = DemoCustomerSimulator(index: index, config: config, catalog: catalog)
            let (customer, events) = simulator.run()
            customers.append(customer)
            all.append(contentsOf: events)
        }
        var sorted: [ShopEvent] = []
        sorted.reserveCapacity(min(all.count, max(0, config.maxEvents)))
        try? DatasetConverter.emitSorted(all) { event in
            if sorted.count < config.maxEvents { sorted.append(event) }
        }
        return ShopTraffic(catalog: catalog.records(), customers: customers, events: sorted)
    }
}
