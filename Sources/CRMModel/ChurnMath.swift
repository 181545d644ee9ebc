#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Numerical helpers for the BG/NBD family: log-gamma, log-beta, log-sum-exp and the Gauss
/// hypergeometric function 2F1 (needed only for expected purchases, not for P(alive) or risk).
public enum ChurnMath {
    /// ln Γ(x) for x > 0.
    @inlinable public static func logGamma(_ x: Double) -> Double { lgamma(x) }

    /// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).
    @inlinable public static func logBeta(_ a: Double, _ b: Double) -> Double {
        lgamma(a) + lgamma(b) - lgamma(a + b)
    }

    /// ln(e^u + e^v) without overflow; either argument may be −∞.
    @inlinable public static func logSumExp(_ u: Double, _ v: Double) -> Double {
        if u == -.infinity { return v }
        if v == -.infinity { return u }
        let m = Swift.max(u, v)
        return m + log1p(exp(-abs(u - v)))
    }

    /// The Gauss hypergeometric function 2F1(a, b; c; z) for 0 ≤ z < 1 by its power series,
    /// summed until a term is below `tolerance` relative to the sum.
    /// - Parameters:
    ///   - a, b, c: parameters; c must not be 0 or a negative integer.
    ///   - z: argument in [0, 1).
    ///   - tolerance: relative stopping tolerance (default 1e-14).
    ///   - maxTerms: cap on the number of terms (default 1_000_000); slow only as z → 1.
    public static func hypergeometric2F1(_ a: Double, _ b: Double, _ c: Double, _ z: Double,
                                         tolerance: Double = 1e-14, maxTerms: Int = 1_000_000) -> Double {
        precondition(z >= 0 && z < 1, "2F1 series needs 0 <= z < 1")
        var term = 1.0
        var sum = 1.0
        var n = 0.0
        for _ in 0..<maxTerms {
            term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
            sum += term
            n += 1
            if abs(term) <= tolerance * abs(sum) { break }
        }
        return sum
    }
}
