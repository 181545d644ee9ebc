/// Counters the engine keeps about what it did (exported as metrics by the daemon).
public struct EngineStats: Sendable, Equatable, Codable {
    public var clicks = 0
    public var orders = 0
    public var cancels = 0
    public var refunds = 0
    public var catalogRecords = 0
    public var forgotten = 0
    public var duplicates = 0
    public var lateEvents = 0
    public var rejected = 0
    public var recommendations = 0
    public var churnAlerts = 0
    public var reactivations = 0
    public var segmentChanges = 0
    public var churnRefits = 0
    public init() {}
}

/// What the engine did with one input event.
public enum EngineVerdict: Sendable, Equatable {
    /// Applied to the models.
    case applied
    /// A redelivery of an event already applied (same event id or order id): nothing changed.
    case duplicate
    /// Refused: the caller dead-letters it with this reason.
    case rejected(String)
}
