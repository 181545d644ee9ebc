import Synchronization

/// The set of metrics a process exposes, rendered in the Prometheus text format 0.0.4.
///
/// Register families at start-up, resolve per-label-set handles once, update them from any
/// thread. `render()` lists families by name and series by label values, so equal states
/// give equal text. Registering a name again with the same type, labels and buckets returns
/// the existing family; a conflicting registration or an invalid name is a programming error
/// and stops the process.
public final class MetricsRegistry: Sendable {
    /// Latency buckets in seconds, from 100 µs to 10 s.
    public static let defaultLatencyBuckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                         0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private let families = Mutex<[String: any RenderableFamily]>([:])

    /// Creates an empty registry.
    public init() {}

    /// Registers (or finds) a counter family. Name counters with a `_total` suffix.
    public func counter(_ name: String, help: String, labels: [String] = []) -> MetricFamily<Counter> {
        register(name: name, help: help, labels: labels, shape: []) { Counter() }
    }

    /// Registers (or finds) a gauge family.
    public func gauge(_ name: String, help: String, labels: [String] = []) -> MetricFamily<Gauge> {
        register(name: name, help: help, labels: labels, shape: []) { Gauge() }
    }

    /// Registers (or finds) a histogram family with fixed, strictly increasing, finite bucket bounds.
    public func histogram(_ name: String, help: String, labels: [String] = [],
                          buckets: [Double] = MetricsRegistry.defaultLatencyBuckets) -> MetricFamily<Histogram> {
        precondition(!buckets.isEmpty && buckets.allSatisfy(\.isFinite)
                     && zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 },
                     "\(name): buckets must be finite and strictly increasing")
        precondition(!labels.contains("le"), "\(name): `le` is reserved for histogram buckets")
        return register(name: name, help: help, labels: labels, shape: buckets) { Histogram(bounds: buckets) }
    }

    /// The whole registry in the text exposition format (`PrometheusText.contentType`).
    public func render() -> String {
        let ordered = families.withLock { all in all.sorted { $0.key < $1.key }.map(\.value) }
        var output = ""
        for family in ordered { family.render(to: &output) }
        return output
    }

    private func register<S: MetricSeries>(name: String, help: String, labels: [String], shape: [Double],
                                           make: @escaping @Sendable () -> S) -> MetricFamily<S> {
        precondition(PrometheusText.isValidMetricName(name), "invalid metric name \(name)")
        for label in labels {
            precondition(PrometheusText.isValidLabelName(label), "\(name): invalid label name \(label)")
        }
        precondition(Set(labels).count == labels.count, "\(name): duplicate label names")
        return families.withLock { all in
            if let existing = all[name] {
                guard let family = existing as? MetricFamily<S>,
                      family.labelNames == labels, family.shape == shape else {
                    preconditionFailure("metric \(name) registered twice with different type, labels or buckets")
                }
                return family
            }
            let family = MetricFamily(name: name, help: help, labelNames: labels, shape: shape, makeSeries: make)
            all[name] = family
            return family
        }
    }
}

/// Type-erased rendering of a family, for the registry's list.
protocol RenderableFamily: Sendable {
    func render(to output: inout String)
}

extension MetricFamily: RenderableFamily {}
