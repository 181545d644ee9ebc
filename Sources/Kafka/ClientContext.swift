import Crdkafka

/// The object behind a client's conf opaque (`rd_kafka_conf_set_opaque`), reached from the C
/// callbacks through `Unmanaged`.
///
/// Lifetime: the owning client (producer, consumer, mock cluster) holds it strongly and destroys
/// its `rd_kafka_t` in `deinit` before releasing it, so the unretained pointer librdkafka keeps
/// is valid for every callback.
///
/// Threading contract: `log` is immutable and may be read from librdkafka's internal threads.
/// Every other member is touched only by the delivery / error / rebalance callbacks, which
/// librdkafka runs on the thread calling poll/flush/close, and by the owning client's methods,
/// which callers must use from one thread at a time. Hence `@unchecked Sendable`.
final class ClientContext: @unchecked Sendable {
    let log: KafkaLogSink

    // Producer state.
    var delivered: UInt64 = 0
    var failed: UInt64 = 0
    var deliveryFailures: [KafkaError] = []
    var droppedFailures: UInt64 = 0
    static let maxKeptFailures = 10_000
    var errors: [KafkaError] = []

    // Consumer state.
    var rebalanceHandler: ((RebalanceEvent) -> [TopicPartitionOffset]?)?
    var rebalanceErrors: [KafkaError] = []
    /// Broker connection states from the last statistics callback (`statistics.interval.ms` > 0).
    var brokerStates: KafkaBrokerStates?

    init(log: KafkaLogSink) { self.log = log }

    func record(error: KafkaError) {
        if errors.count >= Self.maxKeptFailures { errors.removeFirst() }
        errors.append(error)
    }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> ClientContext? {
        opaque.map { Unmanaged<ClientContext>.fromOpaque($0).takeUnretainedValue() }
    }
}

/// Creates a client handle from `config`, wiring the log callback and the context opaque.
///
/// `configure` may install more callbacks on the conf before the handle is created.
/// Ownership: `rd_kafka_new` takes the conf on success only; on failure we destroy it here.
/// The returned handle is owned by the caller, who must `rd_kafka_destroy` it before releasing
/// `context`.
func makeClientHandle(_ type: rd_kafka_type_t, config: KafkaConfig, context: ClientContext,
                      configure: (OpaquePointer) -> Void = { _ in }) throws(KafkaError) -> OpaquePointer {
    let conf = try config.makeConf()
    rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
    rd_kafka_conf_set_log_cb(conf) { rk, level, fac, buf in
        guard let rk, let ctx = ClientContext.from(rd_kafka_opaque(rk)) else { return }
        ctx.log.emit(level: level, facility: fac, message: buf, client: rd_kafka_name(rk))
    }
    configure(conf)
    let size = 512
    let result: Result<OpaquePointer, KafkaError> = withUnsafeTemporaryAllocation(of: CChar.self, capacity: size) { buf in
        buf[0] = 0
        if let rk = rd_kafka_new(type, conf, buf.baseAddress, size) {
            return .success(rk)   // conf now owned by rk
        }
        rd_kafka_conf_destroy(conf)   // not taken on failure
        return .failure(KafkaError(code: .invalidArgument, message: "rd_kafka_new: \(String(cString: buf.baseAddress!))",
                                   retriable: false))
    }
    return try result.get()
}
