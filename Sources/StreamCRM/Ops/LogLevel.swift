/// Severity of a log record, ordered from least to most severe.
///
/// The raw value orders the levels; `name` is the text written in the `level=` field
/// and accepted by `init?(name:)` (configuration and SIGHUP reload use it).
public enum LogLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case debug = 0
    case info = 1
    case warn = 2
    case error = 3

    /// The level's name as written in a record: `debug`, `info`, `warn` or `error`.
    public var name: String {
        switch self {
        case .debug: return "debug"
        case .info: return "info"
        case .warn: return "warn"
        case .error: return "error"
        }
    }

    /// Parses a level name, case-insensitively; `warning` is accepted for `warn`.
    public init?(name: String) {
        switch name.lowercased() {
        case "debug": self = .debug
        case "info": self = .info
        case "warn", "warning": self = .warn
        case "error": self = .error
        default: return nil
        }
    }

    public var description: String { name }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}
