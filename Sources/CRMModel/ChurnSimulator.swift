/// Simulates customers from the BG/NBD or MBG/NBD generative process, deterministically from a
/// seed: for tests of the estimator, demos and evaluation. Time in weeks.
public struct ChurnSimulator: Sendable {
    /// The variant whose process is simulated.
    public var kind: ChurnModelKind
    /// The true population parameters (weeks).
    public var parameters: ChurnParameters

    /// - Parameters:
    ///   - kind: process variant (default `.bgnbd`).
    ///   - parameters: true parameters (no default).
    public init(kind: ChurnModelKind = .bgnbd, parameters: ChurnParameters) {
        self.kind = kind; self.parameters = parameters
    }

    /// One customer's purchase times, weeks after their first purchase (which is at 0 and not
    /// included), up to age `T`.
    /// - Parameters:
    ///   - T: observation age in weeks.
    ///   - rng: the generator (advanced).
    public func purchaseTimes(age T: Double, using rng: inout SeededRandom) -> [Double] {
        let lambda = rng.nextGamma(shape: parameters.r, rate: parameters.alpha)
        let p = rng.nextBeta(parameters.a, parameters.b)
        var times: [Double] = []
        // MBG/NBD: a dropout opportunity right after the first purchase too.
        if kind == .mbgnbd, rng.nextDouble() < p { return times }
        var t = 0.0
        while true {
            t += rng.nextExponential(rate: lambda)
            if t > T { return times }
            times.append(t)
            if rng.nextDouble() < p { return times }
        }
    }

    /// One customer's summary (x, tx, T) at age `T`.
    public func summary(age T: Double, using rng: inout SeededRandom) -> CustomerSummary {
        let times = purchaseTimes(age: T, using: &rng)
        return CustomerSummary(x: Double(times.count), tx: times.last ?? 0, T: T)
    }
}
