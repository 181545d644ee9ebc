import CRMModel

/// `streamcrm check-config FILE`: validates a configuration without starting anything.
enum CheckConfigCommand {
    static func main(_ args: [String]) throws -> Int32 {
        let parsed = try Arguments(args, command: "check-config")
        guard let file = parsed.value("config") ?? parsed.positional.first else {
            throw UsageError("check-config needs a FILE")
        }
        let config = try Configuration.load(file: file, overrides: parsed.values("set"))
        try config.requireForDaemon()
        try KafkaSettings(config).validate()
        let seed = config.string("model.seed")
        if !seed.isEmpty { _ = try ModelSeed.load(from: seed, config: EngineConfig(config)) }
        print("\(file): OK (\(config.kafkaCommon.count + config.kafkaConsumer.count + config.kafkaProducer.count) librdkafka properties, \(ConfigSchema.keys.count) StreamCRM keys)")
        return 0
    }
}
