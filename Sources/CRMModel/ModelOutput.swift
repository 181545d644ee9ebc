/// One recommended item with its score and a reason a marketer can read.
public struct RecommendedItem: Sendable, Equatable {
    public var itemID: String
    public var score: Double
    public var reason: String
    public init(itemID: String, score: Double, reason: String) {
        self.itemID = itemID; self.score = score; self.reason = reason
    }
}

/// A recommendation list for a customer, triggered by one of their events (DESIGN.md §3).
public struct Recommendation: Sendable, Equatable {
    public var eventID: String
    public var userID: String
    public var ts: EventTime
    public var triggerEventID: String
    public var triggerType: String
    public var items: [RecommendedItem]
    public var segment: String

    public init(eventID: String, userID: String, ts: EventTime, triggerEventID: String, triggerType: String,
                items: [RecommendedItem], segment: String) {
        self.eventID = eventID; self.userID = userID; self.ts = ts; self.triggerEventID = triggerEventID
        self.triggerType = triggerType; self.items = items; self.segment = segment
    }
}

/// A churn alert: the customer's risk of not ordering within the horizon crossed the threshold.
public struct ChurnAlert: Sendable, Equatable {
    public var eventID: String
    public var userID: String
    public var ts: EventTime
    public var risk: Double
    public var pAlive: Double
    public var horizonDays: Double
    public var lastOrderAt: EventTime?
    public var orders: Int
    public var monetary: Double
    public var segment: String
    public var reason: String

    public init(eventID: String, userID: String, ts: EventTime, risk: Double, pAlive: Double, horizonDays: Double,
                lastOrderAt: EventTime?, orders: Int, monetary: Double, segment: String, reason: String) {
        self.eventID = eventID; self.userID = userID; self.ts = ts; self.risk = risk; self.pAlive = pAlive
        self.horizonDays = horizonDays; self.lastOrderAt = lastOrderAt; self.orders = orders
        self.monetary = monetary; self.segment = segment; self.reason = reason
    }
}

/// A customer moved from one segment to another.
public struct SegmentChange: Sendable, Equatable {
    public var eventID: String
    public var userID: String
    public var ts: EventTime
    public var segment: String
    public var previousSegment: String?
    /// Feature name and raw value, in a fixed order.
    public var features: [(name: String, value: Double)]

    public init(eventID: String, userID: String, ts: EventTime, segment: String, previousSegment: String?,
                features: [(name: String, value: Double)]) {
        self.eventID = eventID; self.userID = userID; self.ts = ts; self.segment = segment
        self.previousSegment = previousSegment; self.features = features
    }

    public static func == (a: SegmentChange, b: SegmentChange) -> Bool {
        a.eventID == b.eventID && a.userID == b.userID && a.ts == b.ts && a.segment == b.segment
            && a.previousSegment == b.previousSegment && a.features.count == b.features.count
            && zip(a.features, b.features).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

/// Everything the engine can emit.
public enum ModelOutput: Sendable, Equatable {
    case recommendation(Recommendation)
    case churnAlert(ChurnAlert)
    case segmentChange(SegmentChange)
    /// A customer was erased: downstream compacted topics get a tombstone for this key.
    case tombstone(userID: String)

    public var userID: String {
        switch self {
        case .recommendation(let r): return r.userID
        case .churnAlert(let a): return a.userID
        case .segmentChange(let s): return s.userID
        case .tombstone(let u): return u
        }
    }
}

/// Deterministic output ids: the same cause always gives the same id (DESIGN.md §3).
public enum OutputID {
    /// An output caused directly by an input event: its source position and the output kind.
    public static func make(_ position: SourcePosition, kind: String) -> String {
        "\(position.topic)/\(position.partition)/\(position.offset)/\(kind)"
    }
    /// A churn alert is caused by silence, not by one event: it is named by the customer and the
    /// episode it belongs to (the time of the order that opened the episode), so the id does not
    /// depend on which other customer's event moved the clock past the timer.
    public static func churn(userID: String, episodeStart: EventTime) -> String {
        "churn/\(userID)/\(episodeStart)"
    }
}
