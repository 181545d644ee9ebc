import CRMModel

/// What one source line turned into: events, and reasons for whatever part was refused.
struct DatasetLineResult {
    var events: [ShopEvent] = []
    var rejections: [String] = []

    static let skip = DatasetLineResult()
    static func reject(_ reason: String) -> DatasetLineResult { DatasetLineResult(rejections: [reason]) }
    static func event(_ event: ShopEvent) -> DatasetLineResult { DatasetLineResult(events: [event]) }
}

/// Turns one line of a data set into events. Parsers are stateful only to recognise a header.
protocol DatasetLineParsing {
    mutating func parse(_ line: String, lineNumber: Int) -> DatasetLineResult
}

/// Shared helpers of the line parsers.
enum DatasetParsing {
    /// `'text'`, cut short, for reasons.
    static func quoted(_ text: Substring) -> String {
        text.count > 40 ? "'\(text.prefix(40))…'" : "'\(text)'"
    }

    /// Whether a line holds only spaces and tabs.
    static func isBlank(_ line: String) -> Bool {
        line.utf8.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
    }

    /// A money amount written as plain decimal digits with at most one `.` (no sign, exponent,
    /// NaN or infinity), or nil.
    static func parseAmount(_ text: Substring) -> Double? {
        var dots = 0, digits = 0
        for c in text.utf8 {
            if c == UInt8(ascii: ".") { dots += 1 } else if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") { digits += 1 } else { return nil }
        }
        guard dots <= 1, digits > 0, let value = Double(String(text)), value.isFinite, value >= 0 else { return nil }
        return value
    }

    static func rangeReason(field: String, value: Int64, unit: String) -> String {
        "\(field) \(value) is not \(unit) between 1990-01-01 and 2100-01-01 (truncated or corrupt value?)"
    }
}
