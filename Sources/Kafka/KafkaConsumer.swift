import Crdkafka

#if canImport(Glibc)
import Glibc
#endif

/// A high-level Kafka consumer in a consumer group (one `rd_kafka_t` of type consumer).
///
/// Defaults differ from librdkafka's: `enable.auto.commit=false` and
/// `enable.auto.offset.store=false` (the caller commits explicit offsets), both overridable.
/// `group.id` is required.
///
/// Threading contract: use an instance from one thread at a time (calls may move between
/// threads but must not overlap). The rebalance handler runs synchronously on the thread inside
/// `poll` or `close`. The class is `@unchecked Sendable` so it can be handed to a dedicated
/// thread or task; the caller keeps the contract.
///
/// The rebalance handler is stored by the consumer: if it captures the consumer, capture it
/// `weak`/`unowned`. It is not called from `deinit`; call `close()` to get the final `.revoked`.
public final class KafkaConsumer: @unchecked Sendable {
    /// The one owner of the handle: closed (if needed) and destroyed in `deinit`.
    private let rk: OpaquePointer
    private let context: ClientContext
    private var closed = false
    /// Topic names by topic handle, so zero-copy polls don't allocate a String per message.
    private var topicNames: [OpaquePointer: String] = [:]

    /// Creates a consumer. Throws if `group.id` is missing or librdkafka refuses a property.
    public init(config: KafkaConfig, rebalanceHandler: RebalanceHandler? = nil) throws(KafkaError) {
        guard let group = config["group.id"], !group.isEmpty else {
            throw KafkaError(code: .invalidArgument, message: "consumer configuration needs group.id", retriable: false)
        }
        var effective = KafkaConfig([(key: "enable.auto.commit", value: "false"),
                                     (key: "enable.auto.offset.store", value: "false")] + config.properties)
        effective.logLevel = config.logLevel
        effective.logHandler = config.logHandler
        let context = ClientContext(log: config.logSink)
        context.rebalanceHandler = rebalanceHandler
        self.context = context
        rk = try makeClientHandle(RD_KAFKA_CONSUMER, config: effective, context: context) { conf in
            rd_kafka_conf_set_rebalance_cb(conf) { rk, err, partitions, opaque in
                guard let rk, let partitions, let ctx = ClientContext.from(opaque) else { return }
                Rebalancer.handle(rk: rk, err: err, partitions: partitions, context: ctx)
            }
            // Client-level errors (transport, all brokers down, ...), served inside consumer_poll;
            // without this callback librdkafka would only log them. Surfaced by `poll` as values.
            rd_kafka_conf_set_error_cb(conf) { rk, err, reason, opaque in
                guard let ctx = ClientContext.from(opaque) else { return }
                if err == RD_KAFKA_RESP_ERR__FATAL.rawValue, let rk,
                   let fatal = KafkaError.fatalError(of: rk, context: "consumer") {
                    ctx.record(error: fatal)
                } else {
                    ctx.record(error: KafkaError(rd_kafka_resp_err_t(rawValue: err), context: "consumer",
                                                detail: reason.map { String(cString: $0) }))
                }
            }
            // Statistics (when statistics.interval.ms > 0), served inside consumer_poll: only the
            // broker states are kept. Returning 0 leaves the JSON buffer to librdkafka to free.
            rd_kafka_conf_set_stats_cb(conf) { _, json, length, opaque in
                guard let json, let ctx = ClientContext.from(opaque) else { return 0 }
                let bytes = UnsafeRawBufferPointer(start: json, count: length)
                if let states = KafkaBrokerStates.parse(statistics: Array(bytes)) { ctx.brokerStates = states }
                return 0
            }
        }
        // Serve the main queue (errors, logs' events) through consumer_poll.
        _ = rd_kafka_poll_set_consumer(rk)
    }

    deinit {
        context.rebalanceHandler = nil   // no caller code while tearing down
        if abandoned {
            // Leaving the group needs the brokers; without them this would block. The group
            // coordinator drops the member after session.timeout.ms instead.
            rd_kafka_destroy_flags(rk, Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE))
            return
        }
        if !closed { _ = rd_kafka_consumer_close(rk) }
        rd_kafka_destroy(rk)
    }

    private var abandoned = false

    /// Gives up the consumer without leaving the group (no commit, no revoke, nothing that needs
    /// a broker): for a shutdown that already failed to reach the brokers. The handle is
    /// destroyed in `deinit` with `RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE`.
    public func abandon() {
        context.rebalanceHandler = nil
        abandoned = true
        closed = true
    }

    /// librdkafka's instance name (e.g. `rdkafka#consumer-2`).
    public var name: String { String(cString: rd_kafka_name(rk)) }

    /// The rebalance handler (see `RebalanceEvent`). Set it before `subscribe`.
    public var rebalanceHandler: RebalanceHandler? {
        get { context.rebalanceHandler }
        set { context.rebalanceHandler = newValue }
    }

    /// The group's rebalance protocol in use: `EAGER`, `COOPERATIVE`, or `NONE` before joining.
    public var rebalanceProtocol: String {
        rd_kafka_rebalance_protocol(rk).map { String(cString: $0) } ?? "NONE"
    }

    /// Whether `close()` has run.
    public var isClosed: Bool { closed }

    /// Broker connection states from librdkafka's last statistics (nil before the first, or with
    /// `statistics.interval.ms` = 0, the default of librdkafka).
    public var brokerStates: KafkaBrokerStates? { context.brokerStates }

    /// Subscribes to `topics` (replacing any previous subscription); partitions arrive through
    /// rebalances served by `poll`.
    public func subscribe(topics: [String]) throws(KafkaError) {
        let list = PartitionList(topics.map { TopicPartition($0, RD_KAFKA_PARTITION_UA) })
        try KafkaError.check(rd_kafka_subscribe(rk, list.list), "subscribe to \(topics)", rk: rk)
    }

    /// Leaves the subscription (the group revokes the partitions on the next polls).
    public func unsubscribe() throws(KafkaError) {
        try KafkaError.check(rd_kafka_unsubscribe(rk), "unsubscribe", rk: rk)
    }

    /// Polls for the next event, waiting up to `timeoutMs`; nil when nothing arrived. The message
    /// is copied. Serves rebalances (calling the handler). Throws only fatal errors.
    public func poll(timeoutMs: Int32) throws(KafkaError) -> KafkaConsumerEvent? {
        try pollEvent(timeoutMs: timeoutMs) { (m) throws(KafkaError) in
            KafkaMessageView(m, topic: topicName(m.pointee.rkt)).copy()
        }
    }

    /// Zero-copy poll: `body` sees the message in place and the message is destroyed when it
    /// returns; the result is `.message(body's result)`. EOF and transient errors come back as in
    /// `poll(timeoutMs:)` without calling `body`. Rethrows `body`'s errors; throws fatal errors.
    public func poll<R>(timeoutMs: Int32, _ body: (KafkaMessageView) throws -> R) throws -> KafkaPollEvent<R>? {
        var bodyError: (any Error)?
        let event = try pollEvent(timeoutMs: timeoutMs) { (m) throws(KafkaError) -> R? in
            do { return try body(KafkaMessageView(m, topic: topicName(m.pointee.rkt))) } catch {
                bodyError = error
                return nil
            }
        }
        if let bodyError { throw bodyError }
        switch event {
        case nil: return nil
        case .message(let r?): return .message(r)
        case .message(nil): return nil
        case .partitionEOF(let tpo): return .partitionEOF(tpo)
        case .error(let e): return .error(e)
        }
    }

    /// Commits `offsets` (each the next offset to read) for the group. Synchronous unless `async`;
    /// async commit failures are only logged by librdkafka. Does nothing for an empty list.
    public func commit(offsets: [TopicPartitionOffset], async: Bool = false) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let list = PartitionList(offsets)
        try KafkaError.check(rd_kafka_commit(rk, list.list, async ? 1 : 0), "commit \(offsets)", rk: rk)
        if !async { try list.checkElements("commit") }
    }

    /// Stores `offsets` for a later commit (`rd_kafka_offsets_store`), for callers who enable
    /// `enable.auto.commit`.
    public func store(offsets: [TopicPartitionOffset]) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let list = PartitionList(offsets)
        try KafkaError.check(rd_kafka_offsets_store(rk, list.list), "store offsets", rk: rk)
        try list.checkElements("store offsets")
    }

    /// The group's committed offsets for `partitions` (`TopicPartitionOffset.invalid` where none
    /// is committed), asking the coordinator and waiting up to `timeoutMs`.
    public func committed(partitions: [TopicPartition], timeoutMs: Int32) throws(KafkaError) -> [TopicPartitionOffset] {
        let list = PartitionList(partitions)
        try KafkaError.check(rd_kafka_committed(rk, list.list, timeoutMs), "committed offsets", rk: rk)
        try list.checkElements("committed offsets")
        return list.offsets
    }

    /// The partitions currently assigned to this consumer.
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        var out: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        try KafkaError.check(rd_kafka_assignment(rk, &out), "assignment", rk: rk)
        guard let out else { return [] }
        return PartitionList(taking: out).partitions   // the list is ours to destroy
    }

    /// Manually assigns partitions at the given offsets (no group rebalancing; for tools).
    /// An empty list unassigns everything.
    public func assign(_ offsets: [TopicPartitionOffset]) throws(KafkaError) {
        if offsets.isEmpty {
            try KafkaError.check(rd_kafka_assign(rk, nil), "unassign", rk: rk)
        } else {
            let list = PartitionList(offsets)
            try KafkaError.check(rd_kafka_assign(rk, list.list), "assign", rk: rk)
        }
    }

    /// Moves the fetch position of assigned, already-fetching partitions. To start newly assigned
    /// partitions at chosen offsets, return them from the rebalance handler instead.
    public func seek(_ offsets: [TopicPartitionOffset], timeoutMs: Int32) throws(KafkaError) {
        let list = PartitionList(offsets)
        try KafkaError.check(rd_kafka_seek_partitions(rk, list.list, timeoutMs), "seek")
        try list.checkElements("seek")
    }

    /// Stops fetching from `partitions` (they stay assigned).
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = PartitionList(partitions)
        try KafkaError.check(rd_kafka_pause_partitions(rk, list.list), "pause", rk: rk)
        try list.checkElements("pause")
    }

    /// Resumes fetching from paused `partitions`.
    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = PartitionList(partitions)
        try KafkaError.check(rd_kafka_resume_partitions(rk, list.list), "resume", rk: rk)
        try list.checkElements("resume")
    }

    /// The next offset this consumer will return for each partition (last consumed + 1), or
    /// `TopicPartitionOffset.invalid` if nothing was consumed yet.
    public func position(_ partitions: [TopicPartition]) throws(KafkaError) -> [TopicPartitionOffset] {
        let list = PartitionList(partitions)
        try KafkaError.check(rd_kafka_position(rk, list.list), "position", rk: rk)
        return list.offsets
    }

    /// Low and high watermarks of a partition, asked from the leader (blocks up to `timeoutMs`).
    /// `high` is the offset the next produced message will get.
    public func watermarks(for tp: TopicPartition, timeoutMs: Int32) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = 0, high: Int64 = 0
        try KafkaError.check(rd_kafka_query_watermark_offsets(rk, tp.topic, tp.partition, &low, &high, timeoutMs),
                             "watermarks of \(tp)", rk: rk)
        return (low, high)
    }

    /// The number of partitions of `topic`, from the cluster's metadata (blocks up to `timeoutMs`).
    /// Throws when the topic does not exist or the brokers cannot be asked.
    public func partitionCount(of topic: String, timeoutMs: Int32) throws(KafkaError) -> Int {
        // Ownership: the topic handle is ours until rd_kafka_topic_destroy; the metadata until
        // rd_kafka_metadata_destroy (both below, whatever happens in between).
        guard let rkt = rd_kafka_topic_new(rk, topic, nil) else {
            throw KafkaError(rd_kafka_last_error(), context: "topic handle for \(topic)")
        }
        defer { rd_kafka_topic_destroy(rkt) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        try KafkaError.check(rd_kafka_metadata(rk, 0, rkt, &metadata, timeoutMs), "metadata of \(topic)", rk: rk)
        guard let md = metadata else { throw KafkaError(code: .fail, message: "metadata of \(topic): none returned") }
        defer { rd_kafka_metadata_destroy(md) }
        for i in 0..<Int(md.pointee.topic_cnt) {
            let t = md.pointee.topics[i]
            guard String(cString: t.topic) == topic else { continue }
            if t.err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(t.err, context: "metadata of \(topic)") }
            return Int(t.partition_cnt)
        }
        throw KafkaError(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, context: "metadata of \(topic)")
    }

    /// Watermarks as last seen in fetch responses (no network; `-1001` where unknown).
    public func cachedWatermarks(for tp: TopicPartition) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = 0, high: Int64 = 0
        try KafkaError.check(rd_kafka_get_watermark_offsets(rk, tp.topic, tp.partition, &low, &high),
                             "cached watermarks of \(tp)", rk: rk)
        return (low, high)
    }

    /// Messages behind the high watermark for each partition: `high - position`, or `high -
    /// committed` when nothing was consumed yet, or `high - low` when neither is known.
    public func lag(for partitions: [TopicPartition], timeoutMs: Int32) throws(KafkaError) -> [TopicPartition: Int64] {
        let positions = try position(partitions)
        var result: [TopicPartition: Int64] = [:]
        var unknown: [TopicPartition] = []
        var marks: [TopicPartition: (low: Int64, high: Int64)] = [:]
        for p in positions {
            let tp = p.topicPartition
            let wm = try watermarks(for: tp, timeoutMs: timeoutMs)
            marks[tp] = wm
            if p.offset >= 0 { result[tp] = max(0, wm.high - p.offset) } else { unknown.append(tp) }
        }
        if !unknown.isEmpty {
            for c in try committed(partitions: unknown, timeoutMs: timeoutMs) {
                let wm = marks[c.topicPartition]!
                result[c.topicPartition] = c.offset >= 0 ? max(0, wm.high - c.offset) : wm.high - wm.low
            }
        }
        return result
    }

    /// Leaves the group: revokes the assignment (calling the handler with `.revoked`), then closes.
    /// Idempotent; the consumer can't be used for polling afterwards.
    public func close() throws(KafkaError) {
        guard !closed else { return }
        closed = true
        try KafkaError.check(rd_kafka_consumer_close(rk), "consumer close", rk: rk)
    }

    // MARK: - Internals

    /// The single consumer poll: takes the message librdkafka hands us, classifies it, and always
    /// destroys it (`rd_kafka_message_destroy`) before returning.
    private func pollEvent<M>(timeoutMs: Int32,
                              _ message: (UnsafeMutablePointer<rd_kafka_message_t>) throws(KafkaError) -> M)
        throws(KafkaError) -> KafkaPollEvent<M>? {
        if let pending = try takePendingError() { return .error(pending) }
        guard let m = rd_kafka_consumer_poll(rk, timeoutMs) else {
            return try takePendingError().map { .error($0) }
        }
        defer { rd_kafka_message_destroy(m) }   // we own every message consumer_poll returns
        let err = m.pointee.err
        if err == RD_KAFKA_RESP_ERR_NO_ERROR { return .message(try message(m)) }
        let topic = m.pointee.rkt.map { topicName($0) }
        if err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
            return .partitionEOF(TopicPartitionOffset(topic ?? "", m.pointee.partition, m.pointee.offset))
        }
        if err == RD_KAFKA_RESP_ERR__FATAL {
            throw KafkaError.fatalError(of: rk, context: "consumer") ?? KafkaError(err, context: "consumer")
        }
        let detail = rd_kafka_message_errstr(m).map { String(cString: $0) }
        return .error(KafkaError(err, context: "consume", detail: detail, topic: topic,
                                 partition: topic == nil ? nil : m.pointee.partition))
    }

    /// The oldest error recorded by the rebalance or error callbacks; fatal ones are thrown.
    private func takePendingError() throws(KafkaError) -> KafkaError? {
        let e: KafkaError
        if !context.rebalanceErrors.isEmpty {
            e = context.rebalanceErrors.removeFirst()
        } else if !context.errors.isEmpty {
            e = context.errors.removeFirst()
        } else {
            return nil
        }
        if e.isFatal { throw e }
        return e
    }

    /// The topic's name, cached by handle (checked against the handle's current name).
    private func topicName(_ rkt: OpaquePointer?) -> String {
        guard let rkt else { return "" }
        let cname = rd_kafka_topic_name(rkt)!
        if let name = topicNames[rkt], name.withCString({ strcmp($0, cname) == 0 }) { return name }
        let name = String(cString: cname)
        topicNames[rkt] = name
        return name
    }
}
