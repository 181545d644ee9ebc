#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Online k-means with forgetting, for customer segments (DESIGN.md §4).
///
/// **Initialisation.** The first `initialBufferSize` points (default 10·k) are buffered; then
/// k-means++ seeding (driven by `SeededRandom(seed:)`) followed by `lloydIterations` Lloyd
/// iterations on the buffer gives the initial centroids, whose weights are their cluster sizes.
/// Initial centroids are sorted lexicographically, so ids do not depend on the seeding order.
/// During warm-up the centroids are the first (up to k) buffered points, so `assign` already
/// answers; `isInitialized` is false and `centroids.count` may be < k.
///
/// **Update** (Spark StreamingKMeans with one point per batch, m = 1): the winner j (nearest
/// centroid) moves to c' = (c·n·a + x)/(n·a + 1) and n ← n·a + 1; **every other centroid's
/// weight also decays**, n ← n·a, on every update, so a centroid that stops winning fades (the
/// per-batch discount of Spark applied per point). With a = 0.999 the memory is ≈ 1000 customers.
///
/// **Reseeding.** After each update, a centroid whose weight is below `minWeightFraction` × the
/// heaviest weight is replaced by splitting the heaviest: both get the heaviest's position ±
/// `splitPerturbation` along a seeded random unit direction, and half its weight. Ids are array
/// indices and never move; the reseeded id's `generations` entry is incremented so consumers
/// (names, caches) can notice its meaning changed.
public struct OnlineKMeans: Sendable, Codable, Equatable {
    /// Settings, all with defaults except the dimension.
    public struct Configuration: Sendable, Codable, Equatable {
        /// Number of segments (default 5).
        public var k: Int
        /// Vector length (no default).
        public var dimension: Int
        /// Per-update decay a in (0, 1] (default 0.999).
        public var decay: Double
        /// Points buffered before k-means++ (default nil = 10·k; at least k).
        public var initialBufferSize: Int?
        /// Seed of the generator used for seeding and split directions (default 0x5EED).
        public var seed: UInt64
        /// Lloyd iterations run on the buffer after k-means++ (default 10).
        public var lloydIterations: Int
        /// Relative weight below which a centroid is reseeded (default 1e-3 of the heaviest).
        public var minWeightFraction: Double
        /// Distance between the two halves of a split, each moved this far (default 0.01; in the
        /// units of the points, i.e. standard deviations for standardised features).
        public var splitPerturbation: Double

        /// - Parameters:
        ///   - k: segments (default 5).
        ///   - dimension: vector length (no default).
        ///   - decay: per-update decay (default 0.999).
        ///   - initialBufferSize: warm-up points (default nil = 10·k).
        ///   - seed: RNG seed (default 0x5EED).
        ///   - lloydIterations: Lloyd passes on the buffer (default 10).
        ///   - minWeightFraction: reseed threshold relative to the heaviest (default 1e-3).
        ///   - splitPerturbation: split offset (default 0.01).
        public init(k: Int = 5, dimension: Int, decay: Double = 0.999, initialBufferSize: Int? = nil,
                    seed: UInt64 = 0x5EED, lloydIterations: Int = 10, minWeightFraction: Double = 1e-3,
                    splitPerturbation: Double = 0.01) {
            precondition(k >= 1 && dimension >= 1 && decay > 0 && decay <= 1)
            self.k = k; self.dimension = dimension; self.decay = decay
            self.initialBufferSize = initialBufferSize; self.seed = seed
            self.lloydIterations = lloydIterations; self.minWeightFraction = minWeightFraction
            self.splitPerturbation = splitPerturbation
        }

        /// The per-update decay with the given half-life: a = 0.5^(1/halfLife).
        /// - Parameter halfLife: number of updates (customers) after which a weight halves (> 0).
        public static func decay(halfLife: Double) -> Double {
            precondition(halfLife > 0)
            return pow(0.5, 1 / halfLife)
        }

        /// The effective warm-up size: max(k, initialBufferSize ?? 10·k).
        public var bufferSize: Int { Swift.max(k, initialBufferSize ?? 10 * k) }
    }

    /// The configuration.
    public let configuration: Configuration
    /// Centroids by segment id (fewer than k during warm-up).
    public private(set) var centroids: [[Double]] = []
    /// Decayed weights by segment id.
    public private(set) var weights: [Double] = []
    /// Times each id has been reseeded.
    public private(set) var generations: [Int] = []
    /// Whether k-means++ initialisation has run.
    public private(set) var isInitialized = false
    /// Number of `update` calls so far.
    public private(set) var updates = 0
    /// Number of reseeds so far.
    public private(set) var reseeds = 0
    private var buffer: [[Double]] = []
    private var rng: SeededRandom

    /// - Parameter configuration: settings (no default).
    public init(configuration: Configuration) {
        self.configuration = configuration
        rng = SeededRandom(seed: configuration.seed)
    }

    /// Convenience initialiser with the defaults of `Configuration`.
    /// - Parameters:
    ///   - k: segments (default 5).
    ///   - dimension: vector length (no default).
    ///   - seed: RNG seed (default 0x5EED).
    public init(k: Int = 5, dimension: Int, seed: UInt64 = 0x5EED) {
        self.init(configuration: Configuration(k: k, dimension: dimension, seed: seed))
    }

    /// Squared Euclidean distance.
    @inlinable public static func squaredDistance(_ u: [Double], _ v: [Double]) -> Double {
        var s = 0.0
        for i in 0..<Swift.min(u.count, v.count) { let d = u[i] - v[i]; s += d * d }
        return s
    }

    /// Index of the nearest centroid to `x` (lowest id on ties); 0 when there is none yet.
    /// Does not learn.
    public func assign(_ x: [Double]) -> Int {
        OnlineKMeans.nearest(x, in: centroids)
    }

    static func nearest(_ x: [Double], in cs: [[Double]]) -> Int {
        var best = 0
        var bestD = Double.infinity
        for (i, c) in cs.enumerated() {
            let d = squaredDistance(x, c)
            if d < bestD { bestD = d; best = i }
        }
        return best
    }

    /// Assigns `x` and learns from it; returns the id it was assigned to (after learning, for
    /// the point that completes warm-up).
    @discardableResult
    public mutating func update(_ x: [Double]) -> Int {
        precondition(x.count == configuration.dimension, "dimension mismatch")
        updates += 1
        guard isInitialized else {
            buffer.append(x)
            if buffer.count >= configuration.bufferSize {
                initialize()
                return assign(x)
            }
            if centroids.count < configuration.k {
                centroids.append(x); weights.append(1); generations.append(0)
                return centroids.count - 1
            }
            return assign(x)
        }
        let a = configuration.decay
        let j = assign(x)
        for i in weights.indices { weights[i] *= a }
        let n = weights[j]
        for d in 0..<configuration.dimension {
            centroids[j][d] = (centroids[j][d] * n + x[d]) / (n + 1)
        }
        weights[j] = n + 1
        reseedDeadCentroids()
        return j
    }

    /// Σ over points of the squared distance to the nearest centroid.
    public func inertia(of points: [[Double]]) -> Double {
        var s = 0.0
        for p in points {
            guard !centroids.isEmpty else { break }
            s += OnlineKMeans.squaredDistance(p, centroids[assign(p)])
        }
        return s
    }

    // MARK: - Initialisation

    private mutating func initialize() {
        let k = configuration.k
        var chosen: [[Double]] = [buffer[rng.nextInt(in: 0..<buffer.count)]]
        var d2 = buffer.map { OnlineKMeans.squaredDistance($0, chosen[0]) }
        while chosen.count < k {
            let total = d2.reduce(0, +)
            var pick = 0
            if total > 0 {
                let u = rng.nextDouble() * total
                var acc = 0.0
                pick = buffer.count - 1
                for (i, w) in d2.enumerated() where w > 0 {
                    acc += w
                    if u < acc { pick = i; break }
                }
            } else {
                pick = rng.nextInt(in: 0..<buffer.count)
            }
            chosen.append(buffer[pick])
            for i in buffer.indices { d2[i] = Swift.min(d2[i], OnlineKMeans.squaredDistance(buffer[i], buffer[pick])) }
        }
        var counts = [Double](repeating: 0, count: k)
        for _ in 0..<configuration.lloydIterations {
            var sums = [[Double]](repeating: [Double](repeating: 0, count: configuration.dimension), count: k)
            counts = [Double](repeating: 0, count: k)
            for p in buffer {
                let j = OnlineKMeans.nearest(p, in: chosen)
                counts[j] += 1
                for d in 0..<configuration.dimension { sums[j][d] += p[d] }
            }
            var moved = false
            for j in 0..<k where counts[j] > 0 {
                let c = sums[j].map { $0 / counts[j] }
                if c != chosen[j] { chosen[j] = c; moved = true }
            }
            if !moved { break }
        }
        chosen.sort { $0.lexicographicallyPrecedes($1) }
        counts = [Double](repeating: 0, count: k)
        for p in buffer { counts[OnlineKMeans.nearest(p, in: chosen)] += 1 }
        centroids = chosen
        weights = counts
        generations = [Int](repeating: 0, count: k)
        isInitialized = true
        buffer = []
        reseedDeadCentroids()
    }

    // MARK: - Reseeding

    private mutating func reseedDeadCentroids() {
        guard centroids.count > 1 else { return }
        for i in centroids.indices {
            var heaviest = 0
            for h in weights.indices where weights[h] > weights[heaviest] { heaviest = h }
            guard i != heaviest, weights[i] < configuration.minWeightFraction * weights[heaviest] else { continue }
            split(heaviest, into: i)
        }
    }

    private mutating func split(_ h: Int, into i: Int) {
        let dim = configuration.dimension
        var v = (0..<dim).map { _ in rng.nextGaussian() }
        var norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm == 0 { v = [Double](repeating: 0, count: dim); v[0] = 1; norm = 1 }
        let delta = configuration.splitPerturbation / norm
        let base = centroids[h]
        centroids[h] = (0..<dim).map { base[$0] + delta * v[$0] }
        centroids[i] = (0..<dim).map { base[$0] - delta * v[$0] }
        let half = weights[h] / 2
        weights[h] = half
        weights[i] = half
        generations[i] += 1
        reseeds += 1
    }
}
