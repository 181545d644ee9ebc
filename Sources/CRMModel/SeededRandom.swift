#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small deterministic pseudo-random number generator: SplitMix64 seeding a xoshiro256**
/// state. The same seed always yields the same sequence on every platform, so model
/// initialisation (k-means++, reseeding perturbations) and simulations are reproducible.
///
/// It conforms to `RandomNumberGenerator`, so it can drive `Array.shuffled(using:)` and friends,
/// but the model code only uses the explicit methods below, whose output is fully specified here.
public struct SeededRandom: RandomNumberGenerator, Sendable, Codable, Equatable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Creates a generator.
    /// - Parameter seed: any 64-bit value (no default); expanded to the 256-bit state with SplitMix64.
    public init(seed: UInt64) {
        var sm = seed
        func splitMix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(&sm); s1 = splitMix(&sm); s2 = splitMix(&sm); s3 = splitMix(&sm)
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }

    /// The next 64 raw bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = SeededRandom.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = SeededRandom.rotl(s3, 45)
        return result
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform double in (0, 1): never exactly 0, safe to take the logarithm of.
    public mutating func nextOpenDouble() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1.0p-53
    }

    /// A uniform integer in `range` (unbiased, by rejection).
    /// - Parameter range: a non-empty half-open range.
    public mutating func nextInt(in range: Range<Int>) -> Int {
        precondition(!range.isEmpty, "empty range")
        let span = UInt64(range.upperBound - range.lowerBound)
        // Rejection sampling on the top of the 64-bit range keeps it unbiased.
        let limit = UInt64.max - (UInt64.max % span)
        var v = next()
        while v >= limit { v = next() }
        return range.lowerBound + Int(v % span)
    }

    /// A standard normal variate (Box–Muller, one of the pair; deterministic).
    public mutating func nextGaussian() -> Double {
        let u1 = nextOpenDouble()
        let u2 = nextDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// An exponential variate with the given rate.
    /// - Parameter rate: events per unit time, > 0.
    public mutating func nextExponential(rate: Double) -> Double {
        -log(nextOpenDouble()) / rate
    }

    /// A Gamma(shape, rate) variate (Marsaglia–Tsang; shape < 1 by the U^(1/shape) boost).
    /// - Parameters:
    ///   - shape: > 0.
    ///   - rate: > 0 (the mean is shape / rate).
    public mutating func nextGamma(shape: Double, rate: Double) -> Double {
        precondition(shape > 0 && rate > 0)
        if shape < 1 {
            let g = nextGamma(shape: shape + 1, rate: 1)
            return g * pow(nextOpenDouble(), 1 / shape) / rate
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = nextGaussian()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = nextOpenDouble()
            if u < 1 - 0.0331 * x * x * x * x { return d * v / rate }
            if log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v / rate }
        }
    }

    /// A Beta(a, b) variate, as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
    /// - Parameters:
    ///   - a: > 0.
    ///   - b: > 0.
    public mutating func nextBeta(_ a: Double, _ b: Double) -> Double {
        let x = nextGamma(shape: a, rate: 1)
        let y = nextGamma(shape: b, rate: 1)
        return x / (x + y)
    }
}
