/// Helpers for the Prometheus text exposition format, version 0.0.4.
public enum PrometheusText {
    /// The `Content-Type` of a rendered registry.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// A sample value: integers without a fraction, `+Inf`, `-Inf`, `NaN`, else the shortest
    /// round-tripping decimal (`0.005`, `1.5e-07`).
    public static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return value.description
    }

    /// A label value with `\`, `"` and newline escaped.
    public static func escapeLabelValue(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x5C || $0 == 0x22 || $0 == 0x0A }) else { return value }
        var out = ""
        for ch in value.unicodeScalars {
            switch ch {
            case "\\": out.append("\\\\")
            case "\"": out.append("\\\"")
            case "\n": out.append("\\n")
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// HELP text with `\` and newline escaped.
    public static func escapeHelp(_ help: String) -> String {
        guard help.utf8.contains(where: { $0 == 0x5C || $0 == 0x0A }) else { return help }
        var out = ""
        for ch in help.unicodeScalars {
            switch ch {
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// `{a="x",b="y"}` for the pairs, or the empty string when there are none.
    public static func labelSet(_ pairs: [(name: String, value: String)]) -> String {
        if pairs.isEmpty { return "" }
        var out = "{"
        for (i, pair) in pairs.enumerated() {
            if i > 0 { out.append(",") }
            out.append(pair.name)
            out.append("=\"")
            out.append(escapeLabelValue(pair.value))
            out.append("\"")
        }
        out.append("}")
        return out
    }

    /// Whether `name` matches `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public static func isValidMetricName(_ name: String) -> Bool {
        isValid(name, allowColon: true)
    }

    /// Whether `name` matches `[a-zA-Z_][a-zA-Z0-9_]*` and does not start with the reserved `__`.
    public static func isValidLabelName(_ name: String) -> Bool {
        isValid(name, allowColon: false) && !name.hasPrefix("__")
    }

    private static func isValid(_ name: String, allowColon: Bool) -> Bool {
        guard !name.isEmpty else { return false }
        for (i, u) in name.utf8.enumerated() {
            let letter = (u >= 0x41 && u <= 0x5A) || (u >= 0x61 && u <= 0x7A) || u == 0x5F || (allowColon && u == 0x3A)
            let digit = u >= 0x30 && u <= 0x39
            if !(letter || (i > 0 && digit)) { return false }
        }
        return true
    }
}
