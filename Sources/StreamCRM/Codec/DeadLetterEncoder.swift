import CRMModel

/// Encodes a dead letter (DESIGN.md §6):
/// `{"reason":…,"source":{"topic":…,"partition":…,"offset":…},"original":"…"}` where `original`
/// is the message body as a JSON string when it is valid UTF-8; otherwise that member is replaced
/// by `"original_base64":"…"` (standard base64 with padding). An empty body gives `"original":""`.
public struct DeadLetterEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Appends the dead letter's JSON to `out`.
    public func encode(reason: String, source: SourcePosition, original: UnsafeRawBufferPointer,
                       into out: inout [UInt8]) {
        JSONWriter.appendRaw("{\"reason\":", to: &out)
        JSONWriter.appendString(reason, to: &out)
        JSONWriter.appendRaw(",\"source\":{\"topic\":", to: &out)
        JSONWriter.appendString(source.topic, to: &out)
        JSONWriter.appendRaw(",\"partition\":", to: &out)
        JSONWriter.appendInt(Int64(source.partition), to: &out)
        JSONWriter.appendRaw(",\"offset\":", to: &out)
        JSONWriter.appendInt(source.offset, to: &out)
        if UTF8Validator.isValid(original) {
            JSONWriter.appendRaw("},\"original\":\"", to: &out)
            JSONWriter.appendEscaped(original, to: &out)
        } else {
            JSONWriter.appendRaw("},\"original_base64\":\"", to: &out)
            Base64.encode(original, into: &out)
        }
        JSONWriter.appendRaw("\"}", to: &out)
    }

    /// The dead letter's JSON as a new buffer.
    public func encode(reason: String, source: SourcePosition, original: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(original.count + 128)
        original.withUnsafeBytes { encode(reason: reason, source: source, original: $0, into: &out) }
        return out
    }

    /// The dead letter for a decode error (its description is the reason).
    public func encode(_ error: EventDecodeError, source: SourcePosition, original: [UInt8]) -> [UInt8] {
        encode(reason: error.description, source: source, original: original)
    }
}
