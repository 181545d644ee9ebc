import Synchronization

/// A named metric with a fixed list of label names and one series per label-value set.
///
/// Resolve a series once with `labels(_:)` and keep the handle for the hot path; resolving
/// takes a lock and hashes the values. Families are created by `MetricsRegistry`.
public final class MetricFamily<Series: MetricSeries>: Sendable {
    /// The metric name, e.g. `streamcrm_events_in_total`.
    public let name: String
    /// The `# HELP` text.
    public let help: String
    /// The label names, in the order values are given to `labels(_:)`.
    public let labelNames: [String]
    /// Extra configuration identifying the family (histogram bounds), compared on re-registration.
    let shape: [Double]

    private let makeSeries: @Sendable () -> Series
    private let series: Mutex<[[String]: Series]>

    init(name: String, help: String, labelNames: [String], shape: [Double], makeSeries: @escaping @Sendable () -> Series) {
        self.name = name
        self.help = help
        self.labelNames = labelNames
        self.shape = shape
        self.makeSeries = makeSeries
        // An unlabeled family has exactly one series, present (at zero) from the start.
        self.series = Mutex(labelNames.isEmpty ? [[]: makeSeries()] : [:])
    }

    /// The series for these label values (one per label name, in order), created on first use.
    public func labels(_ values: String...) -> Series { labels(values) }

    /// The series for these label values (one per label name, in order), created on first use.
    public func labels(_ values: [String]) -> Series {
        precondition(values.count == labelNames.count,
                     "\(name) has labels \(labelNames), got \(values.count) values")
        return series.withLock { all in
            if let existing = all[values] { return existing }
            let created = makeSeries()
            all[values] = created
            return created
        }
    }

    /// Removes the series for these label values (e.g. a revoked partition); held handles keep working but are no longer rendered.
    public func remove(_ values: String...) {
        _ = series.withLock { $0.removeValue(forKey: values) }
    }

    /// Removes every series of a labeled family.
    public func removeAll() {
        guard !labelNames.isEmpty else { return }
        series.withLock { $0.removeAll() }
    }

    /// HELP, TYPE and the samples, series ordered by label values; nothing for a labeled family with no series.
    func render(to output: inout String) {
        let entries = series.withLock { all in all.map { ($0.key, $0.value) } }
        guard !entries.isEmpty else { return }
        output.append("# HELP \(name) \(PrometheusText.escapeHelp(help))\n")
        output.append("# TYPE \(name) \(Series.typeName)\n")
        for (values, item) in entries.sorted(by: { $0.0.lexicographicallyPrecedes($1.0) }) {
            let pairs = zip(labelNames, values).map { (name: $0, value: $1) }
            item.appendSamples(name: name, labels: pairs, to: &output)
        }
    }
}

extension MetricFamily where Series == Counter {
    /// The single series of an unlabeled counter.
    public var series: Counter { labels() }
}

extension MetricFamily where Series == Gauge {
    /// The single series of an unlabeled gauge.
    public var series: Gauge { labels() }
}

extension MetricFamily where Series == Histogram {
    /// The single series of an unlabeled histogram.
    public var series: Histogram { labels() }
}
