import CRMModel
import Foundation

/// `streamcrm eval-churn FILE --cutoff YYYY-MM-DD --holdout-weeks N`: replays input events (JSON
/// lines, e.g. from `streamcrm convert --from cdnow`) through the engine, scores every customer at
/// the end of the cut-off day, and reports the AUC for "no order in the holdout" and the alerts of
/// the holdout (definitions: `ChurnEvaluation`). Prints a table, then one JSON line.
enum EvalChurnCommand {
    static func main(_ args: [String]) throws -> Int32 {
        let parsed = try Arguments(args, command: "eval-churn")
        guard parsed.positional.count == 1 else { throw UsageError("eval-churn needs one FILE (- for stdin)") }
        let cutoffText = parsed.value("cutoff") ?? "1997-09-30"
        guard let day = DatasetTime.midnightMillis(of: Substring(cutoffText), dashed: true) else {
            throw UsageError("--cutoff expects a date YYYY-MM-DD, got '\(cutoffText)'")
        }
        let weeks = try parsed.int("holdout-weeks", default: 39)
        guard (1...520).contains(weeks) else { throw UsageError("--holdout-weeks expects 1...520") }
        let config = try Configuration.load(file: parsed.value("config"), overrides: parsed.values("set"))
        let engine = CRMEngine(config: EngineConfig(config))
        var eval = ChurnEvaluation(engine: engine, cutoff: day + millisecondsPerDay,
                                   holdout: Int64(weeks) * 7 * millisecondsPerDay)
        let decoder = EventDecoder()
        var undecodable = 0
        let progress = ProgressLine(label: "eval-churn")
        try LineReader(path: parsed.positional[0]).forEachLine { line in
            if line.isEmpty { return }
            progress.tick()
            do { eval.feed(try decoder.decodeLine(line)) } catch { undecodable += 1 }
        }
        progress.finish()
        let r = eval.finish()
        func f(_ x: Double) -> String { x.isFinite ? String(format: "%.4f", x) : "null" }
        let w = zip(ChurnScorer.featureNames, r.scorerWeights).map { "\($0)=\(String(format: "%.3f", $1))" }
        print("""
            eval-churn: cut-off end of \(cutoffText), holdout \(weeks) weeks; \(r.customers) customers, \
            \(r.churners) churners (\(f(Double(r.churners) / Double(max(r.customers, 1))))), \(undecodable) undecodable lines
            churn parameters: \(r.parameters) (last fit at \(r.lastFitAt.map(String.init) ?? "never"))
            scorer: \(r.scorerExamples) resolved examples; weights \(w.joined(separator: " "))
            AUC  streamcrm blended risk        \(f(r.auc))
            AUC  model risk alone (online fit) \(f(r.modelRiskAUC))
            AUC  model 1 - P(alive)            \(f(r.modelPAliveAUC))
            AUC  recency alone                 \(f(r.recencyAUC))
            alerts in holdout: \(r.alertsInHoldout); precision \(f(r.precision)); recall \(f(r.recall)) \
            (holdout alerts only \(f(r.holdoutRecall))); median days last order -> alert \(f(r.medianDelayDays))
            {"streamcrm_auc":\(f(r.auc)),"model_risk_auc":\(f(r.modelRiskAUC)),"model_palive_auc":\(f(r.modelPAliveAUC)),\
            "recency_auc":\(f(r.recencyAUC)),"customers":\(r.customers),"churners":\(r.churners),\
            "alerts":\(r.alertsInHoldout),"alert_precision":\(f(r.precision)),"alert_recall":\(f(r.recall)),\
            "alert_recall_holdout_only":\(f(r.holdoutRecall)),"median_alert_delay_days":\(f(r.medianDelayDays))}
            """)
        return 0
    }
}
