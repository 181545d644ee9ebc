import CRMModel
import Foundation

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
