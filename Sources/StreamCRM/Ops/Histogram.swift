import Synchronization

/// Observations counted in fixed buckets (one label set of a histogram family).
///
/// `observe` takes an uncontended lock for a few nanoseconds so that a scrape sees
/// buckets, sum and count from the same instant. Bucket bounds are upper bounds, inclusive.
public final class Histogram: MetricSeries {
    public static let typeName = "histogram"

    private struct State {
        /// Per-bucket (not cumulative) counts; the last slot counts values above every bound.
        var counts: [Int]
        var sum: Double = 0
    }

    /// The finite upper bounds, strictly increasing.
    public let bounds: [Double]
    private let state: Mutex<State>

    init(bounds: [Double]) {
        self.bounds = bounds
        self.state = Mutex(State(counts: Array(repeating: 0, count: bounds.count + 1)))
    }

    /// Records one observation; NaN is ignored.
    public func observe(_ value: Double) {
        if value.isNaN { return }
        var index = bounds.count
        for (i, bound) in bounds.enumerated() where value <= bound {
            index = i
            break
        }
        state.withLock {
            $0.counts[index] += 1
            $0.sum += value
        }
    }

    /// Adds observations counted elsewhere (e.g. a `LatencyRecorder` owned by one thread):
    /// `counts` per bucket, not cumulative, with one more slot than `bounds` for values above every
    /// bound; `sum` their total. One lock for the whole batch.
    public func add(counts: [Int], sum: Double) {
        precondition(counts.count == bounds.count + 1, "one count per bound plus +Inf")
        state.withLock {
            for i in counts.indices { $0.counts[i] += counts[i] }
            $0.sum += sum
        }
    }

    /// Records a duration in seconds.
    public func observe(_ duration: Duration) {
        let c = duration.components
        observe(Double(c.seconds) + Double(c.attoseconds) / 1e18)
    }

    /// Times `body` with the monotonic clock and records the elapsed seconds.
    public func time<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        let start = ContinuousClock.now
        defer { observe(ContinuousClock.now - start) }
        return try body()
    }

    /// A consistent copy: cumulative counts per bound (then +Inf), the sum and the count.
    public var snapshot: (cumulative: [Int], sum: Double, count: Int) {
        let (counts, sum) = state.withLock { ($0.counts, $0.sum) }
        var running = 0
        let cumulative = counts.map { running += $0; return running }
        return (cumulative, sum, running)
    }

    public func appendSamples(name: String, labels: [(name: String, value: String)], to output: inout String) {
        let (cumulative, sum, count) = snapshot
        for (i, total) in cumulative.enumerated() {
            let le = i < bounds.count ? PrometheusText.formatValue(bounds[i]) : "+Inf"
            output.append(name + "_bucket" + PrometheusText.labelSet(labels + [("le", le)]) + " " + String(total) + "\n")
        }
        let set = PrometheusText.labelSet(labels)
        output.append(name + "_sum" + set + " " + PrometheusText.formatValue(sum) + "\n")
        output.append(name + "_count" + set + " " + String(count) + "\n")
    }
}
