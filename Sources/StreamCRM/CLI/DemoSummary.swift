import CRMModel
import Foundation
import Kafka

/// The demo's readable summary of inputs and outputs.
struct DemoSummary {
    let topics: TopicNames
    let events: [ShopEvent]
    let outputs: [String: [KafkaMessage]]
    let engine: CRMEngine

    private func json(_ m: KafkaMessage) -> [String: Any]? {
        guard let v = m.value, let obj = try? JSONSerialization.jsonObject(with: Data(v)) as? [String: Any] else { return nil }
        return obj
    }

    func render() -> String {
        var out = "\n=== StreamCRM demo ===\n\nEvents in:\n"
        var byType: [String: Int] = [:]
        for e in events {
            switch e {
            case .click(let c): byType[c.type.rawValue, default: 0] += 1
            case .order(let o): byType[o.type.rawValue, default: 0] += 1
            case .catalog: byType["catalog", default: 0] += 1
            case .forgetUser: byType["forget_user", default: 0] += 1
            }
        }
        for (type, n) in byType.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            out += "  \(type.padding(toLength: 18, withPad: " ", startingAt: 0)) \(n)\n"
        }
        out += "\nOutputs (read back from Kafka):\n"
        for topic in topics.outputs {
            out += "  \(topic.padding(toLength: 28, withPad: " ", startingAt: 0)) \(outputs[topic, default: []].count)\n"
        }
        // Segments: every customer's current segment, as checkpointed by the daemon.
        var sizes: [String: Int] = [:]
        for customer in engine.customers.values { sizes[engine.segmentName(of: customer), default: 0] += 1 }
        out += "\nSegments (customers by their current segment):\n"
        for (name, n) in sizes.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            out += "  \(name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(n)\n"
        }
        out += "  centroids (raw features: \(CustomerFeatures.names.joined(separator: ", "))):\n"
        for (i, c) in engine.kmeans.centroids.enumerated() {
            let raw = CustomerFeatures.rawValues(engine.standardizer.destandardize(c))
            let name = i < engine.segmentNames.count ? engine.segmentNames[i] : "?"
            out += "    \(name.padding(toLength: 14, withPad: " ", startingAt: 0)) recency \(Int(raw[0])) d, orders \(String(format: "%.1f", raw[1])), monetary \(String(format: "%.0f", raw[2])), AOV \(String(format: "%.0f", raw[3]))\n"
        }
        out += "\nExample recommendations:\n"
        let recs = outputs[topics.recommendations, default: []].compactMap(json)
        let withReasons = recs.filter { (($0["items"] as? [[String: Any]])?.count ?? 0) >= 3 && ($0["trigger"] as? [String: Any])?["type"] as? String == "order" }
        for r in (withReasons.isEmpty ? recs : withReasons).suffix(3) {
            let trigger = r["trigger"] as? [String: Any]
            out += "  \(r["user_id"] ?? "?") (segment \(r["segment"] ?? "?"), after \(trigger?["type"] ?? "?") \(trigger?["event_id"] ?? "")):\n"
            for item in ((r["items"] as? [[String: Any]]) ?? []).prefix(4) {
                out += "    \(item["item_id"] ?? "?")  score \(String(format: "%.3f", item["score"] as? Double ?? 0))  — \(item["reason"] ?? "")\n"
            }
        }
        out += "\nExample churn alerts:\n"
        let alerts = outputs[topics.churnAlerts, default: []].compactMap(json)
        if alerts.isEmpty { out += "  (none)\n" }
        // Three customers with different order counts: the first alerts are often all one-time buyers.
        var orderCounts = Set<Int>()
        for a in alerts.filter({ orderCounts.insert($0["orders"] as? Int ?? 0).inserted }).prefix(3) {
            let ts = (a["ts"] as? Int64).map { ISO8601Timestamp.format($0) } ?? "\(a["ts"] ?? "?")"
            out += "  \(a["user_id"] ?? "?") at \(ts): risk \(String(format: "%.2f", a["risk"] as? Double ?? 0)), P(alive) \(String(format: "%.2f", a["p_alive"] as? Double ?? 0)), \(a["orders"] as? Int ?? 0) order\((a["orders"] as? Int ?? 0) == 1 ? "" : "s") — \(a["reason"] ?? "")\n"
        }
        let dead = outputs[topics.deadLetter, default: []].count
        out += "\nDead letters: \(dead)\n"
        let p = engine.churn.parameters
        out += "Churn model: \(engine.churn.kind.rawValue) "
            + String(format: "r=%.4g alpha=%.4g a=%.4g b=%.4g", p.r, p.alpha, p.a, p.b)
            + " (weeks), \(engine.stats.churnRefits) re-estimates\n"
        return out
    }
}
