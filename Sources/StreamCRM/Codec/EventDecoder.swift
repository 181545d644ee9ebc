import CRMModel

/// Decodes one input message body (one JSON object, UTF-8) into a `ShopEvent`, by the schema of
/// the topic kind it came from (DESIGN.md §2), refusing anything that is not strict JSON or does
/// not fit the schema with an `EventDecodeError` naming the field.
///
/// Rules, in short:
/// - Strict RFC 8259 (see `JSONScanner`); duplicated member names refused at the top level and
///   inside `items` lines; nesting limited to `maxDepth` (default 32) containers.
/// - Unknown members are ignored whatever their type. An optional member given as `null` counts as
///   absent; a required one given as `null` is a type error.
/// - `ts`: a JSON number that is exactly an integer of epoch ms (exponent forms such as
///   `1.7647552001e12` are fine) in [1990-01-01, 2100-01-01), or an ISO-8601 string with `Z` or
///   `±hh:mm` (`ISO8601Timestamp`). Seconds, microseconds or nanoseconds instead of ms, negative
///   values, digits inside a string and local times are refused.
/// - Ids (`*_id`) must be non-empty strings; prices and totals finite and not negative;
///   quantities whole numbers in 1...`maxQuantity`.
/// - Clickstream `query` is kept only for `search`; `items` is required and non-empty for
///   `order`, optional for `cancel`/`refund`.
public struct EventDecoder: Sendable {
    /// Earliest accepted event time: 1990-01-01T00:00:00Z (old enough for the CDNOW data set of 1997).
    public static let minTimestamp: EventTime = 631_152_000_000
    /// First refused event time: 2100-01-01T00:00:00Z.
    public static let maxTimestamp: EventTime = 4_102_444_800_000
    /// Largest accepted quantity on an order line.
    public static let maxQuantity = 1_000_000
    /// Longest id (user, item, order, event, session), in UTF-8 bytes.
    public static let maxIDBytes = 512
    /// Largest accepted price, total or line value (price × quantity): 10^12. Beyond it a sum of a
    /// few could overflow to infinity and poison the customer's monetary value.
    public static let maxMoney = 1e12

    /// Maximum number of containers open at once (the top-level object counts as 1).
    public var maxDepth: Int

    /// Creates a decoder.
    public init(maxDepth: Int = JSONScanner.defaultMaxDepth) {
        self.maxDepth = maxDepth
    }

    /// Decodes a message from a topic of `kind`.
    public func decode(_ body: UnsafeRawBufferPointer, from kind: InputTopicKind) throws(EventDecodeError) -> ShopEvent {
        let reader = try MessageReader(body, maxDepth: maxDepth)
        switch kind {
        case .clickstream: return .click(try reader.click())
        case .orders: return .order(try reader.order())
        case .catalog: return .catalog(try reader.catalog())
        case .control: return try reader.control()
        }
    }

    /// Decodes a message from a topic of `kind`.
    public func decode(_ body: [UInt8], from kind: InputTopicKind) throws(EventDecodeError) -> ShopEvent {
        let result: Result<ShopEvent, EventDecodeError> = body.withUnsafeBytes { buffer in
            do throws(EventDecodeError) { return .success(try decode(buffer, from: kind)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Decodes one line of a replay file, inferring the kind from `type`: a clickstream type gives
    /// a click, `order`/`cancel`/`refund` an order, `forget_user` a control message; no `type` but
    /// an `item_id` gives a catalog record.
    public func decodeLine(_ line: UnsafeRawBufferPointer) throws(EventDecodeError) -> ShopEvent {
        let reader = try MessageReader(line, maxDepth: maxDepth)
        switch try reader.inferredKind() {
        case .clickstream: return .click(try reader.click())
        case .orders: return .order(try reader.order())
        case .catalog: return .catalog(try reader.catalog())
        case .control: return try reader.control()
        }
    }

    /// Decodes one line of a replay file (see `decodeLine(_:)` above).
    public func decodeLine(_ line: [UInt8]) throws(EventDecodeError) -> ShopEvent {
        let result: Result<ShopEvent, EventDecodeError> = line.withUnsafeBytes { buffer in
            do throws(EventDecodeError) { return .success(try decodeLine(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Decodes one line of a replay file (see `decodeLine(_:)` above).
    public func decodeLine(_ line: String) throws(EventDecodeError) -> ShopEvent {
        try decodeLine(Array(line.utf8))
    }

    /// The reason for an epoch-ms integer outside the accepted range, naming the likely unit
    /// mistake; nil when `value` is in range.
    public static func timestampProblem(_ value: Double) -> String? {
        let lo = Double(minTimestamp)
        let hi = Double(maxTimestamp)
        if value < 0 { return "negative timestamp" }
        if value >= lo && value < hi { return nil }
        if value >= lo / 1000 && value < hi / 1000 { return "seconds mistaken for milliseconds" }
        if value >= lo * 1000 && value < hi * 1000 { return "microseconds mistaken for milliseconds" }
        if value >= lo * 1_000_000 && value < hi * 1_000_000 { return "nanoseconds mistaken for milliseconds" }
        return "out of range (must be epoch milliseconds in years 1990 to 2099)"
    }
}

/// The second phase of decoding: a validated message with the positions of its known members,
/// read by one schema.
private struct MessageReader {
    typealias Name = EventFields.Name
    let body: UnsafeRawBufferPointer
    let maxDepth: Int
    let s: JSONScanner
    let f: EventFields

    init(_ body: UnsafeRawBufferPointer, maxDepth: Int) throws(EventDecodeError) {
        self.body = body
        self.maxDepth = maxDepth
        var scanner = JSONScanner(body, maxDepth: maxDepth)
        var fields = EventFields()
        do throws(JSONSyntaxError) { try scanner.beginObject() } catch { throw EventDecodeError(error) }
        try fields.collect(&scanner)
        do throws(JSONSyntaxError) { try scanner.finish() } catch { throw EventDecodeError(error) }
        s = scanner
        f = fields
    }

    // MARK: Field readers

    /// Runs a scanner step, turning a syntax error into a decode error.
    @inline(__always)
    private func syntax<T>(_ step: () throws(JSONSyntaxError) -> T) throws(EventDecodeError) -> T {
        do throws(JSONSyntaxError) { return try step() } catch { throw EventDecodeError(error) }
    }

    private func typeError(_ field: String, _ expected: String, _ got: JSONToken) -> EventDecodeError {
        EventDecodeError(field: field, reason: "must be \(expected), got \(got.kind.articleName)")
    }

    /// The member's token when present and not null.
    private func present(_ name: Name) -> JSONToken? {
        guard let t = f[name], t.kind != .null else { return nil }
        return t
    }

    private func requiredToken(_ name: Name) throws(EventDecodeError) -> JSONToken {
        guard let t = f[name] else { throw EventDecodeError(field: name.json, reason: "missing") }
        return t
    }

    func requiredString(_ name: Name) throws(EventDecodeError) -> String {
        let t = try requiredToken(name)
        guard t.kind == .string else { throw typeError(name.json, "a string", t) }
        return s.string(t)
    }

    func optionalString(_ name: Name) throws(EventDecodeError) -> String? {
        guard let t = present(name) else { return nil }
        guard t.kind == .string else { throw typeError(name.json, "a string", t) }
        return s.string(t)
    }

    func requiredID(_ name: Name) throws(EventDecodeError) -> String {
        let t = try requiredToken(name)
        return try id(t, field: name.json)
    }

    func optionalID(_ name: Name) throws(EventDecodeError) -> String? {
        guard let t = present(name) else { return nil }
        return try id(t, field: name.json)
    }

    private func id(_ t: JSONToken, field: String) throws(EventDecodeError) -> String {
        guard t.kind == .string else { throw typeError(field, "a string", t) }
        guard t.end > t.start else { throw EventDecodeError(field: field, reason: "must not be empty") }
        let value = s.string(t)
        if let problem = EventDecoder.idProblem(value) { throw EventDecodeError(field: field, reason: problem) }
        return value
    }

    private func money(_ t: JSONToken, field: String) throws(EventDecodeError) -> Double {
        guard t.kind == .number else { throw typeError(field, "a number", t) }
        let v = s.double(t)
        guard v.isFinite else { throw EventDecodeError(field: field, reason: "not a finite number") }
        guard v >= 0 else { throw EventDecodeError(field: field, reason: "must not be negative") }
        return v + 0.0 // -0 becomes +0
    }

    /// Money that is summed into a customer's order statistics (order lines and totals): also at
    /// most ``maxMoney``.
    private func orderMoney(_ t: JSONToken, field: String) throws(EventDecodeError) -> Double {
        let v = try money(t, field: field)
        guard v <= EventDecoder.maxMoney else {
            throw EventDecodeError(field: field, reason: "implausibly large (over 1e12)")
        }
        return v
    }

    func optionalOrderMoney(_ name: Name) throws(EventDecodeError) -> Double? {
        guard let t = present(name) else { return nil }
        return try orderMoney(t, field: name.json)
    }

    func optionalMoney(_ name: Name) throws(EventDecodeError) -> Double? {
        guard let t = present(name) else { return nil }
        return try money(t, field: name.json)
    }

    func timestamp() throws(EventDecodeError) -> EventTime {
        let t = try requiredToken(.ts)
        switch t.kind {
        case .number:
            guard let v = s.exactInteger(t) else {
                let d = s.double(t)
                if d < 0 { throw EventDecodeError(field: "ts", reason: "negative timestamp") }
                if d.isFinite && (d >= 0x1p53 || Double(Int64(d)) == d), let problem = EventDecoder.timestampProblem(d) {
                    throw EventDecodeError(field: "ts", reason: problem)
                }
                throw EventDecodeError(field: "ts", reason: "must be a whole number of milliseconds")
            }
            if let problem = EventDecoder.timestampProblem(Double(v)) {
                throw EventDecodeError(field: "ts", reason: problem)
            }
            return v
        case .string:
            let ms: EventTime
            do throws(ISO8601Error) {
                if t.flag {
                    var bytes: [UInt8] = []
                    s.appendUnescaped(t, to: &bytes)
                    let r: Result<EventTime, ISO8601Error> = bytes.withUnsafeBytes { b in
                        do throws(ISO8601Error) { return .success(try ISO8601Timestamp.parse(b)) } catch { return .failure(error) }
                    }
                    ms = try r.get()
                } else {
                    ms = try ISO8601Timestamp.parse(s.rawBytes(t))
                }
            } catch {
                throw EventDecodeError(field: "ts", reason: error.reason)
            }
            guard ms >= EventDecoder.minTimestamp && ms < EventDecoder.maxTimestamp else {
                throw EventDecodeError(field: "ts", reason: "out of range (years 1990 to 2099)")
            }
            return ms
        default:
            throw typeError("ts", "epoch milliseconds or an ISO-8601 string", t)
        }
    }

    /// A scanner positioned at the start of a nested value recorded in the first pass.
    private func nested(_ t: JSONToken) -> JSONScanner {
        JSONScanner(body, maxDepth: maxDepth, resumingAt: t.start, depth: 1)
    }

    // MARK: Schemas

    func inferredKind() throws(EventDecodeError) -> InputTopicKind {
        guard let t = present(.type) else {
            if present(.itemID) != nil { return .catalog }
            throw EventDecodeError(field: "type", reason: "missing (and no item_id for a catalog record)")
        }
        guard t.kind == .string else { throw typeError("type", "a string", t) }
        if clickType(t) != nil { return .clickstream }
        if orderType(t) != nil { return .orders }
        if s.stringEquals(t, "forget_user") { return .control }
        throw EventDecodeError(field: "type", reason: "unknown event type")
    }

    private func clickType(_ t: JSONToken) -> ClickType? {
        if s.stringEquals(t, "view") { return .view }
        if s.stringEquals(t, "click") { return .click }
        if s.stringEquals(t, "add_to_cart") { return .addToCart }
        if s.stringEquals(t, "remove_from_cart") { return .removeFromCart }
        if s.stringEquals(t, "wishlist") { return .wishlist }
        if s.stringEquals(t, "search") { return .search }
        return nil
    }

    private func orderType(_ t: JSONToken) -> OrderType? {
        if s.stringEquals(t, "order") { return .order }
        if s.stringEquals(t, "cancel") { return .cancel }
        if s.stringEquals(t, "refund") { return .refund }
        return nil
    }

    func click() throws(EventDecodeError) -> ClickEvent {
        let eventID = try requiredID(.eventID)
        let t = try requiredToken(.type)
        guard t.kind == .string else { throw typeError("type", "a string", t) }
        guard let type = clickType(t) else {
            throw EventDecodeError(field: "type", reason: "not a clickstream type (view, click, add_to_cart, remove_from_cart, wishlist, search)")
        }
        let userID = try requiredID(.userID)
        let itemID: String?
        var query: String? = nil
        if type == .search {
            query = try requiredString(.query)
            itemID = try optionalID(.itemID)
        } else {
            itemID = try requiredID(.itemID)
        }
        return ClickEvent(eventID: eventID, type: type, userID: userID, sessionID: try optionalID(.sessionID),
                          itemID: itemID, category: try optionalString(.category),
                          price: try optionalMoney(.price), query: query, ts: try timestamp())
    }

    func order() throws(EventDecodeError) -> OrderEvent {
        let eventID = try requiredID(.eventID)
        let t = try requiredToken(.type)
        guard t.kind == .string else { throw typeError("type", "a string", t) }
        guard let type = orderType(t) else {
            throw EventDecodeError(field: "type", reason: "not an order type (order, cancel, refund)")
        }
        let orderID = try requiredID(.orderID)
        let userID = try requiredID(.userID)
        let ts = try timestamp()
        var lines: [OrderLine] = []
        if let items = present(.items) {
            lines = try orderLines(items)
            if type == .order && lines.isEmpty {
                throw EventDecodeError(field: "items", reason: "an order needs at least one line")
            }
        } else if type == .order {
            throw EventDecodeError(field: "items", reason: f[.items] == nil ? "missing" : "must be an array, got null")
        }
        return OrderEvent(eventID: eventID, type: type, orderID: orderID, userID: userID, ts: ts, items: lines,
                          total: try optionalOrderMoney(.total), currency: try optionalString(.currency))
    }

    private func orderLines(_ items: JSONToken) throws(EventDecodeError) -> [OrderLine] {
        guard items.kind == .array else { throw typeError("items", "an array", items) }
        var sc = nested(items)
        var lines: [OrderLine] = []
        try syntax { () throws(JSONSyntaxError) in try sc.beginArray() }
        while try syntax({ () throws(JSONSyntaxError) in try sc.nextElement() }) {
            let field = "items[\(lines.count)]"
            let kind = try syntax { () throws(JSONSyntaxError) in try sc.peekKind() }
            guard kind == .object else {
                throw EventDecodeError(field: field, reason: "must be an object, got \(kind.articleName)")
            }
            try syntax { () throws(JSONSyntaxError) in try sc.beginObject() }
            var line = EventFields()
            try line.collect(&sc, fieldPrefix: field + ".")
            lines.append(try orderLine(line, field: field))
        }
        return lines
    }

    private func orderLine(_ line: EventFields, field: String) throws(EventDecodeError) -> OrderLine {
        guard let itemToken = line[.itemID], itemToken.kind != .null else {
            throw EventDecodeError(field: field + ".item_id", reason: "missing")
        }
        let itemID = try id(itemToken, field: field + ".item_id")
        guard let q = line[.quantity] else { throw EventDecodeError(field: field + ".quantity", reason: "missing") }
        guard q.kind == .number else { throw typeError(field + ".quantity", "a number", q) }
        guard let quantity = s.exactInteger(q) else {
            let d = s.double(q)
            throw EventDecodeError(field: field + ".quantity",
                                   reason: d < 0 ? "must not be negative" : "must be a whole number")
        }
        guard quantity >= 0 else { throw EventDecodeError(field: field + ".quantity", reason: "must not be negative") }
        guard quantity >= 1 else { throw EventDecodeError(field: field + ".quantity", reason: "must be at least 1") }
        guard quantity <= EventDecoder.maxQuantity else {
            throw EventDecodeError(field: field + ".quantity", reason: "implausibly large (over \(EventDecoder.maxQuantity))")
        }
        guard let p = line[.price] else { throw EventDecodeError(field: field + ".price", reason: "missing") }
        let price = try orderMoney(p, field: field + ".price")
        guard price * Double(quantity) <= EventDecoder.maxMoney else {
            throw EventDecodeError(field: field, reason: "line value price × quantity implausibly large (over 1e12)")
        }
        return OrderLine(itemID: itemID, quantity: Int(quantity), price: price)
    }

    func catalog() throws(EventDecodeError) -> CatalogItem {
        let itemID = try requiredID(.itemID)
        var available = true
        if let a = present(.available) {
            switch a.kind {
            case .true: available = true
            case .false: available = false
            default: throw typeError("available", "a boolean", a)
            }
        }
        var tags: [String] = []
        if let t = present(.tags) {
            guard t.kind == .array else { throw typeError("tags", "an array", t) }
            var sc = nested(t)
            try syntax { () throws(JSONSyntaxError) in try sc.beginArray() }
            while try syntax({ () throws(JSONSyntaxError) in try sc.nextElement() }) {
                let v = try syntax { () throws(JSONSyntaxError) in try sc.readValue() }
                guard v.kind == .string else {
                    throw EventDecodeError(field: "tags[\(tags.count)]", reason: "must be a string, got \(v.kind.articleName)")
                }
                tags.append(sc.string(v))
            }
        }
        return CatalogItem(itemID: itemID, category: try optionalString(.category), brand: try optionalString(.brand),
                           price: try optionalMoney(.price), available: available, tags: tags)
    }

    func control() throws(EventDecodeError) -> ShopEvent {
        let t = try requiredToken(.type)
        guard t.kind == .string else { throw typeError("type", "a string", t) }
        guard s.stringEquals(t, "forget_user") else {
            throw EventDecodeError(field: "type", reason: "unknown control type (expected forget_user)")
        }
        return .forgetUser(userID: try requiredID(.userID))
    }
}

extension EventDecoder {
    /// Why `value` cannot be an id, or nil. Ids are keys (Kafka's, the store's, the HTTP query's):
    /// no control characters (a NUL would cut a C string or a URL short) and a bounded length.
    /// (Emptiness is the caller's to check: it reads "must not be empty" in a field's terms.)
    public static func idProblem(_ value: String) -> String? {
        if value.utf8.count > maxIDBytes { return "longer than \(maxIDBytes) bytes" }
        if value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return "contains a control character" }
        return nil
    }
}
