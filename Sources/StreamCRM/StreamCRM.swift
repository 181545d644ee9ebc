import CRMModel
import Kafka

/// The daemon's module: codecs, pipeline, configuration, state store, metrics, HTTP and lifecycle.
public enum StreamCRMInfo {
    /// The product version.
    public static let version = "0.1.0"
}
