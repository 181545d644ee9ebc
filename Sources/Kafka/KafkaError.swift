import Crdkafka

/// The one error type of the Kafka wrapper.
///
/// Every C error (an `rd_kafka_resp_err_t`, an `rd_kafka_error_t` object, a configuration
/// result, a fatal client error) enters Swift through the internal initialisers in this file and
/// nowhere else. `code` is librdkafka's numeric error code, `name` its symbolic name without the
/// `RD_KAFKA_RESP_ERR_` prefix (e.g. `_TRANSPORT`, `UNKNOWN_TOPIC_OR_PART`, or `CONF_UNKNOWN` for
/// configuration errors) and `message` the human-readable text.
public struct KafkaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// librdkafka's numeric error code (`rd_kafka_resp_err_t`), as a small value type with named
    /// constants for the codes callers usually branch on.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The raw `rd_kafka_resp_err_t` value. Negative values are client-side errors.
        public let rawValue: Int32
        /// Wraps a raw librdkafka error code.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// librdkafka's symbolic name for this code (e.g. `_QUEUE_FULL`).
        public var name: String { String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: rawValue))) }
        public var description: String { name }

        public static let noError = Code(RD_KAFKA_RESP_ERR_NO_ERROR)
        public static let fail = Code(RD_KAFKA_RESP_ERR__FAIL)
        public static let transport = Code(RD_KAFKA_RESP_ERR__TRANSPORT)
        public static let resolve = Code(RD_KAFKA_RESP_ERR__RESOLVE)
        public static let messageTimedOut = Code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
        public static let partitionEOF = Code(RD_KAFKA_RESP_ERR__PARTITION_EOF)
        public static let unknownPartition = Code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION)
        public static let unknownTopic = Code(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)
        public static let allBrokersDown = Code(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        public static let invalidArgument = Code(RD_KAFKA_RESP_ERR__INVALID_ARG)
        public static let timedOut = Code(RD_KAFKA_RESP_ERR__TIMED_OUT)
        public static let queueFull = Code(RD_KAFKA_RESP_ERR__QUEUE_FULL)
        public static let state = Code(RD_KAFKA_RESP_ERR__STATE)
        public static let fatal = Code(RD_KAFKA_RESP_ERR__FATAL)
        public static let assignmentLost = Code(RD_KAFKA_RESP_ERR__ASSIGNMENT_LOST)
        public static let maxPollExceeded = Code(RD_KAFKA_RESP_ERR__MAX_POLL_EXCEEDED)
        public static let unknownTopicOrPartition = Code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        public static let leaderNotAvailable = Code(RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE)
        public static let notLeaderForPartition = Code(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION)
        public static let requestTimedOut = Code(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT)
        public static let networkException = Code(RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION)
        public static let coordinatorLoadInProgress = Code(RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS)
        public static let coordinatorNotAvailable = Code(RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE)
        public static let notCoordinator = Code(RD_KAFKA_RESP_ERR_NOT_COORDINATOR)
        public static let notEnoughReplicas = Code(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS)
        public static let notEnoughReplicasAfterAppend = Code(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND)
        public static let rebalanceInProgress = Code(RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS)
        public static let illegalGeneration = Code(RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION)
        public static let unknownMemberId = Code(RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID)
        public static let topicAlreadyExists = Code(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        public static let offsetOutOfRange = Code(RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE)

        init(_ err: rd_kafka_resp_err_t) { self.rawValue = err.rawValue }

        /// Codes that a retry (after a short wait) can cure, used when librdkafka gives only a
        /// response code and no `rd_kafka_error_t` with its own retriable flag.
        static let retriable: Set<Code> = [
            .transport, .resolve, .allBrokersDown, .timedOut, .queueFull, .messageTimedOut,
            .leaderNotAvailable, .notLeaderForPartition, .requestTimedOut, .networkException,
            .coordinatorLoadInProgress, .coordinatorNotAvailable, .notCoordinator,
            .notEnoughReplicas, .notEnoughReplicasAfterAppend, .rebalanceInProgress,
            .unknownTopicOrPartition, Code(RD_KAFKA_RESP_ERR__WAIT_COORD),
            Code(RD_KAFKA_RESP_ERR__IN_PROGRESS), Code(RD_KAFKA_RESP_ERR__RETRY),
        ]
    }

    /// librdkafka's error code.
    public let code: Code
    /// librdkafka's symbolic name for the error (or `CONF_UNKNOWN` / `CONF_INVALID`).
    public let name: String
    /// Human-readable description, including the context in which it happened.
    public let message: String
    /// Whether retrying the operation may succeed.
    public let isRetriable: Bool
    /// Whether the client instance is unusable (e.g. an idempotent producer lost its guarantee);
    /// the caller should tear it down.
    public let isFatal: Bool
    /// The topic the error is about, when known (delivery failures, per-partition errors).
    public let topic: String?
    /// The partition the error is about, when known.
    public let partition: Int32?

    public var description: String {
        var s = "\(name) (\(code.rawValue)): \(message)"
        if let topic { s += " [topic=\(topic)" + (partition.map { " partition=\($0)" } ?? "") + "]" }
        if isFatal { s += " [fatal]" } else if isRetriable { s += " [retriable]" }
        return s
    }

    /// Full-control initialiser; kept internal so every error is built by this file's paths.
    init(code: Code, name: String? = nil, message: String, retriable: Bool? = nil, fatal: Bool = false,
         topic: String? = nil, partition: Int32? = nil) {
        self.code = code
        self.name = name ?? code.name
        self.message = message
        self.isFatal = fatal || code == .fatal
        self.isRetriable = !self.isFatal && (retriable ?? Code.retriable.contains(code))
        self.topic = topic
        self.partition = partition
    }

    /// From a response code. `context` says what was being done; librdkafka's own text
    /// (`rd_kafka_err2str`) is appended.
    init(_ err: rd_kafka_resp_err_t, context: String, detail: String? = nil,
         topic: String? = nil, partition: Int32? = nil) {
        let text = detail ?? String(cString: rd_kafka_err2str(err))
        self.init(code: Code(err), message: context.isEmpty ? text : "\(context): \(text)",
                  topic: topic, partition: partition)
    }

    /// From an `rd_kafka_error_t` object. Ownership: this initialiser takes the object and
    /// destroys it (`rd_kafka_error_destroy`); the caller must not use it afterwards.
    init(consuming error: OpaquePointer, context: String) {
        defer { rd_kafka_error_destroy(error) }
        let text = String(cString: rd_kafka_error_string(error))
        self.init(code: Code(rd_kafka_error_code(error)),
                  name: String(cString: rd_kafka_error_name(error)),
                  message: "\(context): \(text)",
                  retriable: rd_kafka_error_is_retriable(error) != 0,
                  fatal: rd_kafka_error_is_fatal(error) != 0)
    }

    /// A configuration property that librdkafka refused (`rd_kafka_conf_set` result + errstr).
    init(conf result: rd_kafka_conf_res_t, key: String, value: String, errstr: String) {
        let name = result == RD_KAFKA_CONF_UNKNOWN ? "CONF_UNKNOWN" : "CONF_INVALID"
        self.init(code: .invalidArgument, name: name,
                  message: "configuration \(key)=\(value) refused: \(errstr)", retriable: false)
    }

    /// The client's fatal error (`rd_kafka_fatal_error`), if one has been raised on `rk`.
    static func fatalError(of rk: OpaquePointer, context: String) -> KafkaError? {
        let bufSize = 512
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: bufSize) { buf -> KafkaError? in
            buf[0] = 0
            let err = rd_kafka_fatal_error(rk, buf.baseAddress, bufSize)
            guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
            return KafkaError(code: Code(err), message: "\(context): \(String(cString: buf.baseAddress!))",
                              fatal: true)
        }
    }

    /// The single check for response codes: returns on `NO_ERROR`, throws otherwise. A generic
    /// `_FATAL` is replaced by the client's underlying fatal error when `rk` is given.
    static func check(_ err: rd_kafka_resp_err_t, _ context: @autoclosure () -> String,
                      rk: OpaquePointer? = nil) throws(KafkaError) {
        guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        if err == RD_KAFKA_RESP_ERR__FATAL, let rk, let fatal = fatalError(of: rk, context: context()) {
            throw fatal
        }
        throw KafkaError(err, context: context())
    }

    /// The single check for `rd_kafka_error_t*` results: nil means success; a non-nil object is
    /// consumed (destroyed) and thrown.
    static func check(_ error: OpaquePointer?, _ context: @autoclosure () -> String) throws(KafkaError) {
        guard let error else { return }
        throw KafkaError(consuming: error, context: context())
    }
}
