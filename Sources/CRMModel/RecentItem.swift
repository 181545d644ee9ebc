/// One item in a customer's recent history: the basis of item co-occurrence and the sources of
/// item-based recommendations.
public struct RecentItem: Sendable, Equatable, Hashable, Codable {
    /// The item.
    public var itemID: String
    /// When the customer last touched it (event time, ms).
    public var ts: EventTime
    /// Whether the customer ordered it (then recommendations say "bought together with …").
    public var bought: Bool

    public init(itemID: String, ts: EventTime, bought: Bool = false) {
        self.itemID = itemID; self.ts = ts; self.bought = bought
    }
}
