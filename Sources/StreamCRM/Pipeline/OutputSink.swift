/// Where the processor's encoded outputs go: a Kafka producer, stdout, or a test's array.
public protocol OutputSink {
    /// Publishes one record; `value` nil is a tombstone. The bytes are only valid during the call.
    mutating func emit(topic: String, key: String, value: UnsafeRawBufferPointer?) throws
}

/// An output sink that keeps every record (tests, demo summaries).
public struct CollectingSink: OutputSink {
    /// One published record.
    public struct Record: Sendable, Equatable {
        public var topic: String
        public var key: String
        public var value: [UInt8]?
        /// The value as text (nil for a tombstone).
        public var text: String? { value.map { String(decoding: $0, as: UTF8.self) } }
    }
    public private(set) var records: [Record] = []
    public init() {}
    public mutating func emit(topic: String, key: String, value: UnsafeRawBufferPointer?) throws {
        records.append(Record(topic: topic, key: key, value: value.map { Array($0) }))
    }
    /// Records of one topic.
    public func on(_ topic: String) -> [Record] { records.filter { $0.topic == topic } }
}
