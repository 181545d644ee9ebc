import Foundation
import XCTest
@testable import Kafka

final class ProduceConsumeTests: XCTestCase {
    /// N messages to a 4-partition topic, consumed by one group member: exact counts, per-partition
    /// offsets contiguous from 0, per-key order kept, delivery reports counted.
    func testProduceAndConsumeAllInOrder() throws {
        let cluster = try MockCluster(brokers: 3)
        let topic = TestSupport.unique("orders")
        try cluster.createTopic(name: topic, partitions: 4, replicationFactor: 1)

        let n = 5_000
        let producer = try KafkaProducer(config: TestSupport.producerConfig(cluster.bootstrapServers))
        for i in 0..<n {
            try producer.produce(topic: topic, key: TestSupport.bytes("customer-\(i % 37)"),
                                 value: TestSupport.bytes("\(i)"))
            if i % 500 == 0 { producer.poll() }
        }
        try producer.flush(timeoutMs: 20_000)
        XCTAssertEqual(producer.delivered, UInt64(n))
        XCTAssertEqual(producer.failed, 0)
        XCTAssertEqual(producer.outstanding, 0)
        XCTAssertTrue(producer.takeDeliveryFailures().isEmpty)

        let consumer = try KafkaConsumer(config: TestSupport.consumerConfig(cluster.bootstrapServers,
                                                                            group: TestSupport.unique("g")))
        try consumer.subscribe(topics: [topic])
        let messages = try TestSupport.consume(consumer, count: n)
        // Nothing extra arrives.
        XCTAssertNil(try consumer.poll(timeoutMs: 300).flatMap { if case .message(let m) = $0 { m } else { nil } })

        var nextOffset: [Int32: Int64] = [:]
        var lastByKey: [String: Int] = [:]
        var seen = Set<Int>()
        for m in messages {
            XCTAssertEqual(m.topic, topic)
            XCTAssertEqual(m.offset, nextOffset[m.partition, default: 0], "gap or reorder in partition \(m.partition)")
            nextOffset[m.partition] = m.offset + 1
            let key = TestSupport.string(m.key)!
            let value = Int(TestSupport.string(m.value)!)!
            XCTAssertTrue(seen.insert(value).inserted, "duplicate \(value)")
            if let last = lastByKey[key] { XCTAssertLessThan(last, value, "key order for \(key)") }
            lastByKey[key] = value
            XCTAssertNotNil(m.timestampMs)
        }
        XCTAssertEqual(seen.count, n)
        XCTAssertEqual(Set(nextOffset.keys), [0, 1, 2, 3], "all partitions used")
        XCTAssertEqual(nextOffset.values.reduce(0, +), Int64(n))

        // Positions, watermarks and lag agree with what was consumed.
        let parts = (0..<4).map { TopicPartition(topic, Int32($0)) }
        XCTAssertEqual(Set(try consumer.assignment()), Set(parts))
        for p in try consumer.position(parts) { XCTAssertEqual(p.offset, nextOffset[p.partition]) }
        for tp in parts {
            let wm = try consumer.watermarks(for: tp, timeoutMs: 5_000)
            XCTAssertEqual(wm.low, 0)
            XCTAssertEqual(wm.high, nextOffset[tp.partition])
        }
        XCTAssertEqual(try consumer.lag(for: parts, timeoutMs: 5_000).values.reduce(0, +), 0)
        try consumer.close()
        try consumer.close()   // idempotent
        XCTAssertTrue(consumer.isClosed)
    }

    /// A nil value is a tombstone and arrives as nil; an empty value arrives as empty; no key
    /// arrives as nil. Also exercises the zero-copy produce and poll paths.
    func testTombstonesAndEmptyValuesZeroCopy() throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = TestSupport.unique("compacted")
        try cluster.createTopic(name: topic, partitions: 1)
        let producer = try KafkaProducer(config: TestSupport.producerConfig(cluster.bootstrapServers))
        try producer.produce(topic: topic, key: TestSupport.bytes("a"), value: TestSupport.bytes("x"))
        try producer.produce(topic: topic, key: TestSupport.bytes("a"), value: nil)
        try producer.produce(topic: topic, key: TestSupport.bytes("b"), value: [])
        let k = TestSupport.bytes("c"), v = TestSupport.bytes("raw")
        try k.withUnsafeBytes { kb in
            try v.withUnsafeBytes { vb in
                try producer.produce(topic: topic, keyBuffer: kb, valueBuffer: vb, partition: 0, timestampMs: 1_700_000_000_000)
            }
        }
        try producer.produce(topic: topic, keyBuffer: nil, valueBuffer: nil)
        try producer.flush(timeoutMs: 10_000)
        XCTAssertEqual(producer.delivered, 5)

        let consumer = try KafkaConsumer(config: TestSupport.consumerConfig(cluster.bootstrapServers,
                                                                            group: TestSupport.unique("g")))
        try consumer.subscribe(topics: [topic])
        var got: [KafkaMessage] = []
        var zeroCopyValueWasNil: [Bool] = []
        XCTAssertTrue(try TestSupport.until(seconds: 20, step: {
            if case .message(let m)? = try consumer.poll(timeoutMs: 100, { view -> KafkaMessage in
                zeroCopyValueWasNil.append(view.value == nil)
                return view.copy()
            }) { got.append(m) }
        }) { got.count == 5 })
        XCTAssertEqual(got.map(\.offset), [0, 1, 2, 3, 4])
        XCTAssertEqual(got.map { TestSupport.string($0.key) }, ["a", "a", "b", "c", nil])
        XCTAssertEqual(got[0].value, TestSupport.bytes("x"))
        XCTAssertNil(got[1].value, "tombstone")
        XCTAssertEqual(got[2].value, [], "empty, not null")
        XCTAssertEqual(got[3].value, TestSupport.bytes("raw"))
        XCTAssertEqual(got[3].timestampMs, 1_700_000_000_000)
        XCTAssertNil(got[4].value)
        XCTAssertEqual(zeroCopyValueWasNil, [false, true, false, false, true])
        try consumer.close()
    }

    /// Idempotent producer (acks=all) against the mock cluster, with injected retriable produce
    /// errors: every message lands exactly once, in order.
    func testIdempotentProducerWithInjectedErrors() throws {
        let cluster = try MockCluster(brokers: 3)
        let topic = TestSupport.unique("idem")
        try cluster.createTopic(name: topic, partitions: 2, replicationFactor: 3)
        let producer = try KafkaProducer(config: TestSupport.producerConfig(
            cluster.bootstrapServers, ["enable.idempotence": "true", "acks": "all"]))
        try producer.produce(topic: topic, key: nil, value: TestSupport.bytes("warmup"), partition: 0)
        try producer.flush(timeoutMs: 10_000)
        cluster.pushRequestErrors(apiKey: .produce, errors: [.notEnoughReplicas, .requestTimedOut,
                                                             .notLeaderForPartition, .transport])
        let n = 1_000
        for i in 0..<n {
            try producer.produce(topic: topic, key: nil, value: TestSupport.bytes("\(i)"), partition: Int32(i % 2))
        }
        try producer.flush(timeoutMs: 30_000)
        XCTAssertEqual(producer.delivered, UInt64(n + 1))
        XCTAssertEqual(producer.failed, 0)
        XCTAssertNil(producer.fatalError)

        let consumer = try KafkaConsumer(config: TestSupport.consumerConfig(cluster.bootstrapServers,
                                                                            group: TestSupport.unique("g")))
        try consumer.subscribe(topics: [topic])
        let got = try TestSupport.consume(consumer, count: n + 1)
        let values = got.compactMap { TestSupport.string($0.value) }.filter { $0 != "warmup" }.map { Int($0)! }
        XCTAssertEqual(values.count, n)
        XCTAssertEqual(Set(values).count, n, "no duplicates")
        for p in 0..<2 {
            let inPartition = got.filter { $0.partition == p && TestSupport.string($0.value) != "warmup" }
                .map { Int(TestSupport.string($0.value)!)! }
            XCTAssertEqual(inPartition, inPartition.sorted(), "order in partition \(p)")
        }
        try consumer.close()
    }
}
