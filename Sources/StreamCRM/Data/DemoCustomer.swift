import CRMModel

/// The kinds of demo customer `ShopTrafficGenerator` simulates.
public enum DemoCustomerKind: String, Sendable, CaseIterable {
    /// Frequent visitor and buyer (a session every few days, buys on most cart sessions).
    case loyal
    /// Visits every week or two and buys now and then.
    case occasional
    /// Buys exactly once, on the first visit, then browses a little and disappears.
    case oneTime = "one_time"
    /// Browses (views, wishlists, the odd cart) but never buys.
    case browser
}

/// A simulated customer of the demo shop, as drawn by `ShopTrafficGenerator` (for tests and
/// for explaining the demo's outputs: who was meant to churn, who is loyal).
public struct DemoCustomer: Sendable, Equatable {
    /// The customer id (`u1` … `uM`), the events' `user_id`.
    public var userID: String
    /// The behaviour the customer was simulated with.
    public var kind: DemoCustomerKind
    /// The 2–3 category names the customer mostly browses.
    public var preferredCategories: [String]
    /// When the customer arrives (their first session is at or after this time).
    public var firstActive: EventTime
    /// When the customer goes silent for good, if they do: they have no event at or after it.
    public var silentFrom: EventTime?

    public init(userID: String, kind: DemoCustomerKind, preferredCategories: [String], firstActive: EventTime,
                silentFrom: EventTime?) {
        self.userID = userID; self.kind = kind; self.preferredCategories = preferredCategories
        self.firstActive = firstActive; self.silentFrom = silentFrom
    }
}
