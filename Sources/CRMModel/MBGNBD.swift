#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Closed-form quantities of the MBG/NBD model (Batislam, Denizel & Filiztekin 2007). Time in weeks.
///
/// Like BG/NBD, but a customer may also drop out right after the *first* purchase (time 0), so
/// there are x + 1 dropout opportunities and a one-time buyer has P(alive) < 1: it falls with
/// their age T, which is what ranks one-time buyers sensibly as churners.
public enum MBGNBD {
    /// ln L(r, α, a, b | x, tx, T):
    /// L = B(a, b+x+1)/B(a,b) · Γ(r+x)α^r / (Γ(r)(α+T)^(r+x))
    ///   + B(a+1, b+x)/B(a,b) · Γ(r+x)α^r / (Γ(r)(α+tx)^(r+x))   (for every x, with tx = 0 when x = 0).
    /// Derivation: alive ⇒ survived x+1 opportunities, E[(1−p)^(x+1)] = B(a, b+x+1)/B(a,b);
    /// dead after the last purchase ⇒ E[p(1−p)^x] = B(a+1, b+x)/B(a,b).
    /// - Parameters:
    ///   - p: population parameters.
    ///   - s: the customer's summary (weeks).
    public static func logLikelihood(_ p: ChurnParameters, _ s: CustomerSummary) -> Double {
        let (r, al, a, b) = (p.r, p.alpha, p.a, p.b)
        let x = s.x
        let common = lgamma(r + x) - lgamma(r) + r * log(al) - ChurnMath.logBeta(a, b)
        let alive = ChurnMath.logBeta(a, b + x + 1) - (r + x) * log(al + s.T)
        let dead = ChurnMath.logBeta(a + 1, b + x) - (r + x) * log(al + s.tx)
        return common + ChurnMath.logSumExp(alive, dead)
    }

    /// P(alive at T | x, tx, T) = 1 / (1 + a/(b+x) · ((α+T)/(α+tx))^(r+x)); < 1 also for x = 0.
    public static func pAlive(_ p: ChurnParameters, _ s: CustomerSummary) -> Double {
        let logOdds = log(p.a) - log(p.b + s.x) + (p.r + s.x) * (log(p.alpha + s.T) - log(p.alpha + s.tx))
        return BGNBD.logistic(-logOdds)
    }

    /// E[purchases in (T, T+t] | x, tx, T] =
    /// (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x+1; a+b+x; t/(α+T+t))] · P(alive).
    /// - Parameter t: horizon in weeks (≥ 0).
    public static func expectedPurchases(_ p: ChurnParameters, _ s: CustomerSummary, horizon t: Double) -> Double {
        guard t > 0 else { return 0 }
        let (r, al, a, b, x) = (p.r, p.alpha, p.a, p.b, s.x)
        let z = t / (al + s.T + t)
        let f = ChurnMath.hypergeometric2F1(r + x, b + x + 1, a + b + x, z)
        let num = (a + b + x) / (a - 1) * (1 - exp((r + x) * log((al + s.T) / (al + s.T + t))) * f)
        return num * pAlive(p, s)
    }

    /// P(no purchase in (T, T+H] | x, tx, T) = 1 − PA + PA · ((α+T)/(α+T+H))^(r+x): the same
    /// argument as `BGNBD.probabilityNoPurchase` (dropout happens only right after purchases).
    /// - Parameter H: horizon in weeks (≥ 0).
    public static func probabilityNoPurchase(_ p: ChurnParameters, _ s: CustomerSummary, horizon H: Double) -> Double {
        BGNBD.noPurchaseRisk(pAlive: pAlive(p, s), r: p.r, alpha: p.alpha, x: s.x, T: s.T, horizon: H)
    }
}
