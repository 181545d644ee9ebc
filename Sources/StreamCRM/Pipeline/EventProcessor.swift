import CRMModel

/// The per-message hot path shared by `run`, `replay`, `eval` and the benchmarks: decode the
/// message, apply it to the engine, encode the outputs and hand them to a sink. A message that
/// cannot be decoded, or that the engine refuses, becomes a dead letter with the reason.
public final class EventProcessor {
    /// The models.
    public let engine: CRMEngine
    /// Where each kind of output goes.
    public let topics: TopicNames
    /// Counters of what happened to input messages.
    public private(set) var counts = ProcessorCounts()

    /// Replaces customer ids on input when `privacy.pseudonymise.key` is set.
    public var pseudonymiser: Pseudonymiser?
    /// Whether dead letters carry the refused message's bytes (`privacy.dead_letter.original`).
    public var deadLettersKeepOriginal: Bool {
        get { deadLetters.keepOriginal }
        set { deadLetters.keepOriginal = newValue }
    }

    private let decoder = EventDecoder()
    private let encoder = OutputEncoder()
    private var deadLetters = DeadLetterEncoder()
    private var outputs: [ModelOutput] = []
    private var buffer: [UInt8] = []

    public init(engine: CRMEngine, topics: TopicNames) {
        self.engine = engine
        self.topics = topics
        outputs.reserveCapacity(16)
        buffer.reserveCapacity(4096)
    }

    /// Applies the privacy keys: `privacy.pseudonymise.key` (pseudonyms on input) and
    /// `privacy.dead_letter.original` (auto: dead letters keep the original bytes unless
    /// pseudonymisation is on, since those bytes hold the raw customer id).
    public func configurePrivacy(_ config: Configuration) {
        pseudonymiser = Pseudonymiser(key: config.string("privacy.pseudonymise.key"))
        switch config.string("privacy.dead_letter.original") {
        case "keep": deadLettersKeepOriginal = true
        case "omit": deadLettersKeepOriginal = false
        default: deadLettersKeepOriginal = pseudonymiser == nil
        }
    }

    /// Processes one Kafka message body from `position.topic`. `messageTime` is its Kafka timestamp:
    /// a `forget_user` from a dedicated control topic waits for its customer's partition to reach
    /// it (``HeldForgets``).
    public func handle<S: OutputSink>(_ body: UnsafeRawBufferPointer, at position: SourcePosition,
                                      messageTime: Int64? = nil, sink: inout S) throws {
        guard let kind = topics.kind(of: position.topic) else {
            try deadLetter("topic '\(position.topic)' is not an input topic", body, position, &sink)
            return
        }
        let event: ShopEvent
        do {
            if let kind { event = try decoder.decode(body, from: kind) } else { event = try decoder.decodeLine(body) }
        } catch {
            counts.decodeErrors += 1
            try deadLetter(error.description, body, position, &sink)
            return
        }
        try apply(event, body: body, at: position, messageTime: kind == .control ? messageTime : nil, sink: &sink)
    }

    /// A message with no value (a tombstone). On the catalog topic (compacted, keyed by item id) it
    /// withdraws the item: the item is kept as unavailable, with its category, so that it is never
    /// recommended again until a new catalog record brings it back. Anywhere else, or without a
    /// usable key, it is a dead letter.
    public func handleTombstone<S: OutputSink>(key: UnsafeRawBufferPointer?, at position: SourcePosition, sink: inout S) throws {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        guard position.topic == topics.catalog, !topics.catalog.isEmpty else {
            counts.decodeErrors += 1
            try deadLetter("a message without a value (a tombstone) on \(position.topic): only the catalog topic takes tombstones",
                           empty, position, &sink)
            return
        }
        guard let key, key.count > 0, let itemID = String(validating: key, as: UTF8.self),
              EventDecoder.idProblem(itemID) == nil else {
            counts.decodeErrors += 1
            try deadLetter("a catalog tombstone needs the item id as its key (UTF-8, 1 to \(EventDecoder.maxIDBytes) bytes, no control characters)",
                           empty, position, &sink)
            return
        }
        let previous = engine.catalog[itemID]
        try apply(.catalog(CatalogItem(itemID: itemID, category: previous?.category, brand: previous?.brand,
                                       price: previous?.price, available: false, tags: previous?.tags ?? [])),
                  body: empty, at: position, sink: &sink)
    }

    /// Processes one JSON line of a replay file (the topic kind is inferred from the event).
    public func handleLine<S: OutputSink>(_ line: UnsafeRawBufferPointer, at position: SourcePosition, sink: inout S) throws {
        let event: ShopEvent
        do {
            event = try decoder.decodeLine(line)
        } catch {
            counts.decodeErrors += 1
            try deadLetter(error.description, line, position, &sink)
            return
        }
        try apply(event, body: line, at: position, sink: &sink)
    }

    /// Applies an already decoded event.
    public func apply<S: OutputSink>(_ event: ShopEvent, body: UnsafeRawBufferPointer, at position: SourcePosition,
                                     messageTime: Int64? = nil, sink: inout S) throws {
        counts.events += 1
        outputs.removeAll(keepingCapacity: true)
        let event = pseudonymiser?.apply(event) ?? event
        let verdict = engine.process(event, at: position, messageTime: messageTime, into: &outputs)
        switch verdict {
        case .applied: break
        case .duplicate: counts.duplicates += 1
        case .rejected(let reason):
            counts.refused += 1
            try deadLetter(reason, body, position, &sink)
        }
        try publish(&sink)
    }

    /// Moves event time (end of input, or the idle wall clock) and publishes the alerts it fires.
    public func advance<S: OutputSink>(to time: EventTime, sink: inout S) throws {
        outputs.removeAll(keepingCapacity: true)
        engine.advance(to: time, into: &outputs)
        try publish(&sink)
    }

    /// Partitions read to their end: releases their held churn timers and publishes what fires.
    public func markCaughtUp<S: OutputSink>(partitions: Set<Int32>, sink: inout S) throws {
        outputs.removeAll(keepingCapacity: true)
        engine.markCaughtUp(partitions: partitions, into: &outputs)
        try publish(&sink)
    }

    /// Advances event time with the wall clock while idle (when configured).
    public func advanceIdle<S: OutputSink>(wallNow: Int64, sink: inout S) throws {
        outputs.removeAll(keepingCapacity: true)
        engine.advanceIdle(wallNow: wallNow, into: &outputs)
        try publish(&sink)
    }

    private func publish<S: OutputSink>(_ sink: inout S) throws {
        for output in outputs {
            let topic: String
            switch output {
            case .recommendation: topic = topics.recommendations; counts.recommendations += 1
            case .churnAlert: topic = topics.churnAlerts; counts.churnAlerts += 1
            case .segmentChange: topic = topics.segments; counts.segmentChanges += 1
            case .tombstone(let user):
                for t in topics.compactedOutputs { try sink.emit(topic: t, key: user, value: nil) }
                counts.tombstones += 1
                continue
            }
            buffer.removeAll(keepingCapacity: true)
            _ = encoder.encode(output, into: &buffer)
            try buffer.withUnsafeBytes { try sink.emit(topic: topic, key: output.userID, value: $0) }
        }
    }

    private func deadLetter<S: OutputSink>(_ reason: String, _ body: UnsafeRawBufferPointer, _ position: SourcePosition,
                                           _ sink: inout S) throws {
        counts.deadLetters += 1
        buffer.removeAll(keepingCapacity: true)
        deadLetters.encode(reason: reason, source: position, original: body, into: &buffer)
        let key = "\(position.topic)/\(position.partition)/\(position.offset)"
        try buffer.withUnsafeBytes { try sink.emit(topic: topics.deadLetter, key: key, value: $0) }
    }
}

/// What the processor did with its input messages.
public struct ProcessorCounts: Sendable, Equatable {
    public var events = 0
    public var decodeErrors = 0
    public var refused = 0
    public var duplicates = 0
    public var deadLetters = 0
    public var recommendations = 0
    public var churnAlerts = 0
    public var segmentChanges = 0
    public var tombstones = 0
    public init() {}
}
