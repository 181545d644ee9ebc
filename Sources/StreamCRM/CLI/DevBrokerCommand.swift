import Foundation
import Kafka
import Synchronization

/// `streamcrm dev-broker`: librdkafka's mock cluster on loopback, with the configured topics,
/// served to other processes until SIGINT/SIGTERM. Fault control for tests: SIGUSR1 takes every
/// broker down, SIGUSR2 brings them all back up.
enum DevBrokerCommand {
    static func main(_ args: [String]) throws -> Int32 {
        let parsed = try Arguments(args, command: "dev-broker")
        let brokers = try parsed.int("brokers", default: 3)
        let partitions = try parsed.int("partitions", default: 8)
        guard (1...16).contains(brokers) else { throw UsageError("--brokers must be 1...16") }
        guard (1...256).contains(partitions) else { throw UsageError("--partitions must be 1...256") }
        let outputPartitions = try parsed.int("output-partitions", default: partitions)
        guard (1...256).contains(outputPartitions) else { throw UsageError("--output-partitions must be 1...256") }
        let config = try Configuration.load(file: parsed.value("config"), overrides: parsed.values("set"))
        let broker = try DevBroker(brokers: brokers, partitions: partitions, outputPartitions: outputPartitions,
                                   topics: TopicNames(config))
        if let file = parsed.value("bootstrap-file") {
            try (broker.bootstrapServers + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        }
        print(broker.bootstrapServers)
        fflush(nil)
        StandardError.write("dev-broker: \(brokers) brokers, topics \(broker.topics.all.joined(separator: ", ")) with \(partitions) partitions; Ctrl-C stops\n")
        let stop = StopSignal()
        stop.install()
        BrokerFaultSignal.install()
        while !stop.isStopRequested {
            usleep(100_000)
            if let up = BrokerFaultSignal.take() {
                for id in 1...Int32(brokers) {
                    do { if up { try broker.cluster.setBrokerUp(id) } else { try broker.cluster.setBrokerDown(id) } } catch {
                        StandardError.write("dev-broker: broker \(id): \(error)\n")
                    }
                }
                StandardError.write("dev-broker: all \(brokers) brokers \(up ? "up" : "down")\n")
            }
        }
        StandardError.write("dev-broker: stopped\n")
        return 0
    }
}

/// SIGUSR1 (all brokers down) and SIGUSR2 (all up) for `dev-broker`; the handler only stores.
enum BrokerFaultSignal {
    /// 0: nothing pending, 1: down requested, 2: up requested.
    private static let pending = Atomic<Int>(0)

    static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { sig in
            BrokerFaultSignal.pending.store(sig == SIGUSR2 ? 2 : 1, ordering: .releasing)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        for sig in [SIGUSR1, SIGUSR2] { sigaction(sig, &action, nil) }
    }

    /// The pending request (true: up, false: down), taken.
    static func take() -> Bool? {
        switch pending.exchange(0, ordering: .acquiringAndReleasing) {
        case 1: return false
        case 2: return true
        default: return nil
        }
    }
}

/// An embedded Kafka for development and tests: librdkafka's mock cluster with StreamCRM's topics.
public final class DevBroker {
    public let cluster: MockCluster
    public let topics: TopicNames
    public var bootstrapServers: String { cluster.bootstrapServers }

    /// - Parameters:
    ///   - partitions: partitions of the input topics and the changelog (they are co-partitioned).
    ///   - outputPartitions: partitions of the output topics (default: `partitions`); more of them
    ///     give a reader more room, since the mock cluster keeps only ~5 MB per partition.
    public init(brokers: Int = 3, partitions: Int = 8, outputPartitions: Int? = nil, topics: TopicNames = TopicNames()) throws {
        cluster = try MockCluster(brokers: brokers)
        self.topics = topics
        self.partitions = partitions
        replication = min(brokers, 3)
        for topic in topics.outputs {
            try cluster.createTopic(name: topic, partitions: outputPartitions ?? partitions, replicationFactor: replication)
            created.insert(topic)
        }
        try ensure(topics: topics.all)
    }

    private let partitions: Int
    private let replication: Int
    private var created: Set<String> = []

    /// Creates the topics that do not exist yet (e.g. another group's changelog).
    public func ensure(topics names: [String]) throws {
        for topic in names where !created.contains(topic) {
            try cluster.createTopic(name: topic, partitions: partitions, replicationFactor: replication)
            created.insert(topic)
        }
    }
}
