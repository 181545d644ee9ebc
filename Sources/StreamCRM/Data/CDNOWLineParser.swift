import CRMModel

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
