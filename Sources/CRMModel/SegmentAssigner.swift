/// The outcome of a hysteresis assignment.
public struct SegmentDecision: Sendable, Equatable {
    /// The segment the customer is in after the decision.
    public var segment: Int
    /// Whether it differs from the previous segment (always true when there was none).
    public var changed: Bool
    /// The nearest segment (may differ from `segment` while within the margin).
    public var nearest: Int
}

/// Segment membership with hysteresis: a customer in segment s moves to the nearest segment t
/// only if dist(x, c_s) − dist(x, c_t) > `margin` + `relativeMargin` · dist(x, c_s)
/// (Euclidean distances, in the centroids' units: standard deviations for standardised
/// features). So customers on a boundary do not flap between segments on every event.
public struct SegmentAssigner: Sendable, Codable, Equatable {
    /// Absolute margin (default 0.1 standard deviations).
    public var margin: Double
    /// Margin relative to the distance to the current centroid (default 0).
    public var relativeMargin: Double

    /// - Parameters:
    ///   - margin: absolute margin (default 0.1).
    ///   - relativeMargin: relative margin (default 0).
    public init(margin: Double = 0.1, relativeMargin: Double = 0) {
        self.margin = margin; self.relativeMargin = relativeMargin
    }

    /// Decides the customer's segment.
    /// - Parameters:
    ///   - x: the customer's (standardised) feature vector.
    ///   - current: their current segment id, nil for a new customer (or when it no longer exists).
    ///   - centroids: centroids by id (non-empty).
    public func assign(_ x: [Double], current: Int?, centroids: [[Double]]) -> SegmentDecision {
        precondition(!centroids.isEmpty, "no centroids")
        let t = OnlineKMeans.nearest(x, in: centroids)
        guard let s = current, centroids.indices.contains(s) else {
            return SegmentDecision(segment: t, changed: true, nearest: t)
        }
        if s == t { return SegmentDecision(segment: s, changed: false, nearest: t) }
        let ds = OnlineKMeans.squaredDistance(x, centroids[s]).squareRoot()
        let dt = OnlineKMeans.squaredDistance(x, centroids[t]).squareRoot()
        if ds - dt > margin + relativeMargin * ds {
            return SegmentDecision(segment: t, changed: true, nearest: t)
        }
        return SegmentDecision(segment: s, changed: false, nearest: t)
    }
}
