import Foundation
import XCTest
@testable import Kafka

final class GroupTests: XCTestCase {
    private func produce(_ cluster: MockCluster, topic: String, count: Int, partitions: Int32? = nil) throws {
        let producer = try KafkaProducer(config: TestSupport.producerConfig(cluster.bootstrapServers))
        for i in 0..<count {
            try producer.produce(topic: topic, key: TestSupport.bytes("k\(i)"), value: TestSupport.bytes("\(i)"),
                                 partition: partitions.map { Int32(i) % $0 })
        }
        try producer.flush(timeoutMs: 10_000)
        XCTAssertEqual(producer.delivered, UInt64(count))
    }

    /// Offsets committed by one consumer survive its close; a new consumer in the same group
    /// resumes exactly there: no duplicates, no gaps. The revoke handler runs (during close)
    /// while the partitions are still assigned.
    func testCommittedOffsetsSurviveCloseAndResume() throws {
        let cluster = try MockCluster(brokers: 3)
        let topic = TestSupport.unique("resume")
        try cluster.createTopic(name: topic, partitions: 4)
        let n = 400
        try produce(cluster, topic: topic, count: n)
        let group = TestSupport.unique("g")
        let parts = (0..<4).map { TopicPartition(topic, Int32($0)) }

        var first: [KafkaMessage] = []
        var committedByFirst: [TopicPartitionOffset] = []
        do {
            let consumer = try KafkaConsumer(config: TestSupport.consumerConfig(cluster.bootstrapServers, group: group))
            var events: [RebalanceEvent] = []
            var assignedAtRevoke: [TopicPartition] = []
            consumer.rebalanceHandler = { [unowned consumer] event in
                events.append(event)
                if case .revoked = event { assignedAtRevoke = (try? consumer.assignment()) ?? [] }
                return nil
            }
            try consumer.subscribe(topics: [topic])
            first = try TestSupport.consume(consumer, count: 150)
            // Commit what was processed: per partition, the highest offset + 1.
            var next: [TopicPartition: Int64] = [:]
            for m in first { next[TopicPartition(m.topic, m.partition)] = max(next[TopicPartition(m.topic, m.partition)] ?? 0, m.offset + 1) }
            committedByFirst = next.map { TopicPartitionOffset($0.key, $0.value) }
            try consumer.commit(offsets: committedByFirst)
            let committed = try consumer.committed(partitions: parts, timeoutMs: 5_000)
            for c in committed {
                XCTAssertEqual(c.offset, next[c.topicPartition] ?? TopicPartitionOffset.invalid)
            }
            try consumer.close()
            XCTAssertEqual(events.first, .assigned(parts))
            XCTAssertEqual(events.last, .revoked(parts))
            XCTAssertEqual(Set(assignedAtRevoke), Set(parts), "revoke handler runs before unassign")
        }

        let second = try KafkaConsumer(config: TestSupport.consumerConfig(cluster.bootstrapServers, group: group))
        try second.subscribe(topics: [topic])
        let committed = try second.committed(partitions: parts, timeoutMs: 5_000)
        XCTAssertEqual(Set(committed.filter { $0.offset >= 0 }), Set(committedByFirst))
        let rest = try TestSupport.consume(second, count: n - first.count)
        let all = (first + rest).map { Int(TestSupport.string($0.value)!)! }
        XCTAssertEqual(all.count, n)
        XCTAssertEqual(Set(all), Set(0..<n), "no gaps, no duplicates")
        try second.close()
    }

    /// Offsets returned by the assign handler are where consumption starts; partitions left out
    /// start at the committed offset / auto.offset.reset. Checked for both rebalance protocols.
    func testAssignHandlerStartsAtReturnedOffsetsEager() throws {
        try assignHandlerStartsAtReturnedOffsets(strategy: "range", expectedProtocol: "EAGER")
    }

    func testAssignHandlerStartsAtReturnedOffsetsCooperative() throws {
        try assignHandlerStartsAtReturnedOffsets(strategy: "cooperative-sticky", expectedProtocol: "COOPERATIVE")
    }

    private func assignHandlerStartsAtReturnedOffsets(strategy: String, expectedProtocol: String) throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = TestSupport.unique("seek")
        try cluster.createTopic(name: topic, partitions: 2)
        try produce(cluster, topic: topic, count: 20, partitions: 2)   // 10 per partition
        let consumer = try KafkaConsumer(
            config: TestSupport.consumerConfig(cluster.bootstrapServers, group: TestSupport.unique("g"),
                                               ["partition.assignment.strategy": strategy]),
            rebalanceHandler: { event in
                guard case .assigned = event else { return nil }
                return [TopicPartitionOffset(topic, 0, 7)]
            })
        try consumer.subscribe(topics: [topic])
        var offsets: [Int32: [Int64]] = [:]
        XCTAssertTrue(try TestSupport.until(seconds: 20, step: {
            _ = try consumer.poll(timeoutMs: 100) { view in offsets[view.partition, default: []].append(view.offset) }
        }) { offsets.values.map(\.count).reduce(0, +) == 13 })
        XCTAssertEqual(offsets[0], [7, 8, 9])
        XCTAssertEqual(offsets[1], Array(0..<10))
        XCTAssertEqual(consumer.rebalanceProtocol, expectedProtocol)

        // Seek back on an assigned, fetching partition; pause/resume round trip.
        try consumer.seek([TopicPartitionOffset(topic, 1, 5)], timeoutMs: 5_000)
        var again: [Int64] = []
        XCTAssertTrue(try TestSupport.until(seconds: 10, step: {
            _ = try consumer.poll(timeoutMs: 100) { view in if view.partition == 1 { again.append(view.offset) } }
        }) { again.count == 5 })
        XCTAssertEqual(again, [5, 6, 7, 8, 9])
        try consumer.pause([TopicPartition(topic, 0)])
        try consumer.resume([TopicPartition(topic, 0)])
        try consumer.close()
    }

    /// Two consumers in one group split the partitions; when one closes, the other gets them all.
    func testTwoConsumersShareThenOneTakesAll() throws {
        let cluster = try MockCluster(brokers: 3)
        let topic = TestSupport.unique("shared")
        try cluster.createTopic(name: topic, partitions: 4)
        let group = TestSupport.unique("g")
        let all = Set((0..<4).map { TopicPartition(topic, Int32($0)) })
        let a = try KafkaConsumer(config: TestSupport.consumerConfig(cluster.bootstrapServers, group: group))
        let b = try KafkaConsumer(config: TestSupport.consumerConfig(cluster.bootstrapServers, group: group))
        var revokedFromB: [TopicPartition] = []
        b.rebalanceHandler = { event in
            if case .revoked(let p) = event { revokedFromB += p }
            return nil
        }
        try a.subscribe(topics: [topic])
        try b.subscribe(topics: [topic])
        let start = Date()
        let shared = try TestSupport.until(seconds: 20, step: {
            _ = try a.poll(timeoutMs: 50)
            _ = try b.poll(timeoutMs: 50)
        }) {
            let pa = Set(try a.assignment()), pb = Set(try b.assignment())
            return !pa.isEmpty && !pb.isEmpty && pa.isDisjoint(with: pb) && pa.union(pb) == all
        }
        XCTAssertTrue(shared, "partitions split between a and b")
        let sharedAfter = Date().timeIntervalSince(start)

        try a.close()
        let takeover = try TestSupport.until(seconds: 20, step: { _ = try b.poll(timeoutMs: 100) }) {
            Set(try b.assignment()) == all
        }
        XCTAssertTrue(takeover, "b takes all partitions after a leaves")
        print("group split after \(sharedAfter) s, takeover after \(Date().timeIntervalSince(start) - sharedAfter) s")
        try b.close()
        XCTAssertFalse(revokedFromB.isEmpty)
    }
}
