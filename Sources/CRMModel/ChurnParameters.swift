/// Population parameters of a BG/NBD-family model.
///
/// Transaction rates λ are Gamma(r, α) across customers (shape `r`, rate `alpha`) and dropout
/// probabilities p are Beta(a, b). **Time unit: weeks** throughout the churn code (so `alpha` is
/// in weeks; to express the same population in days multiply `alpha` by 7).
public struct ChurnParameters: Sendable, Codable, Equatable, CustomStringConvertible {
    /// Shape of the Gamma distribution of purchase rates (> 0).
    public var r: Double
    /// Rate (scale⁻¹, in weeks) of the Gamma distribution of purchase rates (> 0).
    public var alpha: Double
    /// First shape of the Beta distribution of dropout probabilities (> 0).
    public var a: Double
    /// Second shape of the Beta distribution of dropout probabilities (> 0).
    public var b: Double

    /// Creates a parameter set; all four must be finite and > 0.
    /// - Parameters:
    ///   - r: Gamma shape (no default).
    ///   - alpha: Gamma rate, weeks (no default).
    ///   - a: Beta first shape (no default).
    ///   - b: Beta second shape (no default).
    public init(r: Double, alpha: Double, a: Double, b: Double) {
        self.r = r; self.alpha = alpha; self.a = a; self.b = b
    }

    /// The BG/NBD estimates published for CDNOW by Fader, Hardie & Lee (2005), time in weeks:
    /// r = 0.243, α = 4.414, a = 0.793, b = 2.426. Used as the prior before enough customers.
    public static let cdnowWeeks = ChurnParameters(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)

    /// True when all four parameters are finite and strictly positive.
    public var isValid: Bool {
        [r, alpha, a, b].allSatisfy { $0.isFinite && $0 > 0 }
    }

    public var description: String { "r=\(r) alpha=\(alpha) a=\(a) b=\(b)" }
}

/// One customer's repeat-purchase summary in the BG/NBD sense, **in weeks**.
///
/// `x` is the number of *repeat* purchases (orders after the first), `tx` the time from the first
/// purchase to the last one, `T` the time from the first purchase to the observation time.
/// Requires 0 ≤ tx ≤ T, and tx = 0 when x = 0.
public struct CustomerSummary: Sendable, Codable, Equatable, Hashable {
    /// Number of repeat purchases (orders after the first), ≥ 0.
    public var x: Double
    /// Weeks from first to last purchase.
    public var tx: Double
    /// Weeks from first purchase to now.
    public var T: Double

    /// - Parameters:
    ///   - x: repeat purchases (no default).
    ///   - tx: recency in weeks (no default).
    ///   - T: age in weeks (no default).
    public init(x: Double, tx: Double, T: Double) {
        self.x = x; self.tx = tx; self.T = T
    }

    /// The customer's mean time between purchases in days (tx / x · 7), nil for one-time buyers:
    /// the "usually every N days" of an alert's reason.
    public var meanInterPurchaseDays: Double? {
        x > 0 ? tx / x * 7 : nil
    }

    /// Milliseconds in one week: the churn models' time unit.
    public static let millisecondsPerWeek: Double = 7 * 86_400_000

    /// Builds a summary from event times.
    /// - Parameters:
    ///   - orders: total number of (non-cancelled) orders, including the first; must be ≥ 1.
    ///   - firstOrderAt: event time of the first order.
    ///   - lastOrderAt: event time of the latest order.
    ///   - now: observation time (≥ lastOrderAt; clamped if earlier).
    public init(orders: Int, firstOrderAt: EventTime, lastOrderAt: EventTime, now: EventTime) {
        let w = CustomerSummary.millisecondsPerWeek
        let repeatCount = Swift.max(0, orders - 1)
        let last = Swift.max(lastOrderAt, firstOrderAt)
        let obs = Swift.max(now, last)
        self.x = Double(repeatCount)
        self.tx = repeatCount == 0 ? 0 : Double(last - firstOrderAt) / w
        self.T = Double(obs - firstOrderAt) / w
    }
}
