import Foundation
import XCTest
@testable import Kafka

/// Opt-in throughput measurement (`KAFKA_BENCH=1 swift test --filter KafkaTests.ThroughputTests`);
/// skipped otherwise so the suite stays fast.
final class ThroughputTests: XCTestCase {
    func testProduceConsumeRate() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["KAFKA_BENCH"] == "1", "set KAFKA_BENCH=1")
        let n = 200_000, partitions = 8   // ≤ ~25 k per partition: the mock keeps ~5 MB each
        let cluster = try MockCluster(brokers: 3)
        let topic = TestSupport.unique("bench")
        try cluster.createTopic(name: topic, partitions: partitions)
        let producer = try KafkaProducer(config: TestSupport.producerConfig(cluster.bootstrapServers,
                                                                            ["enable.idempotence": "true"]))
        let payload = [UInt8](repeating: 0x61, count: 140)
        var key = [UInt8](repeating: 0x30, count: 8)
        let t0 = Date()
        try payload.withUnsafeBytes { vb in
            for i in 0..<n {
                key[0] = UInt8(truncatingIfNeeded: i)
                try key.withUnsafeBytes { kb in try producer.produce(topic: topic, keyBuffer: kb, valueBuffer: vb) }
                if i & 1023 == 0 { producer.poll() }
            }
        }
        try producer.flush(timeoutMs: 60_000)
        let produceSeconds = Date().timeIntervalSince(t0)
        XCTAssertEqual(producer.delivered, UInt64(n))

        let consumer = try KafkaConsumer(config: TestSupport.consumerConfig(cluster.bootstrapServers,
                                                                            group: TestSupport.unique("g")))
        try consumer.subscribe(topics: [topic])
        var count = 0, bytes = 0
        var t1: Date?
        let deadline = Date().addingTimeInterval(60)
        while count < n, Date() < deadline {
            if case .message? = try consumer.poll(timeoutMs: 100, { view in bytes += view.value?.count ?? 0 }) {
                if t1 == nil { t1 = Date() }
                count += 1
            }
        }
        let consumeSeconds = Date().timeIntervalSince(t1 ?? Date())
        XCTAssertEqual(count, n)
        print(String(format: "BENCH produce %.0f msg/s (%.2f s), consume %.0f msg/s (%.2f s, after first message), %d B values",
                     Double(n) / produceSeconds, produceSeconds, Double(n) / consumeSeconds, consumeSeconds, payload.count))
        try consumer.close()
    }
}
