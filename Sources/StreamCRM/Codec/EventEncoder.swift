import CRMModel

/// Encodes a `ShopEvent` as one compact JSON object (no trailing newline) in the input schemas of
/// DESIGN.md §2, so that `EventDecoder` reads it back to an equal value. `ts` is written as integer
/// epoch milliseconds; absent optionals are omitted.
///
/// Member order is fixed: clicks `event_id, type, user_id, session_id, item_id, query, category,
/// price, ts`; orders `event_id, type, order_id, user_id, ts, items, total, currency` (`items`
/// omitted for a cancel/refund without lines); catalog `item_id, category, brand, price,
/// available, tags`; control `type, user_id`. A non-finite price or total is written as `null`
/// (which the decoder reads as absent, or refuses on an order line): such values cannot be
/// decoded anyway.
public struct EventEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Appends the event's JSON to `out` (reuse one buffer across calls to avoid allocations).
    public func encode(_ event: ShopEvent, into out: inout [UInt8]) {
        switch event {
        case .click(let e): encodeClick(e, into: &out)
        case .order(let e): encodeOrder(e, into: &out)
        case .catalog(let c): encodeCatalog(c, into: &out)
        case .forgetUser(let userID):
            JSONWriter.appendRaw("{\"type\":\"forget_user\",\"user_id\":", to: &out)
            JSONWriter.appendString(userID, to: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    /// The event's JSON as a new buffer.
    public func encode(_ event: ShopEvent) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160)
        encode(event, into: &out)
        return out
    }

    private func encodeClick(_ e: ClickEvent, into out: inout [UInt8]) {
        JSONWriter.appendRaw("{\"event_id\":", to: &out)
        JSONWriter.appendString(e.eventID, to: &out)
        JSONWriter.appendRaw(",\"type\":", to: &out)
        JSONWriter.appendString(e.type.rawValue, to: &out)
        JSONWriter.appendRaw(",\"user_id\":", to: &out)
        JSONWriter.appendString(e.userID, to: &out)
        if let v = e.sessionID {
            JSONWriter.appendRaw(",\"session_id\":", to: &out)
            JSONWriter.appendString(v, to: &out)
        }
        if let v = e.itemID {
            JSONWriter.appendRaw(",\"item_id\":", to: &out)
            JSONWriter.appendString(v, to: &out)
        }
        if let v = e.query {
            JSONWriter.appendRaw(",\"query\":", to: &out)
            JSONWriter.appendString(v, to: &out)
        }
        if let v = e.category {
            JSONWriter.appendRaw(",\"category\":", to: &out)
            JSONWriter.appendString(v, to: &out)
        }
        if let v = e.price {
            JSONWriter.appendRaw(",\"price\":", to: &out)
            JSONWriter.appendDouble(v, to: &out)
        }
        JSONWriter.appendRaw(",\"ts\":", to: &out)
        JSONWriter.appendInt(e.ts, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    private func encodeOrder(_ e: OrderEvent, into out: inout [UInt8]) {
        JSONWriter.appendRaw("{\"event_id\":", to: &out)
        JSONWriter.appendString(e.eventID, to: &out)
        JSONWriter.appendRaw(",\"type\":", to: &out)
        JSONWriter.appendString(e.type.rawValue, to: &out)
        JSONWriter.appendRaw(",\"order_id\":", to: &out)
        JSONWriter.appendString(e.orderID, to: &out)
        JSONWriter.appendRaw(",\"user_id\":", to: &out)
        JSONWriter.appendString(e.userID, to: &out)
        JSONWriter.appendRaw(",\"ts\":", to: &out)
        JSONWriter.appendInt(e.ts, to: &out)
        if e.type == .order || !e.items.isEmpty {
            JSONWriter.appendRaw(",\"items\":[", to: &out)
            for (i, line) in e.items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.appendRaw("{\"item_id\":", to: &out)
                JSONWriter.appendString(line.itemID, to: &out)
                JSONWriter.appendRaw(",\"quantity\":", to: &out)
                JSONWriter.appendInt(Int64(line.quantity), to: &out)
                JSONWriter.appendRaw(",\"price\":", to: &out)
                JSONWriter.appendDouble(line.price, to: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        if let v = e.total {
            JSONWriter.appendRaw(",\"total\":", to: &out)
            JSONWriter.appendDouble(v, to: &out)
        }
        if let v = e.currency {
            JSONWriter.appendRaw(",\"currency\":", to: &out)
            JSONWriter.appendString(v, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private func encodeCatalog(_ c: CatalogItem, into out: inout [UInt8]) {
        JSONWriter.appendRaw("{\"item_id\":", to: &out)
        JSONWriter.appendString(c.itemID, to: &out)
        if let v = c.category {
            JSONWriter.appendRaw(",\"category\":", to: &out)
            JSONWriter.appendString(v, to: &out)
        }
        if let v = c.brand {
            JSONWriter.appendRaw(",\"brand\":", to: &out)
            JSONWriter.appendString(v, to: &out)
        }
        if let v = c.price {
            JSONWriter.appendRaw(",\"price\":", to: &out)
            JSONWriter.appendDouble(v, to: &out)
        }
        JSONWriter.appendRaw(c.available ? ",\"available\":true,\"tags\":[" : ",\"available\":false,\"tags\":[", to: &out)
        for (i, tag) in c.tags.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriter.appendString(tag, to: &out)
        }
        JSONWriter.appendRaw("]}", to: &out)
    }
}
