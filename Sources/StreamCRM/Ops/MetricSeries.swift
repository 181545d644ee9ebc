/// One time series of a metric family: the value(s) behind one label set.
///
/// Implemented by `Counter`, `Gauge` and `Histogram`; a handle is resolved once per label set
/// through `MetricFamily.labels(_:)` and then updated without any string work.
public protocol MetricSeries: AnyObject, Sendable {
    /// The family's `# TYPE` word: `counter`, `gauge` or `histogram`.
    static var typeName: String { get }
    /// Appends this series' sample lines for metric `name` with the given labels.
    func appendSamples(name: String, labels: [(name: String, value: String)], to output: inout String)
}
