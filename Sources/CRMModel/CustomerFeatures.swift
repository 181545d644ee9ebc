#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The customer feature vector segments are computed from, in a fixed order (DESIGN.md §4).
///
/// Index and meaning (all finite, ≥ 0):
/// 0. `log_recency_days`   — log1p(days since the customer's last activity of any kind)
/// 1. `log_orders`         — log1p(order count)
/// 2. `log_monetary`       — log1p(monetary total)
/// 3. `log_avg_order_value`— log1p(average order value)
/// 4. `buy_ratio`          — orders / (orders + views + carts + 1), in [0, 1): browse-to-buy
/// 5. `log_category_spread`— log1p(distinct categories touched)
///
/// A pure function of plain numbers, so it does not depend on how profiles are stored.
public enum CustomerFeatures {
    /// Feature names, in vector order.
    public static let names: [String] = [
        "log_recency_days", "log_orders", "log_monetary", "log_avg_order_value", "buy_ratio", "log_category_spread",
    ]

    /// The vector's length.
    public static var dimension: Int { names.count }

    /// Index constants, for readers of the vector (e.g. `SegmentNamer`).
    public static let recencyIndex = 0, ordersIndex = 1, monetaryIndex = 2, avgOrderValueIndex = 3,
        buyRatioIndex = 4, categorySpreadIndex = 5

    /// Builds the feature vector. Negative or non-finite inputs are treated as 0.
    /// - Parameters:
    ///   - recencyDays: days since the last activity (any event).
    ///   - orders: number of (non-cancelled) orders.
    ///   - monetary: monetary total after refunds.
    ///   - avgOrderValue: average order value (0 without orders).
    ///   - views: number of item views/clicks (possibly decayed).
    ///   - carts: number of add-to-cart events (possibly decayed).
    ///   - distinctCategories: number of distinct categories touched.
    public static func vector(recencyDays: Double, orders: Double, monetary: Double, avgOrderValue: Double,
                              views: Double, carts: Double, distinctCategories: Double) -> [Double] {
        func clean(_ v: Double) -> Double { v.isFinite && v > 0 ? v : 0 }
        let o = clean(orders)
        return [
            log1p(clean(recencyDays)),
            log1p(o),
            log1p(clean(monetary)),
            log1p(clean(avgOrderValue)),
            o / (o + clean(views) + clean(carts) + 1),
            log1p(clean(distinctCategories)),
        ]
    }

    /// Readable raw values from a feature vector (inverse of the log1p transforms), in the same
    /// order and units as `vector`'s inputs: recency days, orders, monetary, average order value,
    /// buy ratio, distinct categories.
    /// - Parameter v: a vector of `dimension` features (e.g. a de-standardised centroid).
    public static func rawValues(_ v: [Double]) -> [Double] {
        precondition(v.count == dimension)
        return [expm1(v[0]), expm1(v[1]), expm1(v[2]), expm1(v[3]), v[4], expm1(v[5])]
    }
}
