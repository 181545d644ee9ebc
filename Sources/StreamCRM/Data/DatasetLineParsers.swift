import CRMModel
import Foundation

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

/// Taobao UserBehavior: `user_id,item_id,category_id,behavior_type,timestamp` (seconds), no header.
struct TaobaoLineParser: DatasetLineParsing {
    mutating func parse(_ line: String, lineNumber: Int) -> DatasetLineResult {
        if DatasetParsing.isBlank(line) { return .skip }
        let f = line.split(separator: ",", omittingEmptySubsequences: false)
        guard f.count == 5 else { return .reject("expected 5 comma-separated fields, found \(f.count)") }
        for (name, value) in [("user_id", f[0]), ("item_id", f[1]), ("category_id", f[2])] where !DatasetTime.isDigits(value) {
            return .reject("\(name) \(DatasetParsing.quoted(value)) is not a decimal id")
        }
        guard let seconds = DatasetTime.parseDigits(f[4]) else {
            return .reject("timestamp \(DatasetParsing.quoted(f[4])) is not an integer of seconds")
        }
        let ts = seconds.multipliedReportingOverflow(by: 1000)
        guard !ts.overflow, DatasetTime.isPlausible(ts.partialValue) else {
            return .reject(DatasetParsing.rangeReason(field: "timestamp", value: seconds, unit: "Unix seconds"))
        }
        let eventID = "tb-\(lineNumber)", userID = "tb-\(f[0])", itemID = "tb-\(f[1])"
        let clickType: ClickType
        switch f[3] {
        case "pv": clickType = .view
        case "fav": clickType = .wishlist
        case "cart": clickType = .addToCart
        case "buy":
            return .event(.order(OrderEvent(eventID: eventID, type: .order, orderID: eventID, userID: userID,
                                            ts: ts.partialValue, items: [OrderLine(itemID: itemID, quantity: 1, price: 0)],
                                            total: 0)))
        default:
            return .reject("behavior_type \(DatasetParsing.quoted(f[3])) is not pv, fav, cart or buy")
        }
        return .event(.click(ClickEvent(eventID: eventID, type: clickType, userID: userID, itemID: itemID,
                                        category: String(f[2]), ts: ts.partialValue)))
    }
}

/// OTTO sessions, one JSON object per line. A session's events are checked one by one: a bad
/// event is refused alone (its index keeps its id unused), a bad line as a whole.
struct OttoLineParser: DatasetLineParsing {
    private struct Session: Decodable {
        let session: Int64
        let events: [Event]
    }
    private struct Event: Decodable {
        let aid: Int64
        let ts: Int64
        let type: String
    }

    private let decoder = JSONDecoder()

    mutating func parse(_ line: String, lineNumber: Int) -> DatasetLineResult {
        if DatasetParsing.isBlank(line) { return .skip }
        let session: Session
        do {
            session = try decoder.decode(Session.self, from: Data(line.utf8))
        } catch {
            return .reject("not an OTTO session object: \(Self.describe(error))")
        }
        guard session.session >= 0 else { return .reject("session \(session.session) is negative") }
        var result = DatasetLineResult()
        let userID = "otto-\(session.session)"
        for (index, event) in session.events.enumerated() {
            let eventID = "otto-\(session.session)-\(index)"
            guard event.aid >= 0 else { result.rejections.append("event \(index): aid \(event.aid) is negative"); continue }
            guard DatasetTime.isPlausible(event.ts) else {
                result.rejections.append("event \(index): " + DatasetParsing.rangeReason(field: "ts", value: event.ts, unit: "Unix milliseconds"))
                continue
            }
            let itemID = "otto-\(event.aid)"
            switch event.type {
            case "clicks", "carts":
                let type: ClickType = event.type == "clicks" ? .view : .addToCart
                result.events.append(.click(ClickEvent(eventID: eventID, type: type, userID: userID, sessionID: userID,
                                                       itemID: itemID, ts: event.ts)))
            case "orders":
                result.events.append(.order(OrderEvent(eventID: eventID, type: .order, orderID: eventID, userID: userID,
                                                       ts: event.ts, items: [OrderLine(itemID: itemID, quantity: 1, price: 0)],
                                                       total: 0)))
            default:
                result.rejections.append("event \(index): type \(DatasetParsing.quoted(Substring(event.type))) is not clicks, carts or orders")
            }
        }
        return result
    }

    private static func describe(_ error: Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "top level" : p
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            let at = path(context)
            return "missing field '\(key.stringValue)'" + (at == "top level" ? "" : " in \(at)")
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            return "wrong type at \(path(context))"
        case .dataCorrupted(let context)?:
            return context.codingPath.isEmpty ? "invalid JSON" : "bad value at \(path(context))"
        default:
            return "invalid JSON"
        }
    }
}

/// CDNOW master: `customer_id date number_of_cds dollar_value`, whitespace-separated, one header.
struct CDNOWLineParser: DatasetLineParsing {
    private var sawContent = false

    mutating func parse(_ line: String, lineNumber: Int) -> DatasetLineResult {
        if DatasetParsing.isBlank(line) { return .skip }
        let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        let first = !sawContent
        sawContent = true
        if first, f.first == "customer_id" { return .skip }
        guard f.count == 4 else { return .reject("expected 4 whitespace-separated fields, found \(f.count)") }
        guard DatasetTime.isDigits(f[0]) else { return .reject("customer_id \(DatasetParsing.quoted(f[0])) is not a decimal id") }
        guard let ts = DatasetTime.midnightMillis(of: f[1], dashed: false), DatasetTime.isPlausible(ts) else {
            return .reject("date \(DatasetParsing.quoted(f[1])) is not a valid YYYYMMDD date between 1990 and 2100")
        }
        guard let cds = DatasetTime.parseDigits(f[2]), cds <= Int64(Int32.max) else {
            return .reject("number_of_cds \(DatasetParsing.quoted(f[2])) is not a non-negative integer")
        }
        guard let dollars = DatasetParsing.parseAmount(f[3]) else {
            return .reject("dollar_value \(DatasetParsing.quoted(f[3])) is not a non-negative decimal amount")
        }
        let quantity = Int(cds)
        let unitPrice = quantity > 0 ? dollars / Double(quantity) : 0
        let eventID = "cdnow-\(lineNumber)"
        return .event(.order(OrderEvent(eventID: eventID, type: .order, orderID: eventID, userID: "cdnow-\(f[0])", ts: ts,
                                        items: [OrderLine(itemID: "cd", quantity: quantity, price: unitPrice)],
                                        total: dollars, currency: "USD")))
    }
}

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
