import Foundation

/// The effective configuration: defaults, then the properties file, then environment variables,
/// then `--set key=value` overrides. Every value is validated against `ConfigSchema`.
public struct Configuration: Sendable {
    /// Validated StreamCRM keys (all of them, defaults filled in).
    public private(set) var values: [String: String]
    /// librdkafka properties for both consumer and producer (the `kafka.` prefix removed).
    public private(set) var kafkaCommon: [(String, String)] = []
    /// librdkafka properties for the consumer only.
    public private(set) var kafkaConsumer: [(String, String)] = []
    /// librdkafka properties for the producer only.
    public private(set) var kafkaProducer: [(String, String)] = []
    /// Where each key's value came from ("default", "file:line", "env", "--set").
    public private(set) var origins: [String: String] = [:]

    /// Environment variables that are not configuration keys although they start with `STREAMCRM_`.
    public static let nonKeyEnvironment: Set<String> = ["STREAMCRM_DATA_DIR", "STREAMCRM_BIN"]

    /// The defaults alone.
    public init() {
        values = [:]
        for key in ConfigSchema.keys {
            values[key.name] = key.defaultValue
            origins[key.name] = "default"
        }
    }

    /// Loads `file` (if given), then the environment, then `overrides` ("key=value" strings).
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                            overrides: [String] = []) throws -> Configuration {
        var config = Configuration()
        if let file {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ConfigError(key: "", value: file, problem: "cannot read it (\(error.localizedDescription))")
            }
            for entry in try PropertiesParser.parse(text, source: file) {
                try config.set(entry.key, entry.value, origin: "\(file):\(entry.line)")
            }
        }
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("STREAMCRM_") {
            if nonKeyEnvironment.contains(name) { continue }
            if name.hasPrefix("STREAMCRM_KAFKA_") {
                let key = "kafka." + name.dropFirst("STREAMCRM_KAFKA_".count).lowercased().replacingOccurrences(of: "_", with: ".")
                try config.set(key, value, origin: "env \(name)")
            } else if let key = ConfigSchema.keys.first(where: { $0.environmentName == name }) {
                try config.set(key.name, value, origin: "env \(name)")
            } else {
                throw ConfigError(key: name, value: value, problem: "unknown environment variable; StreamCRM keys are STREAMCRM_ followed by a key with dots as underscores")
            }
        }
        for item in overrides {
            guard let eq = item.firstIndex(of: "=") else {
                throw ConfigError(key: item, value: nil, problem: "--set expects key=value")
            }
            try config.set(String(item[..<eq]), String(item[item.index(after: eq)...]), origin: "--set")
        }
        try config.checkCombinations()
        return config
    }

    /// Sets one key after validating it.
    public mutating func set(_ key: String, _ value: String, origin: String) throws {
        if key.hasPrefix("kafka.") {
            try setKafka(key, value)
            return
        }
        guard let spec = ConfigSchema.key(named: key) else {
            let hint = ConfigSchema.keys.map(\.name).filter { $0.hasPrefix(key.split(separator: ".").first.map(String.init) ?? "") }
            let suggestion = hint.isEmpty ? "" : "; keys of that family: \(hint.joined(separator: ", "))"
            throw ConfigError(key: key, value: value, problem: "unknown key (from \(origin))\(suggestion)")
        }
        if let problem = spec.kind.validate(value) {
            throw ConfigError(key: key, value: value, problem: "\(problem) (from \(origin))")
        }
        values[key] = value
        origins[key] = origin
    }

    private mutating func setKafka(_ key: String, _ value: String) throws {
        func upsert(_ list: inout [(String, String)], _ k: String) {
            if let i = list.firstIndex(where: { $0.0 == k }) { list[i].1 = value } else { list.append((k, value)) }
        }
        if key.hasPrefix("kafka.consumer.") {
            let k = String(key.dropFirst("kafka.consumer.".count))
            guard !k.isEmpty else { throw ConfigError(key: key, value: value, problem: "missing librdkafka property name") }
            upsert(&kafkaConsumer, k)
        } else if key.hasPrefix("kafka.producer.") {
            let k = String(key.dropFirst("kafka.producer.".count))
            guard !k.isEmpty else { throw ConfigError(key: key, value: value, problem: "missing librdkafka property name") }
            upsert(&kafkaProducer, k)
        } else {
            let k = String(key.dropFirst("kafka.".count))
            guard !k.isEmpty else { throw ConfigError(key: key, value: value, problem: "missing librdkafka property name") }
            upsert(&kafkaCommon, k)
        }
    }

    /// librdkafka properties StreamCRM's guarantees depend on, with the values allowed.
    static let guardedKafka: [String: (allowed: Set<String>, why: String)] = [
        "group.id": ([], "set the consumer group with the StreamCRM key group.id"),
        "enable.auto.commit": (["false"], "offsets are committed after each checkpoint; auto-commit would commit unprocessed events"),
        "enable.auto.offset.store": (["false"], "offsets are stored by the checkpoint"),
        "enable.idempotence": (["true"], "the idempotent producer keeps outputs in order and without duplicates from retries"),
        "acks": (["all", "-1"], "outputs must be acknowledged by all in-sync replicas before a checkpoint"),
        "partition.assignment.strategy": (["range"], "partition p of every input topic must go to the same instance (a customer's clicks, orders and erasure meet one engine); only the range assignor does that (co-partitioned topics)"),
        "transactional.id": ([], "outputs are at-least-once with deterministic ids; a transactional producer refuses the daemon's produce calls"),
    ]

    /// Refuses combinations that cannot work or would silently break the guarantees.
    func checkCombinations() throws {
        for (key, value) in kafkaCommon + kafkaConsumer + kafkaProducer {
            if let rule = Self.guardedKafka[key], !rule.allowed.contains(value) {
                throw ConfigError(key: "kafka.\(key)", value: value, problem: "not allowed: \(rule.why)")
            }
        }
        let triggers = string("recommend.triggers").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let allowed = Set(["order"] + ["view", "click", "add_to_cart", "remove_from_cart", "wishlist", "search"])
        for t in triggers where !allowed.contains(t) {
            throw ConfigError(key: "recommend.triggers", value: string("recommend.triggers"),
                              problem: "unknown event type '\(t)'; allowed: \(allowed.sorted().joined(separator: ", "))")
        }
        // Kafka's rule for topic names (1–249 of [a-zA-Z0-9._-]); the changelog's default name
        // derives from group.id, which is checked with it.
        let legal = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        let topicKeys = ["topic.clickstream", "topic.orders", "topic.catalog", "topic.control", "topic.recommendations",
                         "topic.churn_alerts", "topic.segments", "topic.dead_letter"]
        for (key, name) in topicKeys.map({ ($0, string($0)) })
            + [(string("topic.changelog").isEmpty ? "group.id" : "topic.changelog", TopicNames(self).changelog)]
        where !name.isEmpty && (name.count > 249 || name == "." || name == ".." || !name.allSatisfy(legal.contains)) {
            let shown = key == "group.id" ? string("group.id") : name
            throw ConfigError(key: key, value: shown, problem: key == "group.id"
                ? "names the changelog topic '\(name)', which Kafka refuses: use only letters, digits, '.', '_' and '-' (or set topic.changelog)"
                : "is not a Kafka topic name: 1 to 249 of letters, digits, '.', '_' and '-'")
        }
        let inputs = Set(["topic.clickstream", "topic.orders", "topic.catalog", "topic.control"].map(string).filter { !$0.isEmpty })
        for key in ["topic.recommendations", "topic.churn_alerts", "topic.segments", "topic.dead_letter", "topic.changelog"] {
            let name = string(key)
            if inputs.contains(name) {
                throw ConfigError(key: key, value: name, problem: "is also an input topic; outputs read back as input would loop")
            }
        }
        // The catalog is read in full by every instance, outside the group (CatalogReader): a
        // customer topic named as the catalog would be read whole by every instance too.
        let names = TopicNames(self)
        if !names.catalog.isEmpty {
            for (key, other) in [("topic.clickstream", names.clickstream), ("topic.orders", names.orders),
                                 ("topic.control", names.control), ("topic.changelog", names.changelog)] where other == names.catalog {
                throw ConfigError(key: "topic.catalog", value: names.catalog,
                                  problem: "is also \(key); the catalog is read whole by every instance, outside the consumer group, and needs a topic of its own")
            }
        }
        var outputs: [String: String] = [:]
        for key in ["topic.recommendations", "topic.churn_alerts", "topic.segments", "topic.dead_letter"] {
            let name = string(key)
            if let other = outputs[name] {
                throw ConfigError(key: key, value: name, problem: "is also \(other); each output kind needs its own topic (segments is compacted by user id)")
            }
            outputs[name] = key
        }
        let address = string("http.address")
        var v4 = in_addr(), v6 = in6_addr()
        let isV4 = inet_pton(AF_INET, address, &v4) == 1
        if !isV4 && inet_pton(AF_INET6, address, &v6) != 1 {
            throw ConfigError(key: "http.address", value: address, problem: "expected an IPv4 or IPv6 address such as 127.0.0.1 or ::1")
        }
        // /customers/{id} serves personal data: off loopback it needs the bearer token.
        let loopback = isV4 ? (UInt32(bigEndian: v4.s_addr) >> 24) == 127
            : withUnsafeBytes(of: &v6) { $0.elementsEqual([UInt8](repeating: 0, count: 15) + [1]) }
        if !loopback && int("http.port") != -1 && string("http.token").isEmpty {
            throw ConfigError(key: "http.address", value: address,
                              problem: "is not a loopback address and http.token is empty: /customers serves personal data; set http.token (or bind 127.0.0.1 behind a proxy)")
        }
    }

    /// Fails unless the keys `run` needs are present.
    public func requireForDaemon() throws {
        let servers = (kafkaCommon + kafkaConsumer).filter { $0.0 == "bootstrap.servers" }.map(\.1)
        guard servers.contains(where: { $0.split(separator: ",").contains { !$0.trimmingCharacters(in: .whitespaces).isEmpty } }) else {
            throw ConfigError(key: "kafka.bootstrap.servers", value: nil, problem: "required: the Kafka brokers to connect to, e.g. kafka1:9092,kafka2:9092")
        }
    }

    // MARK: typed access (keys are validated, so these conversions cannot fail for schema keys)

    /// The text value of a schema key.
    public func string(_ key: String) -> String {
        guard let v = values[key] else { preconditionFailure("not a configuration key: \(key)") }
        return v
    }
    /// An integer key.
    public func int(_ key: String) -> Int64 { Int64(string(key))! }
    /// A number key.
    public func double(_ key: String) -> Double { Double(string(key))! }
    /// A boolean key.
    public func bool(_ key: String) -> Bool { string(key) == "true" }
}
