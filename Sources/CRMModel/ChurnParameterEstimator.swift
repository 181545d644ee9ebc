#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The result of a churn-parameter estimation.
public struct ChurnFit: Sendable, Equatable, Codable {
    /// The parameters to use: the estimate, or the prior when there were too few customers.
    public var parameters: ChurnParameters
    /// True when `parameters` is the prior (too few customers, or the fit failed).
    public var usedPrior: Bool
    /// Total weight (customers) the fit saw.
    public var customers: Double
    /// Mean log-likelihood per customer at `parameters`.
    public var meanLogLikelihood: Double
    /// Nelder–Mead iterations (0 when the prior was used).
    public var iterations: Int
    /// Whether the optimiser met its tolerance.
    public var converged: Bool
}

/// Maximum-likelihood estimation of (r, α, a, b) from weighted customer summaries.
///
/// Minimises the mean negative log-likelihood with Nelder–Mead over the logarithms of the four
/// parameters (so they stay positive), from a deterministic start; the same input always gives
/// the same estimate. Until `minCustomers` customers are available it returns the prior.
public struct ChurnParameterEstimator: Sendable {
    /// Which likelihood to maximise (default `.mbgnbd`).
    public var kind: ChurnModelKind
    /// Parameters returned while data are scarce, and the default start (default CDNOW weeks).
    public var prior: ChurnParameters
    /// Minimum total weight before fitting (default 500).
    public var minCustomers: Double
    /// The optimiser (default `NelderMead()`: 2000 iterations, tolerance 1e-10, step 0.25).
    public var optimizer: NelderMead
    /// Bounds on each log-parameter, to keep the search away from degenerate corners
    /// (default −10...10, i.e. parameters in [4.5e-5, 22026]).
    public var logBounds: ClosedRange<Double>

    /// - Parameters:
    ///   - kind: likelihood variant (default `.mbgnbd`).
    ///   - prior: fallback parameters (default `ChurnParameters.cdnowWeeks`).
    ///   - minCustomers: minimum customers to fit (default 500).
    ///   - optimizer: Nelder–Mead settings (default `NelderMead()`).
    ///   - logBounds: bounds on log-parameters (default −10...10).
    public init(kind: ChurnModelKind = .mbgnbd, prior: ChurnParameters = .cdnowWeeks,
                minCustomers: Double = 500, optimizer: NelderMead = NelderMead(),
                logBounds: ClosedRange<Double> = -10...10) {
        self.kind = kind; self.prior = prior; self.minCustomers = minCustomers
        self.optimizer = optimizer; self.logBounds = logBounds
    }

    /// Total log-likelihood Σ wᵢ · ln Lᵢ of weighted summaries.
    /// - Parameters:
    ///   - parameters: the parameters (weeks).
    ///   - data: weighted summaries (weeks).
    public func logLikelihood(_ parameters: ChurnParameters, _ data: [WeightedCustomerSummary]) -> Double {
        var sum = 0.0
        for d in data { sum += d.weight * ChurnModel.logLikelihood(kind, parameters, d.summary) }
        return sum
    }

    /// Fits the parameters.
    /// - Parameters:
    ///   - data: weighted summaries in weeks (e.g. `ChurnSummaryBuckets.summaries(at:)`).
    ///   - start: starting point (default: the prior; pass the previous estimate to warm-start).
    public func fit(_ data: [WeightedCustomerSummary], start: ChurnParameters? = nil) -> ChurnFit {
        let total = data.reduce(0) { $0 + $1.weight }
        func fallback() -> ChurnFit {
            let ll = total > 0 ? logLikelihood(prior, data) / total : 0
            return ChurnFit(parameters: prior, usedPrior: true, customers: total, meanLogLikelihood: ll,
                            iterations: 0, converged: false)
        }
        guard total >= minCustomers, total > 0 else { return fallback() }
        let s0 = (start?.isValid == true ? start! : prior)
        let bounds = logBounds
        func params(_ v: [Double]) -> ChurnParameters {
            ChurnParameters(r: exp(v[0]), alpha: exp(v[1]), a: exp(v[2]), b: exp(v[3]))
        }
        let objective: ([Double]) -> Double = { v in
            for c in v where !bounds.contains(c) { return .infinity }
            return -self.logLikelihood(params(v), data) / total
        }
        let result = optimizer.minimize(start: [log(s0.r), log(s0.alpha), log(s0.a), log(s0.b)], objective)
        let p = params(result.point)
        guard p.isValid, result.value.isFinite else { return fallback() }
        return ChurnFit(parameters: p, usedPrior: false, customers: total, meanLogLikelihood: -result.value,
                        iterations: result.iterations, converged: result.converged)
    }
}
