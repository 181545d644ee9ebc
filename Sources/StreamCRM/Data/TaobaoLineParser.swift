import CRMModel

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
