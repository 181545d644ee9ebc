import CRMModel

/// Encodes a `ModelOutput` as compact JSON with members in a fixed order (DESIGN.md §3), so the
/// same output always gives the same bytes:
///
/// - recommendation: `{"event_id","user_id","ts","trigger":{"event_id","type"},
///   "items":[{"item_id","score","reason"}],"segment"}`
/// - churn alert: `{"event_id","user_id","ts","risk","p_alive","horizon_days","last_order_at",
///   "orders","monetary","segment","reason"}` (`last_order_at` is `null` when unknown)
/// - segment change: `{"event_id","user_id","ts","segment","previous_segment","features":{...}}`
///   (`previous_segment` is `null` for a first assignment; features in their given order)
///
/// Numbers follow `JSONWriter`: shortest round-trip doubles, non-finite doubles as `null`.
/// A tombstone has no body (it is a Kafka message with a null value): nothing is written.
public struct OutputEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Appends the output's JSON to `out`; returns false (and writes nothing) for a tombstone.
    @discardableResult
    public func encode(_ output: ModelOutput, into out: inout [UInt8]) -> Bool {
        switch output {
        case .recommendation(let r): encodeRecommendation(r, into: &out)
        case .churnAlert(let a): encodeChurn(a, into: &out)
        case .segmentChange(let s): encodeSegment(s, into: &out)
        case .tombstone: return false
        }
        return true
    }

    /// The output's JSON, or nil for a tombstone (a null message value).
    public func encode(_ output: ModelOutput) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        return encode(output, into: &out) ? out : nil
    }

    private func head(_ eventID: String, _ userID: String, _ ts: EventTime, into out: inout [UInt8]) {
        JSONWriter.appendRaw("{\"event_id\":", to: &out)
        JSONWriter.appendString(eventID, to: &out)
        JSONWriter.appendRaw(",\"user_id\":", to: &out)
        JSONWriter.appendString(userID, to: &out)
        JSONWriter.appendRaw(",\"ts\":", to: &out)
        JSONWriter.appendInt(ts, to: &out)
    }

    private func encodeRecommendation(_ r: Recommendation, into out: inout [UInt8]) {
        head(r.eventID, r.userID, r.ts, into: &out)
        JSONWriter.appendRaw(",\"trigger\":{\"event_id\":", to: &out)
        JSONWriter.appendString(r.triggerEventID, to: &out)
        JSONWriter.appendRaw(",\"type\":", to: &out)
        JSONWriter.appendString(r.triggerType, to: &out)
        JSONWriter.appendRaw("},\"items\":[", to: &out)
        for (i, item) in r.items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriter.appendRaw("{\"item_id\":", to: &out)
            JSONWriter.appendString(item.itemID, to: &out)
            JSONWriter.appendRaw(",\"score\":", to: &out)
            JSONWriter.appendDouble(item.score, to: &out)
            JSONWriter.appendRaw(",\"reason\":", to: &out)
            JSONWriter.appendString(item.reason, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        JSONWriter.appendRaw("],\"segment\":", to: &out)
        JSONWriter.appendString(r.segment, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    private func encodeChurn(_ a: ChurnAlert, into out: inout [UInt8]) {
        head(a.eventID, a.userID, a.ts, into: &out)
        JSONWriter.appendRaw(",\"risk\":", to: &out)
        JSONWriter.appendDouble(a.risk, to: &out)
        JSONWriter.appendRaw(",\"p_alive\":", to: &out)
        JSONWriter.appendDouble(a.pAlive, to: &out)
        JSONWriter.appendRaw(",\"horizon_days\":", to: &out)
        JSONWriter.appendDouble(a.horizonDays, to: &out)
        JSONWriter.appendRaw(",\"last_order_at\":", to: &out)
        if let t = a.lastOrderAt { JSONWriter.appendInt(t, to: &out) } else { JSONWriter.appendRaw("null", to: &out) }
        JSONWriter.appendRaw(",\"orders\":", to: &out)
        JSONWriter.appendInt(Int64(a.orders), to: &out)
        JSONWriter.appendRaw(",\"monetary\":", to: &out)
        JSONWriter.appendDouble(a.monetary, to: &out)
        JSONWriter.appendRaw(",\"segment\":", to: &out)
        JSONWriter.appendString(a.segment, to: &out)
        JSONWriter.appendRaw(",\"reason\":", to: &out)
        JSONWriter.appendString(a.reason, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    private func encodeSegment(_ s: SegmentChange, into out: inout [UInt8]) {
        head(s.eventID, s.userID, s.ts, into: &out)
        JSONWriter.appendRaw(",\"segment\":", to: &out)
        JSONWriter.appendString(s.segment, to: &out)
        JSONWriter.appendRaw(",\"previous_segment\":", to: &out)
        JSONWriter.appendOptionalString(s.previousSegment, to: &out)
        JSONWriter.appendRaw(",\"features\":{", to: &out)
        for (i, feature) in s.features.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriter.appendString(feature.name, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONWriter.appendDouble(feature.value, to: &out)
        }
        JSONWriter.appendRaw("}}", to: &out)
    }
}
