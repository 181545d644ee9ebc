#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-message latency counted by the one thread that owns it, without locks or atomics, and
/// flushed into a shared `Histogram` now and then (e.g. once a second).
///
/// Cost per message: two `clock_gettime(CLOCK_MONOTONIC)` reads (vDSO, no system call) and a
/// short scan of integer bounds, which stops at the first bucket for the usual microsecond values.
public struct LatencyRecorder {
    /// Bucket bounds in seconds, for the `Histogram` it flushes into.
    public let bounds: [Double]
    private let boundsNanos: [UInt64]
    private var counts: [Int]
    private var sumNanos: UInt64 = 0
    private var pending = 0

    /// Buckets for per-event processing: 1 µs to 1 s.
    public static let processingBuckets: [Double] = [0.000_001, 0.000_002_5, 0.000_005, 0.000_01, 0.000_025, 0.000_05,
                                                     0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01,
                                                     0.025, 0.05, 0.1, 0.25, 0.5, 1]

    public init(bounds: [Double] = LatencyRecorder.processingBuckets) {
        self.bounds = bounds
        boundsNanos = bounds.map { UInt64(($0 * 1e9).rounded()) }
        counts = Array(repeating: 0, count: bounds.count + 1)
    }

    /// The monotonic clock in nanoseconds.
    @inline(__always)
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Records one duration given as start and end readings of `now()`.
    @inline(__always)
    public mutating func record(from start: UInt64, to end: UInt64) {
        let elapsed = end >= start ? end - start : 0
        var i = 0
        let n = boundsNanos.count
        while i < n && elapsed > boundsNanos[i] { i += 1 }
        counts[i] += 1
        sumNanos &+= elapsed
        pending += 1
    }

    /// Observations recorded since the last flush.
    public var pendingCount: Int { pending }

    /// Moves what was recorded into `histogram` (which must have the same bounds) and starts over.
    public mutating func flush(into histogram: Histogram) {
        guard pending > 0 else { return }
        histogram.add(counts: counts, sum: Double(sumNanos) / 1e9)
        for i in counts.indices { counts[i] = 0 }
        sumNanos = 0
        pending = 0
    }
}
