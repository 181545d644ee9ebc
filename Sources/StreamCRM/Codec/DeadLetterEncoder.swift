import CRMModel

/// Encodes a dead letter (DESIGN.md §6):
/// `{"reason":…,"source":{"topic":…,"partition":…,"offset":…},"original":"…"}` where `original`
/// is the message body as a JSON string when it is valid UTF-8; otherwise that member is replaced
/// by `"original_base64":"…"` (standard base64 with padding). An empty body gives `"original":""`.
/// A body over `maxOriginalBytes` keeps only its start, followed by
/// `"original_truncated":true,"original_bytes":N` (N = the whole body's size). With
/// `keepOriginal` false the body is left out: `"original_omitted":true,"original_bytes":N` (the
/// source position still points at the message, while the source topic retains it).
public struct DeadLetterEncoder: Sendable {
    /// Whether the refused message's bytes are included (default true).
    public var keepOriginal: Bool

    /// Creates an encoder.
    public init(keepOriginal: Bool = true) { self.keepOriginal = keepOriginal }

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
        guard keepOriginal else {
            JSONWriter.appendRaw("},\"original_omitted\":true,\"original_bytes\":", to: &out)
            JSONWriter.appendInt(Int64(original.count), to: &out)
            JSONWriter.appendRaw("}", to: &out)
            return
        }
        // A body over `maxOriginalBytes` is cut (at a character boundary when it is UTF-8): escaped
        // (up to 6 bytes per byte) or in base64 it could otherwise exceed Kafka's message.max.bytes,
        // and a dead letter the producer refuses would stop the daemon on that message for good.
        var kept = original
        let truncated = original.count > Self.maxOriginalBytes
        let valid = UTF8Validator.isValid(original)
        if truncated {
            var end = Self.maxOriginalBytes
            if valid { while end > 0 && original[end] & 0xC0 == 0x80 { end -= 1 } }
            kept = UnsafeRawBufferPointer(rebasing: original[0..<end])
        }
        if valid {
            JSONWriter.appendRaw("},\"original\":\"", to: &out)
            JSONWriter.appendEscaped(kept, to: &out)
        } else {
            JSONWriter.appendRaw("},\"original_base64\":\"", to: &out)
            Base64.encode(kept, into: &out)
        }
        JSONWriter.appendRaw("\"", to: &out)
        if truncated {
            JSONWriter.appendRaw(",\"original_truncated\":true,\"original_bytes\":", to: &out)
            JSONWriter.appendInt(Int64(original.count), to: &out)
        }
        JSONWriter.appendRaw("}", to: &out)
    }

    /// Longest original body kept in a dead letter (escaped at most 6x: under Kafka's 1 MB default).
    public static let maxOriginalBytes = 100_000

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
