import CRMModel
import Foundation

/// Writes what the Python baselines need to run on exactly the same events and split.
///
/// `events.tsv`: first line `#split<TAB>S<TAB>N` (S = index of the first test event, N = events);
/// then one line per touched item (or one with an empty item for an event that touches none):
/// `index, customer, item, ts, weight, target` (target 1 for a scored test target).
/// `features.tsv`: `customer` and the standardised final features, in time order of first event.
public enum EvalExport {
    public static func write(events: [ShopEvent], split: Int, weights: EventWeights, segments: SegmentEvaluation,
                             to dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var out = "#split\t\(split)\t\(events.count)\n"
        for (i, e) in events.enumerated() {
            guard let customer = e.userID, let ts = e.ts else { continue }
            let items = QualityEvaluator.touches(e)
            var weight = 0.0
            switch e {
            case .click(let c): weight = weights.weight(for: c.type)
            case .order: weight = weights.order
            default: break
            }
            if items.isEmpty {
                out += "\(i)\t\(customer)\t\t\(ts)\t\(weight)\t0\n"
            }
            for item in items {
                out += "\(i)\t\(customer)\t\(item)\t\(ts)\t\(weight)\t\(i >= split ? 1 : 0)\n"
            }
        }
        try out.write(toFile: dir + "/events.tsv", atomically: true, encoding: .utf8)
        var f = "customer\t" + CustomerFeatures.names.joined(separator: "\t") + "\n"
        for (c, p) in zip(segments.customers, segments.points) {
            f += c + "\t" + p.map { String($0) }.joined(separator: "\t") + "\n"
        }
        try f.write(toFile: dir + "/features.tsv", atomically: true, encoding: .utf8)
    }
}
