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
        /// Every this many updates, a split-and-merge step may run (default 100; 0 = never):
        /// see ``OnlineKMeans/splitAndMerge()``.
        public var splitMergeEvery: Int
        /// Share of the worst cluster's squared error a split is expected to remove; the step runs
        /// only when `splitGain · SSE(worst)` exceeds the cheapest merge's added error (default 0.36,
        /// the gain of splitting a Gaussian cluster in two: 1 − 2/π).
        public var splitGain: Double

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
                    splitPerturbation: Double = 0.01, splitMergeEvery: Int = 100, splitGain: Double = 0.36) {
            precondition(k >= 1 && dimension >= 1 && decay > 0 && decay <= 1)
            self.k = k; self.dimension = dimension; self.decay = decay
            self.initialBufferSize = initialBufferSize; self.seed = seed
            self.lloydIterations = lloydIterations; self.minWeightFraction = minWeightFraction
            self.splitPerturbation = splitPerturbation
            self.splitMergeEvery = splitMergeEvery; self.splitGain = splitGain
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
    /// Number of split-and-merge steps so far.
    public private(set) var splitMerges = 0
    /// Decayed per-dimension sums of squared deviations of each centroid's points (Welford).
    public private(set) var spread: [[Double]] = []
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
        for i in weights.indices {
            weights[i] *= a
            if a != 1 { for d in spread[i].indices { spread[i][d] *= a } }
        }
        let n = weights[j]
        for d in 0..<configuration.dimension {
            let old = centroids[j][d]
            centroids[j][d] = (old * n + x[d]) / (n + 1)
            spread[j][d] += (x[d] - old) * (x[d] - centroids[j][d])
        }
        weights[j] = n + 1
        reseedDeadCentroids()
        if configuration.splitMergeEvery > 0 && updates % configuration.splitMergeEvery == 0 { splitAndMerge() }
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
        spread = [[Double]](repeating: [Double](repeating: 0, count: configuration.dimension), count: k)
        for p in buffer {
            let j = OnlineKMeans.nearest(p, in: chosen)
            for d in 0..<configuration.dimension { spread[j][d] += (p[d] - chosen[j][d]) * (p[d] - chosen[j][d]) }
        }
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

    /// Online split-and-merge against the bias of time-ordered arrivals (customers arriving in
    /// time order drag all centroids toward the newest region and leave one cluster holding
    /// everything new). Let `w` be the cluster with the largest squared error `SSE_w = Σ_d spread_w,d`,
    /// and (p, q) the pair of other clusters whose merge adds the least error,
    /// `Δ = n_p·n_q/(n_p+n_q)·‖c_p − c_q‖²`. When `splitGain · SSE_w > Δ`, p and q merge into p
    /// (weighted mean; spread summed plus each part's offset to the mean) and `w` is split along
    /// its widest dimension into `w` and `q`, at `c_w ± 0.8·sd`, each with half its weight and half
    /// its spread (0.18 of it in the split dimension: half the points, 0.36 of the variance, as for a
    /// Gaussian cut at its mean). q's generation is incremented.
    public mutating func splitAndMerge() {
        let k = centroids.count
        guard isInitialized, k >= 3 else { return }
        let sse = spread.map { $0.reduce(0, +) }
        var w = 0
        for i in 1..<k where sse[i] > sse[w] { w = i }
        var best: (cost: Double, p: Int, q: Int)?
        for p in 0..<k where p != w {
            for q in (p + 1)..<k where q != w {
                let m = weights[p] + weights[q]
                guard m > 0 else { continue }
                let cost = weights[p] * weights[q] / m * OnlineKMeans.squaredDistance(centroids[p], centroids[q])
                if best == nil || cost < best!.cost { best = (cost, p, q) }
            }
        }
        guard let (cost, p, q) = best, configuration.splitGain * sse[w] > cost, weights[w] > 0 else { return }
        let dim = configuration.dimension
        let m = weights[p] + weights[q]
        let merged = (0..<dim).map { (centroids[p][$0] * weights[p] + centroids[q][$0] * weights[q]) / m }
        spread[p] = (0..<dim).map { d in
            let dp = centroids[p][d] - merged[d], dq = centroids[q][d] - merged[d]
            return spread[p][d] + spread[q][d] + weights[p] * dp * dp + weights[q] * dq * dq
        }
        centroids[p] = merged
        weights[p] = m
        var widest = 0
        for d in 1..<dim where spread[w][d] > spread[w][widest] { widest = d }
        let sd = (Swift.max(spread[w][widest], 0) / weights[w]).squareRoot()
        var right = centroids[w], left = centroids[w]
        right[widest] += 0.8 * sd
        left[widest] -= 0.8 * sd
        centroids[w] = right
        centroids[q] = left
        weights[w] /= 2
        weights[q] = weights[w]
        var half = spread[w].map { $0 / 2 }
        half[widest] = spread[w][widest] * 0.36 / 2
        spread[w] = half
        spread[q] = half
        generations[q] += 1
        splitMerges += 1
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
        spread[h] = spread[h].map { $0 / 2 }
        spread[i] = spread[h]
        generations[i] += 1
        reseeds += 1
    }
}
