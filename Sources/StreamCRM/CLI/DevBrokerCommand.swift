import Foundation
import Kafka

/// `streamcrm dev-broker`: librdkafka's mock cluster on loopback, with the configured topics,
/// served to other processes until SIGINT/SIGTERM.
enum DevBrokerCommand {
    static func main(_ args: [String]) throws -> Int32 {
        let parsed = try Arguments(args, valueOptions: ["brokers", "partitions", "bootstrap-file", "config", "set"], flagOptions: [])
        let brokers = try parsed.int("brokers", default: 3)
        let partitions = try parsed.int("partitions", default: 8)
        guard (1...16).contains(brokers) else { throw UsageError("--brokers must be 1...16") }
        guard (1...256).contains(partitions) else { throw UsageError("--partitions must be 1...256") }
        let config = try Configuration.load(file: parsed.value("config"), overrides: parsed.values("set"))
        let broker = try DevBroker(brokers: brokers, partitions: partitions, topics: TopicNames(config))
        if let file = parsed.value("bootstrap-file") {
            try (broker.bootstrapServers + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        }
        print(broker.bootstrapServers)
        fflush(nil)
        StandardError.write("dev-broker: \(brokers) brokers, topics \(broker.topics.all.joined(separator: ", ")) with \(partitions) partitions; Ctrl-C stops\n")
        let stop = StopSignal()
        stop.install()
        while !stop.isStopRequested { usleep(100_000) }
        StandardError.write("dev-broker: stopped\n")
        return 0
    }
}

/// An embedded Kafka for development and tests: librdkafka's mock cluster with StreamCRM's topics.
public final class DevBroker {
    public let cluster: MockCluster
    public let topics: TopicNames
    public var bootstrapServers: String { cluster.bootstrapServers }

    public init(brokers: Int = 3, partitions: Int = 8, topics: TopicNames = TopicNames()) throws {
        cluster = try MockCluster(brokers: brokers)
        self.topics = topics
        self.partitions = partitions
        replication = min(brokers, 3)
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
