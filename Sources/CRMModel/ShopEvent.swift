/// Event time in milliseconds since the Unix epoch. Every model runs on event time only.
public typealias EventTime = Int64

/// Milliseconds in one day, for converting horizons and half-lives.
public let millisecondsPerDay: Int64 = 86_400_000

/// The kinds of clickstream event (DESIGN.md §2).
public enum ClickType: String, Sendable, CaseIterable {
    case view
    case click
    case addToCart = "add_to_cart"
    case removeFromCart = "remove_from_cart"
    case wishlist
    case search
}

/// The kinds of order event (DESIGN.md §2).
public enum OrderType: String, Sendable, CaseIterable {
    case order
    case cancel
    case refund
}

/// One clickstream event: a customer touched an item (or searched).
public struct ClickEvent: Sendable, Equatable {
    public var eventID: String
    public var type: ClickType
    public var userID: String
    public var sessionID: String?
    /// Absent only for `search`.
    public var itemID: String?
    public var category: String?
    public var price: Double?
    /// Present only for `search`.
    public var query: String?
    public var ts: EventTime

    public init(eventID: String, type: ClickType, userID: String, sessionID: String? = nil,
                itemID: String? = nil, category: String? = nil, price: Double? = nil,
                query: String? = nil, ts: EventTime) {
        self.eventID = eventID; self.type = type; self.userID = userID; self.sessionID = sessionID
        self.itemID = itemID; self.category = category; self.price = price; self.query = query; self.ts = ts
    }
}

/// One line of an order.
public struct OrderLine: Sendable, Equatable {
    public var itemID: String
    public var quantity: Int
    public var price: Double
    public init(itemID: String, quantity: Int, price: Double) {
        self.itemID = itemID; self.quantity = quantity; self.price = price
    }
}

/// An order, or a cancel/refund of an earlier order (which names its `orderID`).
public struct OrderEvent: Sendable, Equatable {
    public var eventID: String
    public var type: OrderType
    public var orderID: String
    public var userID: String
    public var ts: EventTime
    public var items: [OrderLine]
    /// The order's monetary value; when absent, the sum of quantity × price over the lines.
    public var total: Double?
    public var currency: String?

    public init(eventID: String, type: OrderType, orderID: String, userID: String, ts: EventTime,
                items: [OrderLine] = [], total: Double? = nil, currency: String? = nil) {
        self.eventID = eventID; self.type = type; self.orderID = orderID; self.userID = userID
        self.ts = ts; self.items = items; self.total = total; self.currency = currency
    }

    /// The monetary value this event carries: `total`, or the sum of its lines.
    public var monetaryValue: Double {
        if let total { return total }
        var sum = 0.0
        for line in items { sum += Double(line.quantity) * line.price }
        return sum
    }
}

/// A catalog record (compacted topic, key = item id).
public struct CatalogItem: Sendable, Equatable, Codable {
    public var itemID: String
    public var category: String?
    public var brand: String?
    public var price: Double?
    public var available: Bool
    public var tags: [String]
    public init(itemID: String, category: String? = nil, brand: String? = nil, price: Double? = nil,
                available: Bool = true, tags: [String] = []) {
        self.itemID = itemID; self.category = category; self.brand = brand; self.price = price
        self.available = available; self.tags = tags
    }
}

/// Any input event the engine understands.
public enum ShopEvent: Sendable, Equatable {
    case click(ClickEvent)
    case order(OrderEvent)
    case catalog(CatalogItem)
    /// Erase a customer (DESIGN.md §7).
    case forgetUser(userID: String)

    /// The customer this event is about, if any.
    public var userID: String? {
        switch self {
        case .click(let e): return e.userID
        case .order(let e): return e.userID
        case .catalog: return nil
        case .forgetUser(let u): return u
        }
    }

    /// The event's time, if it carries one.
    public var ts: EventTime? {
        switch self {
        case .click(let e): return e.ts
        case .order(let e): return e.ts
        case .catalog, .forgetUser: return nil
        }
    }
}

/// Where an input event came from: the cause from which output ids are derived.
public struct SourcePosition: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic; self.partition = partition; self.offset = offset
    }
}
