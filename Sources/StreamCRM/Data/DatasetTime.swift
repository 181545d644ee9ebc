import CRMModel

/// Calendar and range helpers for the converters: pure integer arithmetic on the proleptic
/// Gregorian calendar in UTC, so results never depend on the host's time zone or locale.
enum DatasetTime {
    /// Earliest accepted event time: 1990-01-01T00:00:00Z. Earlier than DESIGN.md §2's example
    /// range (2000–2100) because CDNOW is dated 1997–1998; a replay must admit that range.
    static let minMillis: EventTime = 631_152_000_000
    /// Latest accepted event time (exclusive): 2100-01-01T00:00:00Z.
    static let maxMillis: EventTime = 4_102_444_800_000

    /// Whether `ms` lies in the accepted range.
    static func isPlausible(_ ms: EventTime) -> Bool { ms >= minMillis && ms < maxMillis }

    /// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`), or nil when
    /// the month or day is out of range.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int? {
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Midnight UTC in epoch milliseconds of `YYYYMMDD` (compact) or `YYYY-MM-DD` (dashed).
    static func midnightMillis(of text: Substring, dashed: Bool) -> EventTime? {
        let chars = Array(text.utf8)
        let digitsAt: [Int]
        if dashed {
            guard chars.count == 10, chars[4] == UInt8(ascii: "-"), chars[7] == UInt8(ascii: "-") else { return nil }
            digitsAt = [0, 1, 2, 3, 5, 6, 8, 9]
        } else {
            guard chars.count == 8 else { return nil }
            digitsAt = Array(0..<8)
        }
        var digits: [Int] = []
        for i in digitsAt {
            let c = chars[i]
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            digits.append(Int(c - UInt8(ascii: "0")))
        }
        let year = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3]
        let month = digits[4] * 10 + digits[5]
        let day = digits[6] * 10 + digits[7]
        guard let days = daysFromCivil(year: year, month: month, day: day) else { return nil }
        return EventTime(days) * millisecondsPerDay
    }

    /// A non-negative decimal integer made only of ASCII digits (no sign, no spaces), or nil.
    static func parseDigits(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.utf8.count <= 18 else { return nil }
        var value: Int64 = 0
        for c in text.utf8 {
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(c - UInt8(ascii: "0"))
        }
        return value
    }

    /// Whether `text` is a non-empty run of ASCII digits (an id kept verbatim).
    static func isDigits(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
