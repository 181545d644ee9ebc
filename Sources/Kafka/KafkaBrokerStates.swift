/// How many of the cluster's brokers a client is connected to, read from librdkafka's statistics
/// (STATISTICS.md: the `brokers` object, one entry per broker with `nodeid` and `state`).
///
/// Only real brokers count (`nodeid` ≥ 0, source `learned` or `configured`): not the bootstrap
/// entries before metadata names them, the internal broker or the logical group-coordinator entry. librdkafka signals "all brokers down" as an error but has
/// no event for "a broker is back"; its statistics do show it.
public struct KafkaBrokerStates: Sendable, Equatable {
    /// Learned brokers in state `UP`.
    public var up: Int
    /// Learned brokers.
    public var known: Int

    public init(up: Int, known: Int) { self.up = up; self.known = known }

    /// Parses a statistics JSON document. Within the `brokers` object, reads each broker entry
    /// from its `"nodeid":N` to the next one (key order as librdkafka writes it: nodeid before
    /// source and state); nil when the document has no `brokers` object.
    public static func parse(statistics json: [UInt8]) -> KafkaBrokerStates? {
        guard let start = find(Array("\"brokers\":{".utf8), in: json, from: 0) else { return nil }
        // The brokers object ends where its braces balance.
        var depth = 0, end = json.count, i = start + 10
        var inString = false
        while i < json.count {
            let c = json[i]
            if inString {
                if c == UInt8(ascii: "\\") { i += 1 } else if c == UInt8(ascii: "\"") { inString = false }
            } else if c == UInt8(ascii: "\"") { inString = true }
            else if c == UInt8(ascii: "{") { depth += 1 }
            else if c == UInt8(ascii: "}") { depth -= 1; if depth == 0 { end = i; break } }
            i += 1
        }
        let brokers = Array(json[start..<end])
        let nodeKey = Array("\"nodeid\":".utf8)
        var result = KafkaBrokerStates(up: 0, known: 0)
        var at = 0
        while let found = find(nodeKey, in: brokers, from: at) {
            var j = found + nodeKey.count
            let negative = j < brokers.count && brokers[j] == UInt8(ascii: "-")
            if negative { j += 1 }
            let digits = j
            while j < brokers.count, brokers[j] >= UInt8(ascii: "0"), brokers[j] <= UInt8(ascii: "9") { j += 1 }
            at = j
            guard j > digits, !negative else { continue }
            let next = find(nodeKey, in: brokers, from: j) ?? brokers.count
            let object = Array(brokers[j..<next])
            // The logical group-coordinator entry repeats a real broker's id.
            guard let source = value(of: "source", in: object), source != "logical", source != "internal" else { continue }
            result.known += 1
            if value(of: "state", in: object) == "UP" { result.up += 1 }
        }
        return result
    }

    /// The string value of the first `"key":"…"` in `object` (no escapes in these values).
    private static func value(of key: String, in object: [UInt8]) -> String? {
        let k = Array("\"\(key)\":\"".utf8)
        guard let at = find(k, in: object, from: 0) else { return nil }
        let v = at + k.count
        guard let close = object[v...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        return String(decoding: object[v..<close], as: UTF8.self)
    }

    private static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        guard needle.count <= hay.count else { return nil }
        var i = from
        while i + needle.count <= hay.count {
            if hay[i] == needle[0], hay[i..<i + needle.count].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
