import CRMModel

/// Why an ISO-8601 timestamp was refused.
public struct ISO8601Error: Error, Sendable, Equatable {
    /// A human-readable reason, e.g. "no time-zone offset (add Z or ±hh:mm)".
    public var reason: String
}

/// ISO-8601 / RFC 3339 date-times with an explicit offset, converted to and from epoch
/// milliseconds with proleptic-Gregorian civil-from-days arithmetic (no Foundation).
///
/// Accepted form: `YYYY-MM-DDThh:mm:ss[.f{1,9}](Z|±hh:mm)`; `t` and `z` may be lower case.
/// Fractions finer than a millisecond are truncated toward the past. Refused: a missing offset
/// (local time), basic format without separators, a space instead of `T`, impossible dates
/// (Feb 30, Feb 29 in a common year), hour 24, leap second 60.
public enum ISO8601Timestamp {
    /// Days since 1970-01-01 of a proleptic-Gregorian date (`month` 1...12, `day` 1...31).
    public static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic-Gregorian date of a day count since 1970-01-01.
    public static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// True for Gregorian leap years.
    public static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// Number of days in `month` (1...12) of `year`.
    public static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Parses an ISO-8601 date-time with offset (see the type's documentation) into epoch ms.
    public static func parse(_ text: UnsafeRawBufferPointer) throws(ISO8601Error) -> EventTime {
        let n = text.count
        func digit(_ i: Int) -> Int64? {
            guard i < n else { return nil }
            let d = text[i] &- UInt8(ascii: "0")
            return d < 10 ? Int64(d) : nil
        }
        func number(_ i: Int, _ width: Int) -> Int64? {
            var v: Int64 = 0
            for k in 0..<width {
                guard let d = digit(i + k) else { return nil }
                v = v * 10 + d
            }
            return v
        }
        func byte(_ i: Int) -> UInt8 { i < n ? text[i] : 0 }

        if n > 0 && (0..<n).allSatisfy({ digit($0) != nil }) {
            throw ISO8601Error(reason: "digits in a string (epoch milliseconds must be a JSON number)")
        }
        let shape = "not an ISO-8601 date-time (expected YYYY-MM-DDThh:mm:ss with Z or ±hh:mm)"
        guard let year = number(0, 4), byte(4) == UInt8(ascii: "-"),
              let month = number(5, 2), byte(7) == UInt8(ascii: "-"),
              let day = number(8, 2)
        else { throw ISO8601Error(reason: shape) }
        if n == 10 { throw ISO8601Error(reason: "a date without a time") }
        guard byte(10) | 0x20 == UInt8(ascii: "t") else {
            throw ISO8601Error(reason: byte(10) == UInt8(ascii: " ") ? "space instead of 'T' between date and time" : shape)
        }
        guard let hour = number(11, 2), byte(13) == UInt8(ascii: ":"),
              let minute = number(14, 2), byte(16) == UInt8(ascii: ":"),
              let second = number(17, 2)
        else { throw ISO8601Error(reason: shape) }
        var i = 19
        var millis: Int64 = 0
        if byte(i) == UInt8(ascii: ".") {
            i += 1
            var fractionDigits = 0
            while let d = digit(i) {
                if fractionDigits < 3 { millis = millis * 10 + d }
                fractionDigits += 1
                i += 1
            }
            if fractionDigits == 0 || fractionDigits > 9 {
                throw ISO8601Error(reason: "fraction of a second must have 1 to 9 digits")
            }
            var scaled = fractionDigits
            while scaled < 3 { millis *= 10; scaled += 1 }
        }
        var offsetMinutes: Int64 = 0
        if i == n {
            throw ISO8601Error(reason: "no time-zone offset (add Z or ±hh:mm)")
        }
        let sign = byte(i)
        if sign | 0x20 == UInt8(ascii: "z") {
            i += 1
        } else if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            guard let oh = number(i + 1, 2), byte(i + 3) == UInt8(ascii: ":"), let om = number(i + 4, 2) else {
                throw ISO8601Error(reason: "offset must be ±hh:mm")
            }
            guard oh <= 23, om <= 59 else { throw ISO8601Error(reason: "offset out of range") }
            offsetMinutes = (oh * 60 + om) * (sign == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            throw ISO8601Error(reason: shape)
        }
        if i != n { throw ISO8601Error(reason: "unexpected characters after the offset") }
        guard month >= 1 && month <= 12 else { throw ISO8601Error(reason: "month out of range") }
        guard day >= 1 && day <= daysInMonth(year: year, month: month) else {
            throw ISO8601Error(reason: "invalid date (no day \(day) in \(year)-\(month < 10 ? "0" : "")\(month))")
        }
        guard hour <= 23 else { throw ISO8601Error(reason: "hour out of range") }
        guard minute <= 59 else { throw ISO8601Error(reason: "minute out of range") }
        guard second <= 59 else { throw ISO8601Error(reason: "second out of range (leap seconds are refused)") }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        return seconds * 1000 + millis
    }

    /// Parses a `String` (convenience for tests and tools).
    public static func parse(_ text: String) throws(ISO8601Error) -> EventTime {
        var copy = text
        let result: Result<EventTime, ISO8601Error> = copy.withUTF8 { buffer in
            do throws(ISO8601Error) {
                return .success(try parse(UnsafeRawBufferPointer(buffer)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Formats epoch ms as `YYYY-MM-DDThh:mm:ss[.mmm]Z` (milliseconds only when non-zero), for
    /// years 0...9999.
    public static func format(_ ms: EventTime) -> String {
        let days = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
        let msOfDay = ms - days * 86_400_000
        let (y, mo, d) = civilFromDays(days)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        var out = "\(pad(y, 4))-\(pad(mo, 2))-\(pad(d, 2))T\(pad(msOfDay / 3_600_000, 2)):"
        out += "\(pad(msOfDay / 60_000 % 60, 2)):\(pad(msOfDay / 1000 % 60, 2))"
        if msOfDay % 1000 != 0 { out += ".\(pad(msOfDay % 1000, 3))" }
        return out + "Z"
    }
}
