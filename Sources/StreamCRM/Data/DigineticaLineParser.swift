import CRMModel

/// DIGINETICA item views: `session_id;user_id;item_id;timeframe;eventdate`, one header.
struct DigineticaLineParser: DatasetLineParsing {
    private var sawContent = false

    mutating func parse(_ line: String, lineNumber: Int) -> DatasetLineResult {
        if DatasetParsing.isBlank(line) { return .skip }
        let f = line.split(separator: ";", omittingEmptySubsequences: false)
        let first = !sawContent
        sawContent = true
        if first, f.first == "session_id" { return .skip }
        guard f.count == 5 else { return .reject("expected 5 ';'-separated fields, found \(f.count)") }
        guard DatasetTime.isDigits(f[0]) else { return .reject("session_id \(DatasetParsing.quoted(f[0])) is not a decimal id") }
        guard f[1] == "NA" || DatasetTime.isDigits(f[1]) else {
            return .reject("user_id \(DatasetParsing.quoted(f[1])) is neither NA nor a decimal id")
        }
        guard DatasetTime.isDigits(f[2]) else { return .reject("item_id \(DatasetParsing.quoted(f[2])) is not a decimal id") }
        guard let offset = DatasetTime.parseDigits(f[3]) else {
            return .reject("timeframe \(DatasetParsing.quoted(f[3])) is not a non-negative integer of milliseconds")
        }
        guard let midnight = DatasetTime.midnightMillis(of: f[4], dashed: true) else {
            return .reject("eventdate \(DatasetParsing.quoted(f[4])) is not a valid YYYY-MM-DD date")
        }
        let ts = midnight.addingReportingOverflow(offset)
        guard !ts.overflow, DatasetTime.isPlausible(ts.partialValue) else {
            return .reject("eventdate + timeframe is not between 1990-01-01 and 2100-01-01")
        }
        let session = "dg-s\(f[0])"
        let user = f[1] == "NA" ? session : "dg-u\(f[1])"
        return .event(.click(ClickEvent(eventID: "dg-\(lineNumber)", type: .view, userID: user, sessionID: session,
                                        itemID: "dg-\(f[2])", ts: ts.partialValue)))
    }
}
