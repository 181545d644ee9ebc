import CRMModel
import Foundation

/// The machine-readable line and the human summary of `streamcrm eval`.
public enum EvalJSON {
    static func number(_ x: Double) -> String {
        x.isFinite ? String(format: "%.6f", x) : "null"
    }

    static func metrics(_ m: RankingMetrics, catalog: Int) -> String {
        "{\"hr10\":\(number(m.hr10)),\"hr20\":\(number(m.hr20)),\"mrr20\":\(number(m.mrr20)),"
            + "\"ndcg20\":\(number(m.ndcg20)),\"coverage\":\(number(m.coverage(catalogSize: catalog))),"
            + "\"cold_share\":\(number(m.coldShare)),\"targets\":\(m.targets)}"
    }

    /// One JSON object: counts, metrics by variant and mode, and the k-means comparison.
    public static func line(name: String, report r: EvalReport, segments s: SegmentEvaluation, scored: Bool) -> String {
        var parts = ["\"dataset\":\"\(name)\"", "\"events\":\(r.events)", "\"train_events\":\(r.trainEvents)",
                     "\"targets\":\(r.targets)", "\"catalog\":\(r.catalogSize)", "\"customers\":\(r.customers)"]
        if scored {
            for v in EvalVariant.allCases {
                let modes = EvalMode.allCases.map { "\"\($0.rawValue)\":" + metrics(r.metrics[v]![$0]!, catalog: r.catalogSize) }
                parts.append("\"\(v.rawValue)\":{" + modes.joined(separator: ",") + "}")
            }
        }
        parts.append("\"kmeans\":{\"customers\":\(s.points.count),\"online_inertia\":\(number(s.onlineInertia)),"
                     + "\"engine_live_inertia\":\(number(s.engineInertia)),\"reseeds\":\(s.reseeds)}")
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// A few readable lines for stderr.
    public static func summary(name: String, report r: EvalReport, segments s: SegmentEvaluation, scored: Bool,
                               seconds: Double) -> String {
        var text = "eval \(name): \(r.events) events, split at \(r.trainEvents), \(r.targets) targets, "
            + "\(r.catalogSize) items, \(r.customers) customers (\(String(format: "%.1f", seconds)) s)\n"
        if scored {
            for v in EvalVariant.allCases {
                for mode in EvalMode.allCases {
                    let m = r.metrics[v]![mode]!
                    text += "  \(v.rawValue) \(mode.rawValue): HR@10 \(number(m.hr10)) HR@20 \(number(m.hr20)) "
                        + "MRR@20 \(number(m.mrr20)) NDCG@20 \(number(m.ndcg20)) "
                        + "coverage \(number(m.coverage(catalogSize: r.catalogSize))) cold \(number(m.coldShare))\n"
                }
            }
        }
        text += "  k-means: \(s.points.count) customers, online inertia \(number(s.onlineInertia)) (\(s.reseeds) reseeds)\n"
        return text
    }
}
