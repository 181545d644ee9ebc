#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CRMModel

/// The segment side of the evaluation: every customer's final feature vector, standardised with the
/// statistics of all of them (the features scikit-learn and River get too), fed to a fresh
/// ``OnlineKMeans`` one customer at a time in the order of their first event.
public struct SegmentEvaluation: Sendable {
    /// Customers, in feeding order.
    public var customers: [String] = []
    /// Standardised final features, in the same order.
    public var points: [[Double]] = []
    /// Σ squared distance of the points to the online centroids fed in time order.
    public var onlineInertia = 0.0
    /// The same for the centroids the engine learnt live (on its running standardisation).
    public var engineInertia = 0.0
    /// Reseeds during the feed.
    public var reseeds = 0

    /// The feature vector of a profile at `now`, as the engine computes it.
    public static func features(of p: UserProfile, at now: EventTime) -> [Double] {
        let recencyDays = Double(now - (p.lastEventAt ?? now)) / Double(millisecondsPerDay)
        return CustomerFeatures.vector(recencyDays: recencyDays, orders: Double(p.orderCount), monetary: p.monetary,
                                       avgOrderValue: p.averageOrderValue, views: Double(p.views + p.clicks),
                                       carts: Double(p.cartAdds), distinctCategories: Double(p.categorySpread))
    }

    /// Computes the comparison from the engine's final state.
    /// - Parameters:
    ///   - engine: the engine after the whole stream.
    ///   - order: customers in order of their first event.
    ///   - configuration: the online k-means settings to feed.
    public init(engine: CRMEngine, order: [String], configuration: OnlineKMeans.Configuration) {
        let now = engine.watermark.maxEventTime ?? 0
        let raw = order.compactMap { id in engine.customers[id].map { Self.features(of: $0.profile, at: now) } }
        customers = order.filter { engine.customers[$0] != nil }
        var standardizer = FeatureStandardizer(dimension: CustomerFeatures.dimension)
        for r in raw { standardizer.update(r) }
        points = raw.map { standardizer.standardize($0) }
        var kmeans = OnlineKMeans(configuration: configuration)
        for p in points { kmeans.update(p) }
        onlineInertia = kmeans.inertia(of: points)
        reseeds = kmeans.reseeds
        let live = raw.map { engine.standardizer.standardize($0) }
        engineInertia = engine.kmeans.inertia(of: live)
    }
}
