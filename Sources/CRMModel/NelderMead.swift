/// A deterministic Nelder–Mead simplex minimiser (standard coefficients: reflection 1,
/// expansion 2, contraction ½, shrink ½). Used for maximum-likelihood fits on log-parameters.
public struct NelderMead: Sendable {
    /// Maximum number of iterations (default 2000).
    public var maxIterations: Int
    /// Stop when the spread of function values over the simplex falls below this (default 1e-10).
    public var tolerance: Double
    /// Initial simplex step added to each coordinate of the start (default 0.25).
    public var initialStep: Double

    /// - Parameters:
    ///   - maxIterations: iteration cap (default 2000).
    ///   - tolerance: absolute tolerance on the simplex's function-value spread (default 1e-10).
    ///   - initialStep: offset of the initial simplex vertices (default 0.25).
    public init(maxIterations: Int = 2000, tolerance: Double = 1e-10, initialStep: Double = 0.25) {
        self.maxIterations = maxIterations; self.tolerance = tolerance; self.initialStep = initialStep
    }

    /// The outcome of a minimisation.
    public struct Result: Sendable, Equatable {
        /// The best point found.
        public var point: [Double]
        /// f at `point`.
        public var value: Double
        /// Iterations performed.
        public var iterations: Int
        /// Whether the tolerance was met before the cap.
        public var converged: Bool
    }

    /// Minimises `f` starting from `start`. Non-finite values of f are treated as +∞.
    /// - Parameters:
    ///   - start: initial point (no default).
    ///   - f: the objective.
    public func minimize(start: [Double], _ f: ([Double]) -> Double) -> Result {
        let n = start.count
        func eval(_ p: [Double]) -> Double { let v = f(p); return v.isFinite ? v : .infinity }
        var simplex: [[Double]] = [start]
        for i in 0..<n {
            var p = start
            p[i] += initialStep
            simplex.append(p)
        }
        var values = simplex.map(eval)
        var iterations = 0
        var converged = false
        while iterations < maxIterations {
            // Order vertices by value (stable on index for determinism).
            let order = (0...n).sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
            simplex = order.map { simplex[$0] }
            values = order.map { values[$0] }
            if values[n] - values[0] <= tolerance, values[0].isFinite {
                converged = true
                break
            }
            iterations += 1
            var centroid = [Double](repeating: 0, count: n)
            for v in simplex[0..<n] { for j in 0..<n { centroid[j] += v[j] / Double(n) } }
            func along(_ t: Double) -> [Double] {
                (0..<n).map { centroid[$0] + t * (simplex[n][$0] - centroid[$0]) }
            }
            let reflected = along(-1)
            let fr = eval(reflected)
            if fr < values[0] {
                let expanded = along(-2)
                let fe = eval(expanded)
                if fe < fr { simplex[n] = expanded; values[n] = fe } else { simplex[n] = reflected; values[n] = fr }
            } else if fr < values[n - 1] {
                simplex[n] = reflected; values[n] = fr
            } else {
                let outside = fr < values[n]
                let contracted = along(outside ? -0.5 : 0.5)
                let fc = eval(contracted)
                if fc < (outside ? fr : values[n]) {
                    simplex[n] = contracted; values[n] = fc
                } else {
                    for i in 1...n {
                        simplex[i] = (0..<n).map { simplex[0][$0] + 0.5 * (simplex[i][$0] - simplex[0][$0]) }
                        values[i] = eval(simplex[i])
                    }
                }
            }
        }
        var best = 0
        for i in 1...n where values[i] < values[best] { best = i }
        return Result(point: simplex[best], value: values[best], iterations: iterations, converged: converged)
    }
}
