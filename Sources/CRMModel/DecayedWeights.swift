// The standard library's `rounded(_:)` and `squareRoot()` call the C math library in debug builds
// on Linux; importing the platform C module (no Foundation) makes the module link it (`-lm`).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Exponential time decay with a half-life, computed with the Swift standard library only.
///
/// Every factor is `2^(−Δt / halfLife)`. The integer number of half-lives is applied exactly (a power
/// of two only changes a binary exponent), and the fractional remainder is a fixed, short series of
/// IEEE-754 operations, so the same inputs give the same bits on every run and every platform with
/// IEEE doubles (no `exp`/`pow` from the C library, no Foundation).
public enum Decay {
    /// `ln 2` to double precision.
    static let ln2 = 0.693_147_180_559_945_309_417_232_121_458

    /// `2^(−elapsed / halfLife)`. `elapsed` may be negative (then the factor is above 1).
    /// Exact when `elapsed` is a whole multiple of `halfLife`. `halfLife` must be positive.
    public static func factor(elapsed: Int64, halfLife: Int64) -> Double {
        precondition(halfLife > 0, "halfLife must be positive")
        // Floor division: elapsed = q·h + r with 0 ≤ r < h.
        var q = elapsed / halfLife
        var r = elapsed % halfLife
        if r < 0 { q -= 1; r += halfLife }
        return pow2(integer: -q, fraction: -Double(r) / Double(halfLife))
    }

    /// `2^x` for any finite `x`, with the same splitting as ``factor(elapsed:halfLife:)``.
    public static func exp2(_ x: Double) -> Double {
        guard x.isFinite else { return x > 0 ? .infinity : 0 }
        let n = x.rounded(.down)
        if n > 2000 { return .infinity }
        if n < -2000 { return 0 }
        return pow2(integer: Int64(n), fraction: x - n)
    }

    /// `2^(integer + fraction)` with `|fraction| < 1`.
    static func pow2(integer: Int64, fraction: Double) -> Double {
        if fraction == 0 { return scaleByPowerOfTwo(1, integer) }
        // A series of positive terms rounds better than an alternating one: use 2^(f+1) · 2^(n−1).
        if fraction < 0 { return pow2(integer: integer - 1, fraction: fraction + 1) }
        // e^y with y = fraction·ln2, |y| < 0.7: the Taylor series converges to full precision in
        // well under 25 terms; a fixed term count keeps the operation sequence fixed.
        let y = fraction * ln2
        var term = 1.0
        var sum = 1.0
        for k in 1...22 {
            term *= y / Double(k)
            sum += term
        }
        return scaleByPowerOfTwo(sum, integer)
    }

    /// `x · 2^n`, exact unless the result leaves the normal range.
    static func scaleByPowerOfTwo(_ x: Double, _ n: Int64) -> Double {
        if n > 2100 { return x == 0 ? 0 : .infinity }
        if n < -2100 { return 0 }
        // Double(sign:exponent:significand:) multiplies by 2^exponent exactly.
        return Double(sign: .plus, exponent: Int(n), significand: x)
    }

    /// The value of one half-life in milliseconds for a number of days.
    public static func days(_ d: Int64) -> Int64 { d * millisecondsPerDay }
}

/// A single exponentially decayed quantity: a value known at a reference time, decayed lazily
/// when read or added to (`value · 2^(−Δt/halfLife)`).
///
/// Adding at a time earlier than the reference (an out-of-order event) decays the addition to the
/// reference time instead of moving the reference backwards, so the result does not depend on
/// arrival order beyond floating-point rounding.
public struct DecayedValue: Sendable, Equatable, Codable {
    /// The value at ``referenceTime``.
    public private(set) var value: Double
    /// The time at which ``value`` is exact.
    public private(set) var referenceTime: EventTime

    public init(value: Double = 0, at time: EventTime) {
        self.value = value
        self.referenceTime = time
    }

    /// The decayed value at `time`.
    public func value(at time: EventTime, halfLife: Int64) -> Double {
        value * Decay.factor(elapsed: time - referenceTime, halfLife: halfLife)
    }

    /// Adds `amount` at `time`, first decaying the stored value to `time` (when later).
    public mutating func add(_ amount: Double, at time: EventTime, halfLife: Int64) {
        if time >= referenceTime {
            value = value * Decay.factor(elapsed: time - referenceTime, halfLife: halfLife) + amount
            referenceTime = time
        } else {
            value += amount * Decay.factor(elapsed: referenceTime - time, halfLife: halfLife)
        }
    }
}

/// Forward decay (Cormode et al., "Forward Decay", ICDE 2009): many quantities that share one
/// half-life are stored in the units of one *landmark* time `L`, so that an addition of `w` at time
/// `t` stores `w · 2^((t − L)/h)` and the real value at time `now` is `stored · 2^(−(now − L)/h)`.
///
/// All stored values are then directly comparable (no per-entry decay to rank or evict), and
/// removing an earlier contribution is exact: subtract what was added. To keep stored values far from
/// overflow, the landmark is moved forward by a whole number of half-lives once `t − L` exceeds
/// ``rebaseAfterHalfLives`` half-lives; the owner multiplies every stored value by the returned power
/// of two, which is exact.
public struct ForwardDecay: Sendable, Equatable, Codable {
    /// Half-life in milliseconds.
    public let halfLife: Int64
    /// The landmark time of the stored units.
    public private(set) var landmark: EventTime
    /// Rebase once this many half-lives separate an event from the landmark. Default 64.
    public let rebaseAfterHalfLives: Int64

    public init(halfLife: Int64, landmark: EventTime = 0, rebaseAfterHalfLives: Int64 = 64) {
        precondition(halfLife > 0, "halfLife must be positive")
        self.halfLife = halfLife
        self.landmark = landmark
        self.rebaseAfterHalfLives = rebaseAfterHalfLives
    }

    /// The stored-unit weight of one unit added at `time`: `2^((time − L)/h)`.
    public func weight(at time: EventTime) -> Double {
        Decay.factor(elapsed: landmark - time, halfLife: halfLife)
    }

    /// Converts a stored value to its real value at `time`.
    public func realValue(_ stored: Double, at time: EventTime) -> Double {
        stored * Decay.factor(elapsed: time - landmark, halfLife: halfLife)
    }

    /// If `time` is far past the landmark, moves the landmark forward by whole half-lives and returns
    /// the exact factor (a power of two) every stored value must be multiplied by; otherwise nil.
    public mutating func rebaseIfNeeded(for time: EventTime) -> Double? {
        let ahead = time - landmark
        guard ahead >= rebaseAfterHalfLives * halfLife else { return nil }
        let n = ahead / halfLife
        landmark += n * halfLife
        return Decay.scaleByPowerOfTwo(1, -n)
    }
}
