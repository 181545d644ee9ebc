/// Online per-feature mean and variance (Welford's algorithm, optionally exponentially decayed)
/// and standardisation z = (x − mean) / sd.
///
/// With `decay` d < 1, each update first multiplies the accumulated weight by d, so the
/// statistics follow a drifting population (effective memory ≈ 1 / (1 − d) updates):
/// W ← d·W + 1; mean ← mean + (x − mean)/W; S ← d·S + (x − mean_old)(x − mean_new); var = S/W.
/// With d = 1 this is exactly Welford's population variance.
public struct FeatureStandardizer: Sendable, Codable, Equatable {
    /// Vector length.
    public let dimension: Int
    /// Per-update decay in (0, 1] (default 1: no decay).
    public let decay: Double
    /// Standard deviations below this are treated as 1 (default 1e-9), so a constant feature
    /// standardises to 0 rather than exploding.
    public let minStandardDeviation: Double
    /// Accumulated (decayed) weight.
    public private(set) var weight: Double = 0
    /// Running means.
    public private(set) var mean: [Double]
    private var m2: [Double]

    /// - Parameters:
    ///   - dimension: vector length (no default).
    ///   - decay: per-update decay in (0, 1] (default 1).
    ///   - minStandardDeviation: floor below which sd is taken as 1 (default 1e-9).
    public init(dimension: Int, decay: Double = 1, minStandardDeviation: Double = 1e-9) {
        precondition(dimension > 0 && decay > 0 && decay <= 1)
        self.dimension = dimension; self.decay = decay; self.minStandardDeviation = minStandardDeviation
        mean = [Double](repeating: 0, count: dimension)
        m2 = [Double](repeating: 0, count: dimension)
    }

    /// Adds one observation.
    public mutating func update(_ x: [Double]) {
        precondition(x.count == dimension)
        weight = decay * weight + 1
        for i in 0..<dimension {
            let old = mean[i]
            mean[i] = old + (x[i] - old) / weight
            m2[i] = decay * m2[i] + (x[i] - old) * (x[i] - mean[i])
        }
    }

    /// Population variances (0 before any observation).
    public var variance: [Double] {
        weight > 0 ? m2.map { Swift.max(0, $0 / weight) } : [Double](repeating: 0, count: dimension)
    }

    /// Standard deviations used for scaling (floored: see `minStandardDeviation`).
    public var scale: [Double] {
        variance.map { v in let s = v.squareRoot(); return s < minStandardDeviation ? 1 : s }
    }

    /// z = (x − mean) / scale.
    public func standardize(_ x: [Double]) -> [Double] {
        precondition(x.count == dimension)
        let s = scale
        return (0..<dimension).map { (x[$0] - mean[$0]) / s[$0] }
    }

    /// x = z · scale + mean (to read centroids in raw feature space).
    public func destandardize(_ z: [Double]) -> [Double] {
        precondition(z.count == dimension)
        let s = scale
        return (0..<dimension).map { z[$0] * s[$0] + mean[$0] }
    }
}
