import CRMModel

/// Online evaluation of churn scores and alerts on a calibration/holdout split (`streamcrm
/// eval-churn`, docs/quality.md "Churn").
///
/// Events are fed, in their order, through the real `CRMEngine`. At the cut-off C (an instant:
/// events with ts < C are calibration) every customer seen so far is scored with what the engine
/// knows *then* (no look-ahead, no batch pass). The label is "no order in [C, C + holdout)". The
/// replay then continues through the holdout, and event time is finally advanced to C + holdout
/// in steps of one day (as `replay --then-silence-days` does), collecting the churn alerts.
///
/// Alert metrics (definitions):
/// - *alerted*: customers with a churn alert (not a reactivation) whose ts is in [C, C + holdout);
///   a customer's first such alert counts.
/// - *precision*: share of alerted customers with no order in (alert ts, min(alert ts + holdout,
///   C + holdout)) — the data end censors the 39-week look-ahead of late alerts.
/// - *recall*: share of holdout churners (customers of the calibration period with no order in the
///   holdout) whose current episode (opened by their last calibration order) was alerted at any
///   time up to C + holdout (an alert already raised before C counts: it is still standing).
/// - *median delay*: median over holdout alerts of (alert ts − the alerted episode's last order), days.
public struct ChurnEvaluation {
    /// One scored customer at the cut-off.
    public struct Scored: Sendable {
        public var userID: String
        /// The engine's blended risk (what alerts use).
        public var risk: Double
        /// The BG/NBD-family risk alone (online-fitted parameters).
        public var modelRisk: Double
        /// The model's P(alive).
        public var pAlive: Double
        /// Days since the last order at the cut-off.
        public var recencyDays: Double
        /// True when the customer did not order in the holdout.
        public var churned: Bool
    }

    /// The results.
    public struct Result: Sendable {
        public var customers: Int
        public var churners: Int
        public var auc: Double
        public var modelRiskAUC: Double
        public var modelPAliveAUC: Double
        public var recencyAUC: Double
        public var alertsInHoldout: Int
        public var precision: Double
        public var recall: Double
        public var holdoutRecall: Double
        public var medianDelayDays: Double
        public var scorerWeights: [Double]
        public var scorerExamples: Int
        public var parameters: ChurnParameters
        public var lastFitAt: EventTime?
    }

    let engine: CRMEngine
    let cutoff: EventTime
    let end: EventTime
    private var scored: [String: Scored] = [:]
    private var scoredAtCutoff = false
    private var lastOrderAtCutoff: [String: EventTime] = [:]
    /// Holdout order times per customer.
    private var holdoutOrders: [String: [EventTime]] = [:]
    /// First churn alert per customer in the holdout: (ts, episode's last order).
    private var holdoutAlerts: [String: (ts: EventTime, lastOrderAt: EventTime)] = [:]
    /// Last alerted episode (last order time) per customer, any time.
    private var alertedEpisode: [String: EventTime] = [:]
    private var outputs: [ModelOutput] = []
    private var index: Int64 = 0

    /// - Parameters:
    ///   - engine: a fresh engine.
    ///   - cutoff: the cut-off instant C (ms).
    ///   - holdout: holdout length, ms.
    public init(engine: CRMEngine, cutoff: EventTime, holdout: Int64) {
        self.engine = engine; self.cutoff = cutoff; self.end = cutoff + holdout
    }

    /// Feeds one event (in stream order). Events at or after the holdout end are ignored.
    public mutating func feed(_ event: ShopEvent) {
        let ts: EventTime
        switch event {
        case .order(let o): ts = o.ts
        case .click(let c): ts = c.ts
        default: ts = cutoff - 1
        }
        if ts >= end { return }
        if ts >= cutoff { scoreAtCutoff() }
        if case .order(let o) = event, o.type == .order, ts >= cutoff {
            holdoutOrders[o.userID, default: []].append(ts)
        }
        outputs.removeAll(keepingCapacity: true)
        engine.process(event, at: SourcePosition(topic: "eval", partition: 0, offset: index), into: &outputs)
        index += 1
        collect()
    }

    private mutating func collect() {
        for case .churnAlert(let a) in outputs where a.eventID.hasPrefix("churn/") {
            let last = a.lastOrderAt ?? a.ts
            alertedEpisode[a.userID] = last
            if a.ts >= cutoff, a.ts < end, holdoutAlerts[a.userID] == nil {
                holdoutAlerts[a.userID] = (a.ts, last)
            }
        }
    }

    private mutating func advance(to t: EventTime) {
        outputs.removeAll(keepingCapacity: true)
        engine.advance(to: t, into: &outputs)
        collect()
    }

    /// Moves event time to the cut-off and scores every customer there (once).
    private mutating func scoreAtCutoff() {
        guard !scoredAtCutoff else { return }
        scoredAtCutoff = true
        if let m = engine.watermark.maxEventTime, m < cutoff { stepTo(cutoff) }
        let day = Double(millisecondsPerDay)
        for (u, c) in engine.customers {
            guard let s = ChurnCustomerSnapshot(c.profile), let blended = engine.churnScore(for: u, at: cutoff) else { continue }
            let m = engine.churn.score(orders: s.orders, firstOrderAt: s.firstOrderAt, lastOrderAt: s.lastOrderAt, now: cutoff)
            scored[u] = Scored(userID: u, risk: blended.risk, modelRisk: m.risk, pAlive: m.pAlive,
                               recencyDays: Double(cutoff - s.lastOrderAt) / day, churned: true)
            lastOrderAtCutoff[u] = s.lastOrderAt
        }
    }

    private mutating func stepTo(_ t: EventTime) {
        var now = engine.watermark.current ?? t
        while now < t {
            now = min(t, now + millisecondsPerDay)
            advance(to: now)
        }
    }

    /// Ends the run: advances event time through the holdout and computes the metrics.
    public mutating func finish() -> Result {
        scoreAtCutoff()
        stepTo(end)
        for u in holdoutOrders.keys { scored[u]?.churned = false }
        let list = scored.values.sorted { $0.userID < $1.userID }
        let labels = list.map(\.churned)
        func auc(_ f: (Scored) -> Double) -> Double { RankAUC.auc(scores: list.map(f), labels: labels) ?? .nan }
        var correct = 0
        var delays: [Double] = []
        for (u, a) in holdoutAlerts {
            let horizonEnd = min(a.ts + (end - cutoff), end)
            if !(holdoutOrders[u] ?? []).contains(where: { $0 > a.ts && $0 < horizonEnd }) { correct += 1 }
            delays.append(Double(a.ts - a.lastOrderAt) / Double(millisecondsPerDay))
        }
        let churners = list.filter(\.churned)
        let caught = churners.filter { alertedEpisode[$0.userID] == lastOrderAtCutoff[$0.userID] }.count
        let caughtInHoldout = churners.filter { holdoutAlerts[$0.userID] != nil }.count
        delays.sort()
        let median = delays.isEmpty ? .nan
            : (delays.count % 2 == 1 ? delays[delays.count / 2] : (delays[delays.count / 2 - 1] + delays[delays.count / 2]) / 2)
        let sc = engine.churnScorer
        return Result(customers: list.count, churners: churners.count, auc: auc(\.risk), modelRiskAUC: auc(\.modelRisk),
                      modelPAliveAUC: auc { 1 - $0.pAlive }, recencyAUC: auc(\.recencyDays),
                      alertsInHoldout: holdoutAlerts.count,
                      precision: holdoutAlerts.isEmpty ? .nan : Double(correct) / Double(holdoutAlerts.count),
                      recall: churners.isEmpty ? .nan : Double(caught) / Double(churners.count),
                      holdoutRecall: churners.isEmpty ? .nan : Double(caughtInHoldout) / Double(churners.count),
                      medianDelayDays: median, scorerWeights: sc.weights,
                      scorerExamples: sc.silentExamples + sc.orderedExamples,
                      parameters: engine.churn.parameters, lastFitAt: engine.lastChurnFitAt)
    }
}
