/// Which member of the BG/NBD family scores customers.
public enum ChurnModelKind: String, Sendable, Codable, CaseIterable {
    /// Plain BG/NBD: every one-time buyer has P(alive) = 1.
    case bgnbd
    /// MBG/NBD: one-time buyers may drop out at time 0, so P(alive) < 1 for them too.
    case mbgnbd
}

/// A churn score for one customer at one moment.
public struct ChurnScore: Sendable, Equatable {
    /// P(no purchase within the horizon), in [0, 1]: the quantity alerts are about.
    public var risk: Double
    /// P(the customer is still alive), in [0, 1], reported beside the risk.
    public var pAlive: Double
    /// The summary the score was computed from (weeks).
    public var summary: CustomerSummary
}

/// The churn model: a BG/NBD-family variant, its population parameters and the alert horizon.
///
/// **Units:** the parameters and `CustomerSummary` are in weeks; event times are `EventTime`
/// milliseconds; the horizon is configured in days (DESIGN.md §3 reports `horizon_days`).
public struct ChurnModel: Sendable, Codable, Equatable {
    /// Model variant (default `.mbgnbd`, which scores one-time buyers meaningfully).
    public var kind: ChurnModelKind
    /// Population parameters, weeks (default `ChurnParameters.cdnowWeeks`).
    public var parameters: ChurnParameters
    /// The horizon H of "no purchase within the next H days" (default 90 days).
    public var horizonDays: Double

    /// - Parameters:
    ///   - kind: variant (default `.mbgnbd`).
    ///   - parameters: population parameters in weeks (default CDNOW published values).
    ///   - horizonDays: risk horizon in days (default 90).
    public init(kind: ChurnModelKind = .mbgnbd, parameters: ChurnParameters = .cdnowWeeks,
                horizonDays: Double = 90) {
        self.kind = kind; self.parameters = parameters; self.horizonDays = horizonDays
    }

    /// The horizon in weeks.
    public var horizonWeeks: Double { horizonDays / 7 }

    /// Log-likelihood of one summary under this model's variant and parameters.
    public func logLikelihood(_ s: CustomerSummary) -> Double {
        ChurnModel.logLikelihood(kind, parameters, s)
    }

    /// Log-likelihood for an explicit variant and parameter set (used by the estimator).
    /// - Parameters:
    ///   - kind: variant.
    ///   - p: parameters (weeks).
    ///   - s: summary (weeks).
    public static func logLikelihood(_ kind: ChurnModelKind, _ p: ChurnParameters, _ s: CustomerSummary) -> Double {
        switch kind {
        case .bgnbd: return BGNBD.logLikelihood(p, s)
        case .mbgnbd: return MBGNBD.logLikelihood(p, s)
        }
    }

    /// P(alive) for a summary.
    public func pAlive(_ s: CustomerSummary) -> Double {
        switch kind {
        case .bgnbd: return BGNBD.pAlive(parameters, s)
        case .mbgnbd: return MBGNBD.pAlive(parameters, s)
        }
    }

    /// Expected number of purchases in (T, T+t].
    /// - Parameter t: horizon in weeks.
    public func expectedPurchases(_ s: CustomerSummary, horizonWeeks t: Double) -> Double {
        switch kind {
        case .bgnbd: return BGNBD.expectedPurchases(parameters, s, horizon: t)
        case .mbgnbd: return MBGNBD.expectedPurchases(parameters, s, horizon: t)
        }
    }

    /// P(no purchase within the configured horizon): the churn risk.
    public func risk(_ s: CustomerSummary) -> Double {
        switch kind {
        case .bgnbd: return BGNBD.probabilityNoPurchase(parameters, s, horizon: horizonWeeks)
        case .mbgnbd: return MBGNBD.probabilityNoPurchase(parameters, s, horizon: horizonWeeks)
        }
    }

    /// Risk and P(alive) for a customer at `now`.
    /// - Parameters:
    ///   - orders: number of orders including the first (≥ 1).
    ///   - firstOrderAt: event time of the first order.
    ///   - lastOrderAt: event time of the latest order.
    ///   - now: observation event time.
    public func score(orders: Int, firstOrderAt: EventTime, lastOrderAt: EventTime, now: EventTime) -> ChurnScore {
        let s = CustomerSummary(orders: orders, firstOrderAt: firstOrderAt, lastOrderAt: lastOrderAt, now: now)
        return ChurnScore(risk: risk(s), pAlive: pAlive(s), summary: s)
    }

    /// The earliest event time at which the customer's risk reaches `threshold`, if no further
    /// order arrives: the time to set their churn timer to.
    ///
    /// With x and tx fixed, risk is non-decreasing in T (P(alive) falls and the alive customer's
    /// chance of silence in H rises), so a bisection on event time finds the crossing.
    /// - Parameters:
    ///   - orders: number of orders including the first (≥ 1).
    ///   - firstOrderAt: event time of the first order.
    ///   - lastOrderAt: event time of the latest order.
    ///   - notBefore: earliest time to return (default: `lastOrderAt`); returned as is when the
    ///     risk there is already at or above the threshold.
    ///   - threshold: the alert threshold on risk, in (0, 1).
    ///   - maxHorizon: how far past `notBefore` to look, ms (default 730 days); nil when the risk
    ///     stays below the threshold that long.
    ///   - resolution: precision of the result, ms (default 60_000 = one minute); the returned
    ///     time is at most this much later than the exact crossing, never earlier.
    public func alertTime(orders: Int, firstOrderAt: EventTime, lastOrderAt: EventTime,
                          notBefore: EventTime? = nil, threshold: Double,
                          maxHorizon: Int64 = 730 * millisecondsPerDay,
                          resolution: Int64 = 60_000) -> EventTime? {
        func riskAt(_ t: EventTime) -> Double {
            risk(CustomerSummary(orders: orders, firstOrderAt: firstOrderAt, lastOrderAt: lastOrderAt, now: t))
        }
        var lo = Swift.max(notBefore ?? lastOrderAt, lastOrderAt)
        if riskAt(lo) >= threshold { return lo }
        var hi = lo + maxHorizon
        if riskAt(hi) < threshold { return nil }
        let step = Swift.max(1, resolution)
        // Invariant: risk(lo) < threshold ≤ risk(hi).
        while hi - lo > step {
            let mid = lo + (hi - lo) / 2
            if riskAt(mid) >= threshold { hi = mid } else { lo = mid }
        }
        return hi
    }
}
