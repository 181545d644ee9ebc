import Synchronization

/// A value that goes up and down (one label set of a gauge family).
///
/// Stored as the bit pattern of a `Double` in an atomic word: `set` is one store,
/// `increment(by:)` a compare-and-exchange loop. Safe from any thread.
public final class Gauge: MetricSeries {
    public static let typeName = "gauge"
    private let bits = Atomic<UInt64>(0.0.bitPattern)

    init() {}

    /// Replaces the value.
    @inline(__always)
    public func set(_ value: Double) { bits.store(value.bitPattern, ordering: .relaxed) }

    /// Replaces the value with an integer.
    @inline(__always)
    public func set(_ value: Int) { set(Double(value)) }

    /// Adds `amount` (negative to subtract).
    public func increment(by amount: Double = 1) {
        var current = bits.load(ordering: .relaxed)
        while true {
            let next = (Double(bitPattern: current) + amount).bitPattern
            let (exchanged, original) = bits.compareExchange(expected: current, desired: next, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// Subtracts `amount`.
    public func decrement(by amount: Double = 1) { increment(by: -amount) }

    /// The current value.
    public var value: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }

    public func appendSamples(name: String, labels: [(name: String, value: String)], to output: inout String) {
        output.append(name + PrometheusText.labelSet(labels) + " " + PrometheusText.formatValue(value) + "\n")
    }
}
