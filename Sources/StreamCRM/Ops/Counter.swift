import Synchronization

/// A monotonically increasing integer count (one label set of a counter family).
///
/// Increments are a single relaxed atomic add; safe from any thread.
public final class Counter: MetricSeries {
    public static let typeName = "counter"
    private let count = Atomic<Int>(0)

    init() {}

    /// Adds one.
    @inline(__always)
    public func increment() { count.add(1, ordering: .relaxed) }

    /// Adds `amount`, which must not be negative.
    @inline(__always)
    public func increment(by amount: Int) {
        precondition(amount >= 0, "a counter only goes up")
        count.add(amount, ordering: .relaxed)
    }

    /// The current count.
    public var value: Int { count.load(ordering: .relaxed) }

    public func appendSamples(name: String, labels: [(name: String, value: String)], to output: inout String) {
        output.append(name + PrometheusText.labelSet(labels) + " " + String(value) + "\n")
    }
}
