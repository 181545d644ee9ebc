#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Closed-form quantities of the BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your
/// Customers the Easy Way"). Time in weeks.
///
/// Generative story: while alive, a customer buys as a Poisson process with rate λ ~ Gamma(r, α);
/// right *after each repeat purchase* they drop out with probability p ~ Beta(a, b). A customer
/// who never repeat-purchased (x = 0) has had no chance to drop out, hence P(alive) = 1 for every
/// one-time buyer: the trap DESIGN.md §4 warns about (see `MBGNBD`).
public enum BGNBD {
    /// ln L(r, α, a, b | x, tx, T), FHL (2005) eq. 6, in log space:
    /// L = B(a, b+x)/B(a,b) · Γ(r+x)α^r / (Γ(r)(α+T)^(r+x))
    ///   + 1{x>0} · B(a+1, b+x−1)/B(a,b) · Γ(r+x)α^r / (Γ(r)(α+tx)^(r+x)).
    /// - Parameters:
    ///   - p: population parameters.
    ///   - s: the customer's summary (weeks).
    public static func logLikelihood(_ p: ChurnParameters, _ s: CustomerSummary) -> Double {
        let (r, al, a, b) = (p.r, p.alpha, p.a, p.b)
        let x = s.x
        let common = lgamma(r + x) - lgamma(r) + r * log(al) - ChurnMath.logBeta(a, b)
        let alive = ChurnMath.logBeta(a, b + x) - (r + x) * log(al + s.T)
        guard x > 0 else { return common + alive }
        let dead = ChurnMath.logBeta(a + 1, b + x - 1) - (r + x) * log(al + s.tx)
        return common + ChurnMath.logSumExp(alive, dead)
    }

    /// P(alive at T | x, tx, T) = 1 / (1 + 1{x>0} · a/(b+x−1) · ((α+T)/(α+tx))^(r+x)).
    /// Exactly 1 when x = 0.
    public static func pAlive(_ p: ChurnParameters, _ s: CustomerSummary) -> Double {
        guard s.x > 0 else { return 1 }
        let logOdds = log(p.a) - log(p.b + s.x - 1) + (p.r + s.x) * (log(p.alpha + s.T) - log(p.alpha + s.tx))
        return logistic(-logOdds)
    }

    /// E[purchases in (T, T+t] | x, tx, T], FHL (2005) eq. 10 (uses 2F1).
    /// - Parameter t: horizon in weeks (≥ 0).
    public static func expectedPurchases(_ p: ChurnParameters, _ s: CustomerSummary, horizon t: Double) -> Double {
        guard t > 0 else { return 0 }
        let (r, al, a, b, x) = (p.r, p.alpha, p.a, p.b, s.x)
        let z = t / (al + s.T + t)
        let f = ChurnMath.hypergeometric2F1(r + x, b + x, a + b + x - 1, z)
        let num = (a + b + x - 1) / (a - 1) * (1 - exp((r + x) * log((al + s.T) / (al + s.T + t))) * f)
        return num * pAlive(p, s)
    }

    /// P(no purchase in (T, T+H] | x, tx, T): the churn risk.
    ///
    /// Dead customers never buy; an alive customer drops out only right after a purchase, so an
    /// alive customer without purchase in H stays alive throughout and the event has probability
    /// e^{−λH}; the posterior of λ given the data and being alive is Gamma(r+x, α+T), whence
    /// risk = 1 − P(alive) + P(alive) · ((α+T)/(α+T+H))^(r+x).
    /// - Parameter H: horizon in weeks (≥ 0).
    public static func probabilityNoPurchase(_ p: ChurnParameters, _ s: CustomerSummary, horizon H: Double) -> Double {
        noPurchaseRisk(pAlive: pAlive(p, s), r: p.r, alpha: p.alpha, x: s.x, T: s.T, horizon: H)
    }

    /// 1 / (1 + e^{−u}), stable for large |u|.
    @inlinable static func logistic(_ u: Double) -> Double {
        u >= 0 ? 1 / (1 + exp(-u)) : exp(u) / (1 + exp(u))
    }

    /// Shared by BG/NBD and MBG/NBD: 1 − PA + PA · ((α+T)/(α+T+H))^(r+x).
    @inlinable static func noPurchaseRisk(pAlive pa: Double, r: Double, alpha: Double, x: Double,
                                          T: Double, horizon H: Double) -> Double {
        guard H > 0 else { return 0 }
        let silentIfAlive = exp((r + x) * (log(alpha + T) - log(alpha + T + H)))
        return (1 - pa) + pa * silentIfAlive
    }
}
