import CRMModel

/// The configured topic names (DESIGN.md §2–3).
public struct TopicNames: Sendable, Equatable {
    public var clickstream = "shop.clickstream"
    public var orders = "shop.orders"
    /// Empty when there is no catalog topic.
    public var catalog = "shop.catalog"
    /// Empty when there is no control topic.
    public var control = "streamcrm.control"
    public var recommendations = "streamcrm.recommendations"
    public var churnAlerts = "streamcrm.churn-alerts"
    public var segments = "streamcrm.segments"
    public var deadLetter = "streamcrm.dead-letter"
    /// The state changelog (internal, one per consumer group; empty = off).
    public var changelog = "streamcrm.changelog"

    public init() {}

    /// From validated configuration keys.
    public init(_ c: Configuration) {
        clickstream = c.string("topic.clickstream"); orders = c.string("topic.orders")
        catalog = c.string("topic.catalog"); control = c.string("topic.control")
        recommendations = c.string("topic.recommendations"); churnAlerts = c.string("topic.churn_alerts")
        segments = c.string("topic.segments"); deadLetter = c.string("topic.dead_letter")
        switch c.string("topic.changelog") {
        case "": changelog = c.string("group.id") + ".changelog"
        case "off": changelog = ""
        case let name: changelog = name
        }
    }

    /// The input topics to subscribe to (each once: clickstream and orders may be one topic).
    public var inputs: [String] {
        var seen = Set<String>()
        return [clickstream, orders, catalog, control].filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// The input topics keyed by customer, which must be co-partitioned (``CoPartitioning``): all
    /// inputs but the catalog, which is keyed by item.
    public var customerKeyedInputs: [String] { inputs.filter { $0 != catalog } }

    /// Whether clicks and orders share one topic: its messages are read by their `type`, and
    /// one customer's clicks and orders keep their relative order (one partition per customer).
    public var sharedEventTopic: Bool { clickstream == orders }
    /// The output topics.
    public var outputs: [String] { [recommendations, churnAlerts, segments, deadLetter] }
    /// Every topic (inputs, outputs and the internal changelog).
    public var all: [String] { inputs + outputs + (changelog.isEmpty ? [] : [changelog]) }
    /// Output topics that are compacted (erasure publishes tombstones there).
    public var compactedOutputs: [String] { [segments] }

    /// The schema an input topic's messages are read with.
    /// nil for a topic that is not an input, `.some(nil)` for the shared event topic whose
    /// messages are read by their `type`.
    public func kind(of topic: String) -> InputTopicKind?? {
        if sharedEventTopic && topic == clickstream { return .some(nil) }
        switch topic {
        case clickstream: return .clickstream
        case orders: return .orders
        case catalog where !catalog.isEmpty: return .catalog
        case control where !control.isEmpty: return .control
        default: return nil
        }
    }

    /// The topic an input event of this kind is published to (demo, tests, `dev-broker` users).
    public func topic(for event: ShopEvent) -> String {
        switch event {
        case .click: return clickstream
        case .order: return orders
        case .catalog: return catalog
        case .forgetUser: return control
        }
    }
}
