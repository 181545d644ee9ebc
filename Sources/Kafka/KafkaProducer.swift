import Crdkafka

/// A Kafka producer (one `rd_kafka_t` of type producer).
///
/// Payloads are copied into librdkafka on `produce` (`RD_KAFKA_MSG_F_COPY`), so callers may reuse
/// their buffers at once. Delivery reports are counted (`delivered`, `failed`) and failures are
/// kept for `takeDeliveryFailures()`; they are served by `poll`, `flush` and by `produce` itself
/// when it waits on a full queue. Idempotence is plain configuration
/// (`enable.idempotence=true`, which implies `acks=all`).
///
/// Threading contract: use an instance from one thread at a time (calls may move between
/// threads, e.g. across tasks, but must not overlap). Delivery and error callbacks run
/// synchronously on the thread inside `produce`/`poll`/`flush`. This is why the class is
/// `@unchecked Sendable`: the compiler cannot check the contract, the caller keeps it.
public final class KafkaProducer: @unchecked Sendable {
    /// The one owner of the handle: destroyed in `deinit`, before `context` and topic handles'
    /// owner (this object) goes away.
    private let rk: OpaquePointer
    private let context: ClientContext
    /// Topic handles from `rd_kafka_topic_new`, owned here, destroyed in `deinit` before `rk`.
    private var topics: [String: OpaquePointer] = [:]

    /// How long `produce` keeps polling and retrying while librdkafka's queue is full before it
    /// throws `queueFull`. Default 30 s.
    public var queueFullTimeoutMs: Int = 30_000

    /// Creates a producer. Throws if a property is unknown/invalid or the client can't be created.
    public init(config: KafkaConfig) throws(KafkaError) {
        let context = ClientContext(log: config.logSink)
        self.context = context
        rk = try makeClientHandle(RD_KAFKA_PRODUCER, config: config, context: context) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf) { _, msg, opaque in
                guard let msg, let ctx = ClientContext.from(opaque) else { return }
                let m = msg.pointee
                if m.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    ctx.delivered &+= 1
                } else {
                    ctx.failed &+= 1
                    if ctx.deliveryFailures.count < ClientContext.maxKeptFailures {
                        let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) }
                        ctx.deliveryFailures.append(KafkaError(m.err, context: "delivery failed",
                                                               topic: topic, partition: m.partition))
                    } else {
                        ctx.droppedFailures &+= 1
                    }
                }
            }
            rd_kafka_conf_set_error_cb(conf) { rk, err, reason, opaque in
                guard let ctx = ClientContext.from(opaque) else { return }
                let text = reason.map { String(cString: $0) } ?? ""
                if err == RD_KAFKA_RESP_ERR__FATAL.rawValue, let rk,
                   let fatal = KafkaError.fatalError(of: rk, context: "producer") {
                    ctx.record(error: fatal)
                } else {
                    ctx.record(error: KafkaError(rd_kafka_resp_err_t(rawValue: err), context: "producer", detail: text))
                }
            }
        }
    }

    deinit {
        for (_, rkt) in topics { rd_kafka_topic_destroy(rkt) }   // our references, before rk goes
        rd_kafka_destroy(rk)   // outstanding messages are dropped; call flush first to avoid that
    }

    /// librdkafka's instance name (e.g. `rdkafka#producer-1`).
    public var name: String { String(cString: rd_kafka_name(rk)) }

    /// Messages acknowledged by the brokers so far.
    public var delivered: UInt64 { context.delivered }
    /// Messages that failed permanently (after librdkafka's retries and `message.timeout.ms`).
    public var failed: UInt64 { context.failed }
    /// Messages and requests still in librdkafka's queues (`rd_kafka_outq_len`).
    public var outstanding: Int { Int(rd_kafka_outq_len(rk)) }

    /// Returns and forgets the delivery failures collected since the last call (each with its
    /// error code, topic and partition). At most 10 000 are kept between calls; `failed` counts all.
    public func takeDeliveryFailures() -> [KafkaError] {
        defer { context.deliveryFailures.removeAll(); context.droppedFailures = 0 }
        return context.deliveryFailures
    }

    /// Returns and forgets client-level errors reported since the last call (e.g. all brokers
    /// down, transport failures; usually transient, logged and retried by librdkafka).
    public func takeErrors() -> [KafkaError] {
        defer { context.errors.removeAll() }
        return context.errors
    }

    /// The producer's fatal error, if one was raised (e.g. an idempotence guarantee was lost).
    public var fatalError: KafkaError? { KafkaError.fatalError(of: rk, context: "producer") }

    /// Produces one message, copying key and value. A nil `value` is a tombstone; a nil `key` has
    /// no key. `partition` nil lets the partitioner choose (by key hash). `timestampMs` nil means
    /// now. If the local queue is full, serves delivery reports and retries until
    /// `queueFullTimeoutMs`, then throws `queueFull`.
    public func produce(topic: String, key: [UInt8]?, value: [UInt8]?, partition: Int32? = nil,
                        timestampMs: Int64? = nil) throws(KafkaError) {
        try Self.withOptionalBytes(key) { (k) throws(KafkaError) in
            try Self.withOptionalBytes(value) { (v) throws(KafkaError) in
                try produce(topic: topic, keyBuffer: k, valueBuffer: v, partition: partition, timestampMs: timestampMs)
            }
        }
    }

    /// Produces one message from caller-owned memory without intermediate allocation; the bytes
    /// are copied before this returns. nil `valueBuffer` is a tombstone; an empty non-nil buffer
    /// is an empty (not null) value.
    public func produce(topic: String, keyBuffer: UnsafeRawBufferPointer?, valueBuffer: UnsafeRawBufferPointer?,
                        partition: Int32? = nil, timestampMs: Int64? = nil) throws(KafkaError) {
        let rkt = topicHandle(topic)
        var vus = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: 6)
        vus[0].vtype = RD_KAFKA_VTYPE_RKT
        vus[0].u.rkt = rkt
        vus[1].vtype = RD_KAFKA_VTYPE_PARTITION
        vus[1].u.i32 = partition ?? RD_KAFKA_PARTITION_UA
        vus[2].vtype = RD_KAFKA_VTYPE_MSGFLAGS
        vus[2].u.i = RD_KAFKA_MSG_F_COPY
        vus[3].vtype = RD_KAFKA_VTYPE_KEY
        vus[3].u.mem.ptr = Self.pointer(keyBuffer)
        vus[3].u.mem.size = keyBuffer?.count ?? 0
        vus[4].vtype = RD_KAFKA_VTYPE_VALUE
        vus[4].u.mem.ptr = Self.pointer(valueBuffer)
        vus[4].u.mem.size = valueBuffer?.count ?? 0
        var count = 5
        if let timestampMs {
            vus[5].vtype = RD_KAFKA_VTYPE_TIMESTAMP
            vus[5].u.i64 = timestampMs
            count = 6
        }
        let deadline = ContinuousClock.now + .milliseconds(queueFullTimeoutMs)
        while true {
            // rd_kafka_produceva returns nil or an rd_kafka_error_t we own (KafkaError consumes it).
            guard let error = vus.withUnsafeBufferPointer({ rd_kafka_produceva(rk, $0.baseAddress, count) }) else {
                return
            }
            if rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__QUEUE_FULL, ContinuousClock.now < deadline {
                rd_kafka_error_destroy(error)
                rd_kafka_poll(rk, 10)   // serve delivery reports to make room
                continue
            }
            if rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__FATAL, let fatal = fatalError {
                rd_kafka_error_destroy(error)
                throw fatal
            }
            try KafkaError.check(error, "produce to \(topic)")
        }
    }

    /// Serves delivery reports and client errors, waiting up to `timeoutMs` (0: don't wait).
    /// Returns the number of events served.
    @discardableResult
    public func poll(timeoutMs: Int32 = 0) -> Int {
        Int(rd_kafka_poll(rk, timeoutMs))
    }

    /// Waits until every outstanding message is delivered or failed (serving delivery reports),
    /// or throws `timedOut` after `timeoutMs` with `outstanding` messages still queued.
    public func flush(timeoutMs: Int32) throws(KafkaError) {
        let err = rd_kafka_flush(rk, timeoutMs)
        if err == RD_KAFKA_RESP_ERR__TIMED_OUT {
            throw KafkaError(err, context: "flush: \(outstanding) message(s) still outstanding after \(timeoutMs) ms")
        }
        try KafkaError.check(err, "flush", rk: rk)
    }

    // MARK: - Internals

    /// The cached topic handle for `name` (created on first use, owned by this producer).
    private func topicHandle(_ name: String) -> OpaquePointer {
        if let rkt = topics[name] { return rkt }
        let rkt = rd_kafka_topic_new(rk, name, nil)!   // nil conf: the default topic conf
        topics[name] = rkt
        return rkt
    }

    /// A non-null pointer for an empty but present buffer, so librdkafka sends an empty value
    /// rather than null (with a zero length it is never dereferenced or copied).
    nonisolated(unsafe) private static let emptyMarker = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

    private static func pointer(_ buffer: UnsafeRawBufferPointer?) -> UnsafeMutableRawPointer? {
        guard let buffer else { return nil }
        return buffer.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) } ?? emptyMarker
    }

    private static func withOptionalBytes<R>(_ bytes: [UInt8]?,
                                             _ body: (UnsafeRawBufferPointer?) throws(KafkaError) -> R) throws(KafkaError) -> R {
        guard let bytes else { return try body(nil) }
        let result: Result<R, KafkaError> = bytes.withUnsafeBytes { raw in
            do throws(KafkaError) { return .success(try body(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
