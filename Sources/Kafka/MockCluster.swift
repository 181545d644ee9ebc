import Crdkafka

/// An in-process Kafka cluster (librdkafka's mock cluster) on random loopback ports, for tests,
/// demos and a local development broker. Other clients, in this process or another, connect to
/// `bootstrapServers`.
///
/// It owns a dedicated producer handle (the mock cluster lives inside a client instance) and the
/// cluster itself; `deinit` destroys the cluster first, then the handle. Keep it alive longer
/// than the clients that use it, and close consumers before releasing it.
///
/// Threading contract: the mock functions are thread-safe in librdkafka (they post to the
/// cluster's own thread), so a `MockCluster` may be used from several threads; `@unchecked
/// Sendable` records that.
public final class MockCluster: @unchecked Sendable {
    /// Kafka protocol request types (ApiKey), for `pushRequestErrors`.
    public struct APIKey: RawRepresentable, Hashable, Sendable {
        /// The protocol's numeric ApiKey.
        public let rawValue: Int16
        /// Wraps a raw ApiKey.
        public init(rawValue: Int16) { self.rawValue = rawValue }
        public static let produce = APIKey(rawValue: 0)
        public static let fetch = APIKey(rawValue: 1)
        public static let listOffsets = APIKey(rawValue: 2)
        public static let metadata = APIKey(rawValue: 3)
        public static let offsetCommit = APIKey(rawValue: 8)
        public static let offsetFetch = APIKey(rawValue: 9)
        public static let findCoordinator = APIKey(rawValue: 10)
        public static let joinGroup = APIKey(rawValue: 11)
        public static let heartbeat = APIKey(rawValue: 12)
        public static let leaveGroup = APIKey(rawValue: 13)
        public static let syncGroup = APIKey(rawValue: 14)
        public static let initProducerId = APIKey(rawValue: 22)
    }

    /// The handle hosting the cluster; owned here, destroyed after the cluster.
    private let rk: OpaquePointer
    /// The cluster; owned here (`rd_kafka_mock_cluster_new`), destroyed first in `deinit`.
    private let cluster: OpaquePointer
    private let context: ClientContext
    /// Number of brokers; their ids are `1...brokerCount`.
    public let brokerCount: Int
    /// Comma-separated `host:port` list of the brokers.
    public let bootstrapServers: String

    /// Starts a cluster of `brokers` brokers. `config` configures the hosting handle (mostly its
    /// logging).
    public init(brokers: Int = 3, config: KafkaConfig = KafkaConfig()) throws(KafkaError) {
        let context = ClientContext(log: config.logSink)
        self.context = context
        let rk = try makeClientHandle(RD_KAFKA_PRODUCER, config: config, context: context)
        guard let cluster = rd_kafka_mock_cluster_new(rk, Int32(brokers)) else {
            rd_kafka_destroy(rk)
            throw KafkaError(code: .fail, message: "rd_kafka_mock_cluster_new(\(brokers)) failed", retriable: false)
        }
        self.rk = rk
        self.cluster = cluster
        brokerCount = brokers
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)   // the cluster first: it runs inside rk
        rd_kafka_destroy(rk)
    }

    /// Creates a topic (the admin API's CreateTopics times out against the mock cluster).
    public func createTopic(name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor)),
                             "create topic \(name)")
    }

    /// Takes broker `id` (1-based) down: connections are closed and refused until `setBrokerUp`.
    public func setBrokerDown(_ id: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_down(cluster, id), "set broker \(id) down")
    }

    /// Brings broker `id` back up.
    public func setBrokerUp(_ id: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_up(cluster, id), "set broker \(id) up")
    }

    /// Adds a round-trip delay to every response of broker `id`.
    public func setBrokerRTT(_ id: Int32, milliseconds: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_rtt(cluster, id, milliseconds), "set broker \(id) rtt")
    }

    /// Makes the next `errors.count` requests of type `apiKey` (on any broker) fail with these
    /// error codes, in order. `KafkaError.Code.transport` disconnects the client instead.
    public func pushRequestErrors(apiKey: APIKey, errors: [KafkaError.Code]) {
        let raw = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        raw.withUnsafeBufferPointer {
            rd_kafka_mock_push_request_errors_array(cluster, apiKey.rawValue, $0.count, $0.baseAddress)
        }
    }

    /// Drops errors pushed for `apiKey` that have not been used yet.
    public func clearRequestErrors(apiKey: APIKey) {
        rd_kafka_mock_clear_request_errors(cluster, apiKey.rawValue)
    }

    /// Makes every request for `topic` fail with `code` (or `.noError` to stop).
    public func setTopicError(_ topic: String, _ code: KafkaError.Code) {
        rd_kafka_mock_topic_set_error(cluster, topic, rd_kafka_resp_err_t(rawValue: code.rawValue))
    }

    /// Moves the leadership of a partition to broker `leader`.
    public func setPartitionLeader(topic: String, partition: Int32, leader: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_partition_set_leader(cluster, topic, partition, leader),
                             "set leader of \(topic)[\(partition)]")
    }
}
