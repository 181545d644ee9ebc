import CRMModel
import Foundation
import Kafka

/// One demo run: broker, traffic, daemon, read-back, summary.
struct DemoRun {
    let traffic: ShopTrafficConfig
    let partitions: Int
    let verbose: Bool

    struct Report {
        var text: String
        var ok: Bool
    }

    func run() throws -> Report {
        let started = Date()
        let say: (String) -> Void = { StandardError.write("demo: \($0)\n") }
        let broker = try DevBroker(brokers: 3, partitions: partitions)
        say("embedded Kafka (librdkafka mock cluster) at \(broker.bootstrapServers), \(partitions) partitions per topic")
        let shop = ShopTrafficGenerator(config: traffic).generate()
        say("generated \(shop.events.count) events from \(shop.customers.count) customers over \(traffic.days) days, \(shop.catalog.count) catalog items (seed \(traffic.seed))")

        try produce(shop, to: broker)
        say("produced the events to \(broker.topics.inputs.joined(separator: ", "))")

        let stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("streamcrm-demo-\(getpid())").path
        try? FileManager.default.removeItem(atPath: stateDir)
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        let config = try Configuration.load(file: nil, environment: [:], overrides: [
            "kafka.bootstrap.servers=\(broker.bootstrapServers)",
            "kafka.consumer.session.timeout.ms=6000",
            "group.id=streamcrm-demo",
            "state.dir=\(stateDir)",
            "http.port=-1",
            "log.level=\(verbose ? "info" : "warn")",
        ])
        try broker.ensure(topics: TopicNames(config).all)
        let logger = Logger(level: verbose ? .info : .warn)
        var options = DaemonOptions()
        options.stopWhenCaughtUp = true
        let daemon = try CRMDaemon(configuration: config, logger: logger, stopSignal: StopSignal(), options: options)
        say("running the daemon (consumer group streamcrm-demo) until it has caught up")
        let daemonStarted = Date()
        let status = try daemon.run()
        let daemonSeconds = Date().timeIntervalSince(daemonStarted)
        let counts = daemon.processor.counts
        say(String(format: "daemon processed %d events in %.1f s and stopped cleanly (exit %d)", counts.events, daemonSeconds, status))

        let outputs = try OutputReader(bootstrap: broker.bootstrapServers, partitions: partitions).readAll(topics: broker.topics.outputs)
        let final = try StoredEngine.load(directory: stateDir, config: EngineConfig(config))
        let summary = DemoSummary(topics: broker.topics, events: shop.events, outputs: outputs, engine: final)
        var text = summary.render()
        text += String(format: "\nTotal time %.1f s.\n", Date().timeIntervalSince(started))
        let ok = status == 0 && counts.events == shop.events.count + shop.catalog.count
            && outputs[broker.topics.recommendations, default: []].count > 0
        if !ok { text += "\nDEMO FAILED: not every event was processed or no recommendation came out.\n" }
        return Report(text: text, ok: ok)
    }

    private func produce(_ shop: ShopTraffic, to broker: DevBroker) throws {
        let producer = try KafkaProducer(config: KafkaConfig([("bootstrap.servers", broker.bootstrapServers),
                                                              ("linger.ms", "5"), ("enable.idempotence", "true")]))
        let encoder = EventEncoder()
        var buffer: [UInt8] = []
        for item in shop.catalog {
            buffer.removeAll(keepingCapacity: true)
            encoder.encode(.catalog(item), into: &buffer)
            try producer.produce(topic: broker.topics.catalog, key: Array(item.itemID.utf8), value: buffer)
        }
        for event in shop.events {
            buffer.removeAll(keepingCapacity: true)
            encoder.encode(event, into: &buffer)
            try producer.produce(topic: broker.topics.topic(for: event), key: Array((event.userID ?? "").utf8), value: buffer)
            producer.poll(timeoutMs: 0)
        }
        try producer.flush(timeoutMs: 60_000)
        guard producer.failed == 0 else { throw DaemonError("demo: \(producer.failed) input events were not delivered") }
    }
}
