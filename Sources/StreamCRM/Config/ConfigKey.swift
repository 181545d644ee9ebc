/// The type of a configuration value, with what it allows.
public enum ConfigValueKind: Sendable {
    case int(ClosedRange<Int64>)
    case double(ClosedRange<Double>)
    case bool
    case string(allowEmpty: Bool)
    case choice([String])

    /// Checks `value`; returns a description of what is allowed when it does not fit.
    func validate(_ value: String) -> String? {
        switch self {
        case .int(let range):
            guard let v = Int64(value), range.contains(v) else {
                return "expected an integer in \(range.lowerBound)...\(range.upperBound)"
            }
        case .double(let range):
            guard let v = Double(value), v.isFinite, range.contains(v) else {
                return "expected a number in \(range.lowerBound)...\(range.upperBound)"
            }
        case .bool:
            guard value == "true" || value == "false" else { return "expected true or false" }
        case .string(let allowEmpty):
            if !allowEmpty && value.isEmpty { return "expected a non-empty string" }
        case .choice(let options):
            guard options.contains(value) else { return "expected one of \(options.joined(separator: ", "))" }
        }
        return nil
    }
}

/// One documented configuration key.
public struct ConfigKey: Sendable {
    /// The key as written in the properties file.
    public var name: String
    /// The default value, as text (empty = unset).
    public var defaultValue: String
    /// What the key does, for the example file and README.
    public var doc: String
    /// Its type.
    public var kind: ConfigValueKind
    /// Whether SIGHUP can change it without a restart.
    public var reloadable: Bool

    public init(_ name: String, _ defaultValue: String, _ kind: ConfigValueKind, reloadable: Bool = false,
                _ doc: String) {
        self.name = name; self.defaultValue = defaultValue; self.kind = kind; self.doc = doc
        self.reloadable = reloadable
    }

    /// The environment variable that overrides this key: `STREAMCRM_` + the key upper-cased with
    /// `.` and `-` as `_` (e.g. `state.dir` → `STREAMCRM_STATE_DIR`).
    public var environmentName: String {
        "STREAMCRM_" + String(name.uppercased().map { $0 == "." || $0 == "-" ? "_" : $0 })
    }
}
