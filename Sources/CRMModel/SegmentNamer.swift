/// Human-readable, deterministic segment names from centroids in raw feature space
/// (`CustomerFeatures` order, i.e. log1p features, *not* standardised: pass
/// `FeatureStandardizer.destandardize(centroid)`).
///
/// Rules, applied to each centroid's raw values (`CustomerFeatures.rawValues`) in this order:
/// 1. orders < `buyerMinOrders` → "browsers" (they look, they do not buy);
/// 2. recency ≥ `lapsedDays` → "lapsed";
/// 3. recency ≥ `atRiskDays` → "at risk";
/// 4. orders < `repeatMinOrders` → "new";
/// 5. among the rest (active repeat buyers): the one with the largest monetary value is
///    "high value" when its monetary ≥ `highValueFactor` × the median monetary of all buyer
///    centroids (rules 2–5); otherwise, and for the others, orders ≥ `loyalMinOrders` →
///    "loyal", else "regular".
/// Duplicates get a suffix in id order: "lapsed", "lapsed 2", "lapsed 3".
public struct SegmentNamer: Sendable, Codable, Equatable {
    /// Days without activity from which a segment is "lapsed" (default 180).
    public var lapsedDays: Double
    /// Days without activity from which a segment is "at risk" (default 60).
    public var atRiskDays: Double
    /// Mean orders below which a segment is "browsers" (default 0.5).
    public var buyerMinOrders: Double
    /// Mean orders below which an active buyer segment is "new" (default 1.5).
    public var repeatMinOrders: Double
    /// Mean orders from which an active repeat segment is "loyal" (default 3).
    public var loyalMinOrders: Double
    /// Monetary multiple of the buyers' median for "high value" (default 1.5).
    public var highValueFactor: Double

    /// - Parameters:
    ///   - lapsedDays: default 180.
    ///   - atRiskDays: default 60.
    ///   - buyerMinOrders: default 0.5.
    ///   - repeatMinOrders: default 1.5.
    ///   - loyalMinOrders: default 3.
    ///   - highValueFactor: default 1.5.
    public init(lapsedDays: Double = 180, atRiskDays: Double = 60, buyerMinOrders: Double = 0.5,
                repeatMinOrders: Double = 1.5, loyalMinOrders: Double = 3, highValueFactor: Double = 1.5) {
        self.lapsedDays = lapsedDays; self.atRiskDays = atRiskDays; self.buyerMinOrders = buyerMinOrders
        self.repeatMinOrders = repeatMinOrders; self.loyalMinOrders = loyalMinOrders
        self.highValueFactor = highValueFactor
    }

    /// Names by segment id, unique.
    /// - Parameter rawCentroids: centroids in (de-standardised) `CustomerFeatures` space.
    public func names(rawCentroids: [[Double]]) -> [String] {
        let raw = rawCentroids.map(CustomerFeatures.rawValues)
        let rec = CustomerFeatures.recencyIndex, ord = CustomerFeatures.ordersIndex
        let mon = CustomerFeatures.monetaryIndex
        var base = [String?](repeating: nil, count: raw.count)
        var active: [Int] = []
        for (i, v) in raw.enumerated() {
            if v[ord] < buyerMinOrders { base[i] = "browsers" }
            else if v[rec] >= lapsedDays { base[i] = "lapsed" }
            else if v[rec] >= atRiskDays { base[i] = "at risk" }
            else if v[ord] < repeatMinOrders { base[i] = "new" }
            else { active.append(i) }
        }
        let buyers = raw.indices.filter { raw[$0][ord] >= buyerMinOrders }.map { raw[$0][mon] }.sorted()
        let median: Double = buyers.isEmpty ? 0
            : (buyers.count % 2 == 1 ? buyers[buyers.count / 2]
               : (buyers[buyers.count / 2 - 1] + buyers[buyers.count / 2]) / 2)
        var top: Int?
        for i in active where top == nil || raw[i][mon] > raw[top!][mon] { top = i }
        for i in active {
            if i == top, raw[i][mon] >= highValueFactor * median, raw[i][mon] > 0 { base[i] = "high value" }
            else { base[i] = raw[i][ord] >= loyalMinOrders ? "loyal" : "regular" }
        }
        var seen: [String: Int] = [:]
        return base.map { name in
            let n = name ?? "regular"
            let c = (seen[n] ?? 0) + 1
            seen[n] = c
            return c == 1 ? n : "\(n) \(c)"
        }
    }
}
