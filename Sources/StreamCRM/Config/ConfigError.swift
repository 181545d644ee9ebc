/// A configuration problem, naming the key, the value and what is allowed.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The key concerned; empty for the configuration file itself.
    public var key: String
    /// The offending value, if any.
    public var value: String?
    /// What is wrong and what would be accepted.
    public var problem: String

    public init(key: String, value: String?, problem: String) {
        self.key = key; self.value = value; self.problem = problem
    }

    public var description: String {
        if key.isEmpty { return "configuration file '\(value ?? "")': \(problem)" }
        if let value { return "configuration key '\(key)' = '\(value)': \(problem)" }
        return "configuration key '\(key)': \(problem)"
    }
}
