import Foundation

/// A small seeded pseudo-random generator (SplitMix64, Steele, Lea & Flood 2014) with the
/// distributions the demo traffic generator needs. Pure and value-typed: the same seed gives
/// the same sequence on every run. (Only the integer core is bit-exact across platforms; the
/// continuous distributions go through the C library's `log`, `sqrt` and `cos`.)
///
/// Deliberately not a `RandomNumberGenerator`: the standard library's `random(in:using:)`
/// algorithms may change between toolchains, which would break reproducible demo data.
public struct DemoRandom: Sendable, Equatable {
    /// The generator's whole state.
    public private(set) var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) { state = seed }

    /// An independent generator for sub-stream `stream` of `seed` (e.g. one per customer), so
    /// adding a customer does not shift every other customer's random numbers.
    public static func derive(seed: UInt64, stream: UInt64) -> DemoRandom {
        var mixer = DemoRandom(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        _ = mixer.next()
        return DemoRandom(seed: mixer.next() ^ stream)
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in `0..<bound` (bound > 0), without modulo bias.
    public mutating func int(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let n = UInt64(bound)
        let threshold = (0 &- n) % n
        while true {
            let x = next()
            let (high, low) = x.multipliedFullWidth(by: n)
            if low >= threshold { return Int(high) }
        }
    }

    /// Uniform in `range`.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + int(below: range.upperBound - range.lowerBound + 1)
    }

    /// Uniform in `[low, high)`.
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * unit()
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Exponentially distributed with the given mean.
    public mutating func exponential(mean: Double) -> Double {
        -mean * log(1 - unit())
    }

    /// Standard normal (Box–Muller; one draw per call, nothing cached).
    public mutating func normal() -> Double {
        let u1 = 1 - unit(), u2 = unit()
        return sqrt(-2 * log(u1)) * cos(2 * Double.pi * u2)
    }

    /// Gamma(shape, 1) (Marsaglia & Tsang), for Dirichlet weights.
    public mutating func gamma(shape: Double) -> Double {
        if shape < 1 { return gamma(shape: shape + 1) * pow(max(unit(), .leastNonzeroMagnitude), 1 / shape) }
        let d = shape - 1.0 / 3.0, c = 1 / sqrt(9 * d)
        while true {
            var x: Double, v: Double
            repeat { x = normal(); v = 1 + c * x } while v <= 0
            v = v * v * v
            let u = unit()
            if u < 1 - 0.0331 * x * x * x * x || log(max(u, .leastNonzeroMagnitude)) < 0.5 * x * x + d * (1 - v + log(v)) {
                return d * v
            }
        }
    }

    /// Dirichlet weights with all concentrations equal to `alpha`, summing to 1.
    public mutating func dirichlet(count: Int, alpha: Double) -> [Double] {
        let draws = (0..<count).map { _ in gamma(shape: alpha) }
        let sum = draws.reduce(0, +)
        return sum > 0 ? draws.map { $0 / sum } : Array(repeating: 1 / Double(count), count: count)
    }

    /// An index drawn with probability proportional to the increments of `cumulative`
    /// (a non-empty, non-decreasing running sum of weights with a positive last element).
    public mutating func index(cumulative: [Double]) -> Int {
        let target = unit() * cumulative[cumulative.count - 1]
        var low = 0, high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > target { high = mid } else { low = mid + 1 }
        }
        return low
    }

    /// The elements of `values` in a uniformly random order (Fisher–Yates).
    public mutating func shuffled<T>(_ values: [T]) -> [T] {
        var out = values
        if out.count < 2 { return out }
        for i in stride(from: out.count - 1, to: 0, by: -1) { out.swapAt(i, int(below: i + 1)) }
        return out
    }
}
