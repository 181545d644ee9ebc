import Foundation
import XCTest
@testable import Kafka

final class FaultAndConfigTests: XCTestCase {
    /// All brokers down: produced messages wait (nothing is lost or reported failed), the
    /// producer reports transient errors, the consumer polls transient errors as values; after
    /// the brokers come back everything is delivered exactly once and consumed.
    func testBrokerOutageThenRecoveryDeliversEverything() throws {
        let cluster = try MockCluster(brokers: 3)
        let topic = TestSupport.unique("outage")
        try cluster.createTopic(name: topic, partitions: 4)
        let fast: KeyValuePairs<String, String> = ["reconnect.backoff.ms": "50", "reconnect.backoff.max.ms": "500"]
        var pcfg = TestSupport.producerConfig(cluster.bootstrapServers, ["enable.idempotence": "true",
                                                                         "message.timeout.ms": "60000"])
        for (k, v) in fast { pcfg.set(k, v) }
        let producer = try KafkaProducer(config: pcfg)
        var ccfg = TestSupport.consumerConfig(cluster.bootstrapServers, group: TestSupport.unique("g"))
        for (k, v) in fast { ccfg.set(k, v) }
        let consumer = try KafkaConsumer(config: ccfg)
        try consumer.subscribe(topics: [topic])

        for i in 0..<100 { try producer.produce(topic: topic, key: TestSupport.bytes("k\(i)"), value: TestSupport.bytes("\(i)")) }
        try producer.flush(timeoutMs: 10_000)
        var received = try TestSupport.consume(consumer, count: 100)

        for id in 1...3 { try cluster.setBrokerDown(Int32(id)) }
        for i in 100..<600 { try producer.produce(topic: topic, key: TestSupport.bytes("k\(i)"), value: TestSupport.bytes("\(i)")) }
        var consumerErrors: [KafkaError] = []
        TestSupport.until(seconds: 8, step: {
            producer.poll(timeoutMs: 50)
            if case .error(let e)? = try? consumer.poll(timeoutMs: 50) { consumerErrors.append(e) }
            if case .message(let m)? = try? consumer.poll(timeoutMs: 0) { received.append(m) }
        }) { !consumerErrors.isEmpty && !producer.takeErrors().isEmpty }
        XCTAssertLessThan(producer.delivered, 600, "outage held deliveries back")
        XCTAssertEqual(producer.failed, 0)
        XCTAssertFalse(consumerErrors.isEmpty, "consumer reports the outage as a value")
        XCTAssertTrue(consumerErrors.allSatisfy { !$0.isFatal }, "\(consumerErrors)")

        for id in 1...3 { try cluster.setBrokerUp(Int32(id)) }
        try producer.flush(timeoutMs: 30_000)
        XCTAssertEqual(producer.delivered, 600)
        XCTAssertEqual(producer.failed, 0)
        XCTAssertNil(producer.fatalError)

        received += try TestSupport.consume(consumer, count: 600 - received.count, seconds: 30)
        let values = received.map { Int(TestSupport.string($0.value)!)! }
        XCTAssertEqual(values.count, 600)
        XCTAssertEqual(Set(values).count, values.count, "no duplicates")
        XCTAssertEqual(Set(0..<600).subtracting(values).sorted(), [], "missing")
        try consumer.close()
    }

    /// An unknown key or a bad value is refused with a KafkaError naming key and value.
    func testBadConfigurationIsRefusedNamingTheKey() {
        XCTAssertThrowsError(try KafkaProducer(config: KafkaConfig(["no.such.property": "1"]))) { error in
            let e = error as! KafkaError
            XCTAssertEqual(e.name, "CONF_UNKNOWN")
            XCTAssertEqual(e.code, .invalidArgument)
            XCTAssertTrue(e.message.contains("no.such.property=1"), e.message)
            XCTAssertFalse(e.isRetriable)
        }
        XCTAssertThrowsError(try KafkaProducer(config: KafkaConfig(["acks": "banana"]))) { error in
            let e = error as! KafkaError
            XCTAssertEqual(e.name, "CONF_INVALID")
            XCTAssertTrue(e.message.contains("acks=banana"), e.message)
        }
        XCTAssertThrowsError(try KafkaConsumer(config: KafkaConfig(["bootstrap.servers": "127.0.0.1:9"]))) { error in
            XCTAssertTrue((error as! KafkaError).message.contains("group.id"))
        }
        XCTAssertThrowsError(try KafkaConsumer(config: KafkaConfig(["group.id": "g", "session.timeout.ms": "x"]))) { error in
            XCTAssertTrue((error as! KafkaError).message.contains("session.timeout.ms=x"))
        }
    }

    /// Config is ordered: the last value wins; subscript reads the effective value.
    func testConfigOrderingAndSubscript() {
        var c = KafkaConfig(["acks": "1"])
        c["acks"] = "all"
        XCTAssertEqual(c["acks"], "all")
        XCTAssertEqual(c.properties.map(\.key), ["acks", "acks"])
        c["acks"] = nil
        XCTAssertNil(c["acks"])
    }

    /// The log hook receives librdkafka's lines at or above the chosen level only.
    func testLogHookForwardsAndFilters() throws {
        let verbose = LogCollector()
        var cfg = KafkaConfig(["debug": "generic", "bootstrap.servers": "127.0.0.1:1"])
        cfg.logLevel = .debug
        cfg.logHandler = verbose.handler
        do { _ = try KafkaProducer(config: cfg) }
        XCTAssertFalse(verbose.all.isEmpty)
        XCTAssertTrue(verbose.all.contains { $0.level == .debug && !$0.facility.isEmpty && $0.client.contains("producer") })

        let quiet = LogCollector()
        cfg.logLevel = .error
        cfg.logHandler = quiet.handler
        do { _ = try KafkaProducer(config: cfg) }
        XCTAssertTrue(quiet.all.allSatisfy { $0.level <= .error }, "\(quiet.all.map(\.level))")
    }

    /// Errors keep librdkafka's code, name and retriable/fatal classification.
    func testErrorClassification() {
        let e = KafkaError(code: .transport, message: "x")
        XCTAssertTrue(e.isRetriable)
        XCTAssertFalse(e.isFatal)
        XCTAssertEqual(e.name, "_TRANSPORT")
        XCTAssertEqual(KafkaError.Code.queueFull.name, "_QUEUE_FULL")
        let f = KafkaError(code: .fatal, message: "y")
        XCTAssertTrue(f.isFatal)
        XCTAssertFalse(f.isRetriable)
    }
}
