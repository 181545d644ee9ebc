#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The order statistics of one customer that the churn score reads: a snapshot that does not
/// change while the customer is silent (only `now` moves).
public struct ChurnCustomerSnapshot: Sendable, Equatable, Codable {
    /// Orders applied minus cancelled (≥ 1 for a scored customer).
    public var orders: Int
    /// Distinct UTC days with an order; `distinctOrderDays − 1` is the repeat frequency x.
    public var distinctOrderDays: Int
    /// First order time.
    public var firstOrderAt: EventTime
    /// Latest order time.
    public var lastOrderAt: EventTime
    /// Monetary total (order values minus refunds).
    public var monetary: Double

    /// - Parameters: the fields above, no defaults.
    public init(orders: Int, distinctOrderDays: Int, firstOrderAt: EventTime, lastOrderAt: EventTime, monetary: Double) {
        self.orders = orders; self.distinctOrderDays = distinctOrderDays
        self.firstOrderAt = firstOrderAt; self.lastOrderAt = lastOrderAt; self.monetary = monetary
    }

    /// The snapshot of a profile, nil before its first order.
    public init?(_ p: UserProfile) {
        guard p.orderCount > 0, let first = p.firstOrderAt, let last = p.lastOrderAt else { return nil }
        self.init(orders: p.orderCount, distinctOrderDays: max(p.distinctOrderDays, 1), firstOrderAt: first,
                  lastOrderAt: last, monetary: p.monetary)
    }
}

/// Settings of the online churn scorer.
public struct ChurnScorerConfig: Sendable, Equatable, Codable {
    /// Whether the blend is learned (default true); false keeps the score equal to the
    /// BG/NBD-family risk (the initial weights).
    public var learn: Bool
    /// Spacing of the snapshot grid on event time, ms (default 7 days).
    public var snapshotEvery: Int64
    /// Share of customers (by a hash of their id) whose snapshots train the blend, in (0, 1]
    /// (default 1). Bounds the work per snapshot in a large shop.
    public var sampleRate: Double
    /// Precision (inverse variance) of the initial prior around the initial weights (default 1).
    public var priorPrecision: Double
    /// Factor applied to the accumulated precision before each mini-batch, in (0, 1]
    /// (default 0.95): older evidence weighs less, so the blend follows a changing shop.
    public var forgetting: Double
    /// Newton iterations per mini-batch (default 4).
    public var newtonSteps: Int

    /// - Parameters: see the properties for meanings and defaults.
    public init(learn: Bool = true, snapshotEvery: Int64 = 7 * millisecondsPerDay, sampleRate: Double = 1,
                priorPrecision: Double = 1, forgetting: Double = 0.95, newtonSteps: Int = 4) {
        self.learn = learn; self.snapshotEvery = max(snapshotEvery, 60_000); self.sampleRate = sampleRate
        self.priorPrecision = max(priorPrecision, 1e-9); self.forgetting = min(max(forgetting, 1e-3), 1)
        self.newtonSteps = max(1, newtonSteps)
    }
}

/// The online churn score: P(no order within the next H days), a logistic blend of the
/// BG/NBD-family risk with recency, age, frequency, purchase span and monetary value, whose
/// weights are learned online from **resolved outcomes** in the stream itself.
///
/// Features φ at time `now` (days; x = distinct order days − 1):
///   [1, logit(model risk), ln(1+recency), ln(1+age), ln(1+x), ln(1+t_x), ln(1+monetary)].
/// score = σ(w·φ). The initial weights (0, 1, 0, …) make the score *equal* to the model risk, so
/// before any outcome is resolved the score is the BG/NBD-family risk (the prior).
///
/// **Learning without a batch pass.** Snapshots lie on a grid s = k·`snapshotEvery`. The example
/// (φ(state at s), y) has y = 1 ("silent for H after s") or 0 ("ordered within H"):
/// - y = 0 is resolved by the order itself: an order at t by a customer whose previous order was at
///   `last` labels every grid point s in [max(last, t − H), t) (their state at s is the pre-order
///   state, handed in), unless s was already resolved;
/// - y = 1 is resolved when event time passes s + H: every sampled customer with first ≤ s and last
///   ≤ s is still in the state they had at s.
/// Each (customer, grid point) gets exactly one label. Resolved examples wait in a buffer until
/// the next grid point resolves; then the buffer updates the weights and is dropped.
///
/// **Update: sequential Laplace (Bayesian online logistic regression).** The weights carry a
/// Gaussian belief N(m, P⁻¹) (start: m = initial weights, P = `priorPrecision`·I). A mini-batch
/// B is absorbed by a few Newton steps on ½(w−m)ᵀP(w−m) + Σ_B logloss(w), i.e. the MAP of the
/// posterior; then m ← w and P ← P + Σ_B σ(1−σ)φφᵀ at w. P is multiplied by `forgetting` before
/// each batch. Without forgetting this tracks the batch maximum-likelihood fit on all resolved
/// examples closely, at O(|B|·d²) per batch and O(d²) memory, with no pass over old data.
///
/// **Monotone in silence.** Recency, age and the model risk only grow while a customer is silent;
/// their weights are projected to ≥ 0 after each step, and the other features are constant during
/// silence, so the score never falls with silence and the alert time can be found by bisection.
public struct ChurnScorer: Sendable, Codable, Equatable {
    /// Number of features (including the bias).
    public static let dimension = 7
    /// Feature names, in order (for inspection and documentation).
    public static let featureNames = ["bias", "logit_model_risk", "log_recency_days", "log_age_days",
                                      "log_frequency", "log_span_days", "log_monetary"]
    /// Indices of the features that grow with silence (weights kept ≥ 0).
    static let silenceIndices = [1, 2, 3]

    /// One resolved example.
    struct Example: Sendable, Codable, Equatable {
        var features: [Double]
        var silent: Bool
    }

    /// Settings.
    public let config: ChurnScorerConfig
    /// The current weights (`featureNames` order).
    public private(set) var weights: [Double]
    /// The belief's precision matrix P (row-major d×d).
    public private(set) var precision: [Double]
    /// The next grid point whose silent outcomes resolve at `nextSnapshot + horizon`; nil before
    /// the first order.
    public private(set) var nextSnapshot: EventTime?
    /// Examples learned from: silent (y = 1) and ordered (y = 0).
    public private(set) var silentExamples = 0, orderedExamples = 0
    /// Mini-batches trained so far.
    public private(set) var updates = 0
    private var pending: [Example] = []

    /// - Parameter config: settings (default `ChurnScorerConfig()`).
    public init(config: ChurnScorerConfig = ChurnScorerConfig()) {
        self.config = config
        weights = [0, 1, 0, 0, 0, 0, 0]
        let d = Self.dimension
        precision = (0..<(d * d)).map { $0 % (d + 1) == 0 ? config.priorPrecision : 0 }
    }

    // MARK: Scoring

    /// The feature vector of a customer at `now`.
    /// - Parameters:
    ///   - c: the customer's order statistics.
    ///   - now: observation time (clamped to at least the last order).
    ///   - modelRisk: the BG/NBD-family risk P(no order in H) at `now`.
    public static func features(_ c: ChurnCustomerSnapshot, now: EventTime, modelRisk: Double) -> [Double] {
        let day = Double(millisecondsPerDay)
        let t = max(now, c.lastOrderAt)
        let rho = min(max(modelRisk, 1e-6), 1 - 1e-6)
        return [1, log(rho / (1 - rho)),
                log1p(Double(t - c.lastOrderAt) / day),
                log1p(Double(max(t - c.firstOrderAt, 0)) / day),
                log1p(Double(max(c.distinctOrderDays - 1, 0))),
                log1p(Double(max(c.lastOrderAt - c.firstOrderAt, 0)) / day),
                log1p(max(c.monetary, 0))]
    }

    /// σ(w·φ): the blended P(no order within the horizon).
    public func score(features φ: [Double]) -> Double {
        var u = 0.0
        for i in 0..<Self.dimension { u += weights[i] * φ[i] }
        return BGNBD.logistic(u)
    }

    /// Risk (the blend) and P(alive) (the model's) for a customer at `now`.
    public func score(_ c: ChurnCustomerSnapshot, model: ChurnModel, now: EventTime) -> ChurnScore {
        let s = model.score(orders: c.orders, firstOrderAt: c.firstOrderAt, lastOrderAt: c.lastOrderAt, now: now)
        var out = s
        out.risk = score(features: Self.features(c, now: now, modelRisk: s.risk))
        return out
    }

    /// The earliest event time ≥ `notBefore` (default: the last order) at which the blended risk
    /// reaches `threshold` if the customer stays silent; nil when it stays below for `maxHorizon`
    /// ms (default 730 days). Bisection to `resolution` ms (default one minute), never early:
    /// valid because the score is non-decreasing in silence (see the type's documentation).
    public func alertTime(_ c: ChurnCustomerSnapshot, model: ChurnModel, threshold: Double,
                          notBefore: EventTime? = nil, maxHorizon: Int64 = 730 * millisecondsPerDay,
                          resolution: Int64 = 60_000) -> EventTime? {
        func riskAt(_ t: EventTime) -> Double { score(c, model: model, now: t).risk }
        var lo = max(notBefore ?? c.lastOrderAt, c.lastOrderAt)
        if riskAt(lo) >= threshold { return lo }
        var hi = lo + maxHorizon
        if riskAt(hi) < threshold { return nil }
        let step = max(1, resolution)
        while hi - lo > step {
            let mid = lo + (hi - lo) / 2
            if riskAt(mid) >= threshold { hi = mid } else { lo = mid }
        }
        return hi
    }

    // MARK: Learning

    /// Whether this customer's snapshots train the blend (a fixed hash of the id).
    public func isSampled(_ userID: String) -> Bool {
        config.sampleRate >= 1 || Double(Self.hash(userID) % 1_000_000) < config.sampleRate * 1_000_000
    }

    /// Starts the snapshot grid at the first order seen (no-op afterwards).
    public mutating func start(at t: EventTime) {
        guard nextSnapshot == nil else { return }
        let g = config.snapshotEvery
        nextSnapshot = (t >= 0 ? (t + g - 1) / g : t / g) * g
    }

    /// Records the "ordered within H" examples an order resolves.
    /// - Parameters:
    ///   - userID: the customer.
    ///   - before: their statistics just before this order.
    ///   - t: the order's time.
    ///   - horizon: H, ms.
    ///   - model: the churn model (for the model-risk feature at each grid point).
    public mutating func observeOrder(userID: String, before: ChurnCustomerSnapshot, at t: EventTime,
                                      horizon: Int64, model: ChurnModel) {
        guard config.learn, let next = nextSnapshot, isSampled(userID) else { return }
        let g = config.snapshotEvery
        // Grid points in [max(last, t − H), t) that are not yet resolved (≥ next).
        let from = max(before.lastOrderAt, t - horizon, before.firstOrderAt, next)
        var s = (from >= 0 ? (from + g - 1) / g : from / g) * g
        while s < t {
            let risk = model.score(orders: before.orders, firstOrderAt: before.firstOrderAt,
                                   lastOrderAt: before.lastOrderAt, now: s).risk
            pending.append(Example(features: Self.features(before, now: s, modelRisk: risk), silent: false))
            s += g
        }
    }

    /// The grid point whose silent outcomes resolve at or before `now`, if any: call
    /// `resolveSilent` with the customers silent since then.
    public func dueSnapshot(now: EventTime, horizon: Int64) -> EventTime? {
        guard config.learn, let next = nextSnapshot, next + horizon <= now else { return nil }
        return next
    }

    /// Resolves grid point `s`: adds a "silent for H" example per given customer (those sampled,
    /// with first ≤ s and last ≤ s), trains on everything resolved since the previous grid point,
    /// and moves to the next grid point. Customers must be given in a deterministic order.
    public mutating func resolveSilent(snapshot s: EventTime, customers: [(userID: String, stats: ChurnCustomerSnapshot)],
                                       model: ChurnModel) {
        for (u, c) in customers where c.firstOrderAt <= s && c.lastOrderAt <= s && isSampled(u) {
            let risk = model.score(orders: c.orders, firstOrderAt: c.firstOrderAt, lastOrderAt: c.lastOrderAt, now: s).risk
            pending.append(Example(features: Self.features(c, now: s, modelRisk: risk), silent: true))
        }
        train()
        nextSnapshot = s + config.snapshotEvery
    }

    /// Absorbs the pending buffer (sequential Laplace, see the type's documentation), then drops it.
    mutating func train() {
        guard !pending.isEmpty else { return }
        let d = Self.dimension
        let prior = weights
        let p0 = precision.map { $0 * config.forgetting }
        var w = weights
        var hessian = p0
        for _ in 0..<config.newtonSteps {
            // Gradient and Hessian of ½(w−m)ᵀP0(w−m) + Σ logloss.
            var g = [Double](repeating: 0, count: d)
            hessian = p0
            for i in 0..<d { for j in 0..<d { g[i] += p0[i * d + j] * (w[j] - prior[j]) } }
            for e in pending {
                var u = 0.0
                for i in 0..<d { u += w[i] * e.features[i] }
                let q = BGNBD.logistic(u)
                let err = q - (e.silent ? 1 : 0)
                let h = q * (1 - q)
                for i in 0..<d {
                    g[i] += err * e.features[i]
                    let hi = h * e.features[i]
                    for j in i..<d { hessian[i * d + j] += hi * e.features[j] }
                }
            }
            for i in 0..<d { for j in 0..<i { hessian[i * d + j] = hessian[j * d + i] } }
            guard let delta = Self.solve(hessian, g, d) else { break }
            // Damped Newton: halve the step until the objective does not rise; keep the score
            // monotone in silence by projecting the silence weights onto ≥ 0.
            let current = objective(w, prior: prior, precision: p0)
            var t = 1.0
            var accepted = false
            for _ in 0..<30 {
                var c = w
                for i in 0..<d { c[i] -= t * delta[i] }
                for i in Self.silenceIndices where c[i] < 0 { c[i] = 0 }
                if objective(c, prior: prior, precision: p0) <= current {
                    w = c
                    accepted = true
                    break
                }
                t /= 2
            }
            if !accepted { break }
        }
        weights = w
        precision = hessian
        for e in pending { if e.silent { silentExamples += 1 } else { orderedExamples += 1 } }
        pending.removeAll(keepingCapacity: true)
        updates += 1
    }

    /// ½(w−m)ᵀP(w−m) + Σ over the pending buffer of the log-loss of σ(w·φ).
    func objective(_ w: [Double], prior m: [Double], precision p: [Double]) -> Double {
        let d = Self.dimension
        var sum = 0.0
        for i in 0..<d { for j in 0..<d { sum += 0.5 * (w[i] - m[i]) * p[i * d + j] * (w[j] - m[j]) } }
        for e in pending {
            var u = 0.0
            for i in 0..<d { u += w[i] * e.features[i] }
            // −log σ(u) for y = 1, −log(1 − σ(u)) = −log σ(−u) for y = 0; log(1+e^{−v}) stably.
            let v = e.silent ? u : -u
            sum += v > 0 ? log1p(exp(-v)) : -v + log1p(exp(v))
        }
        return sum
    }

    /// Solves A·x = b (A symmetric positive definite, row-major n×n) by Gaussian elimination with
    /// partial pivoting; nil when A is singular.
    static func solve(_ a: [Double], _ b: [Double], _ n: Int) -> [Double]? {
        var m = a
        var x = b
        for col in 0..<n {
            var pivot = col
            for r in (col + 1)..<max(n, col + 1) where abs(m[r * n + col]) > abs(m[pivot * n + col]) { pivot = r }
            guard abs(m[pivot * n + col]) > 1e-300 else { return nil }
            if pivot != col {
                for k in 0..<n { m.swapAt(col * n + k, pivot * n + k) }
                x.swapAt(col, pivot)
            }
            for r in (col + 1)..<max(n, col + 1) {
                let f = m[r * n + col] / m[col * n + col]
                if f == 0 { continue }
                for k in col..<n { m[r * n + k] -= f * m[col * n + k] }
                x[r] -= f * x[col]
            }
        }
        for r in stride(from: n - 1, through: 0, by: -1) {
            var sum = x[r]
            for k in (r + 1)..<max(n, r + 1) { sum -= m[r * n + k] * x[k] }
            x[r] = sum / m[r * n + r]
        }
        return x
    }

    /// Examples resolved and waiting for the next mini-batch.
    public var pendingExamples: Int { pending.count }

    /// FNV-1a 64 of the UTF-8 bytes: stable across runs and platforms.
    static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }
}
