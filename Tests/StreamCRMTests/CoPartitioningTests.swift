import CRMModel
import Foundation
import Kafka
import XCTest
@testable import StreamCRM

/// Two instances in one group: partition p of every input topic belongs to one instance (a
/// customer's clicks, orders and erasure meet one engine). The sticky assignor broke this (found
/// by the second attack round: shop.orders[0,1] on one instance, shop.clickstream[0,1] on the other).
final class CoPartitioningTests: XCTestCase {
    func testEachInstanceOwnsTheSamePartitionNumbersOfEveryInputTopic() throws {
        let h = try DaemonHarness(partitions: 4)
        // Catalog records on every partition: each instance reads the whole catalog (CatalogReader),
        // not the partitions the group gives it.
        let encoder = EventEncoder()
        try h.broker.ensure(topics: [h.topics.catalog])
        try h.produce((0..<12).map { i in
            (topic: h.topics.catalog, key: "i\(i)", value: encoder.encode(.catalog(CatalogItem(itemID: "i\(i)", category: "c"))))
        })
        var daemons: [(daemon: CRMDaemon, stop: StopSignal, lines: LineBox, done: DispatchSemaphore)] = []
        for name in ["a", "b"] {
            let dir = h.stateDir + "-" + name
            let config = try Configuration.load(file: nil, environment: [:], overrides: [
                "kafka.bootstrap.servers=\(h.broker.bootstrapServers)", "kafka.consumer.session.timeout.ms=6000",
                "group.id=copart", "state.dir=\(dir)", "http.port=-1",
            ])
            try h.broker.ensure(topics: TopicNames(config).all)
            let lines = LineBox()
            let logger = Logger(level: .info, sink: { line in lines.withLock { $0.append(line) } })
            let stop = StopSignal()
            let daemon = try CRMDaemon(configuration: config, logger: logger, stopSignal: stop)
            let done = DispatchSemaphore(value: 0)
            nonisolated(unsafe) let running = daemon   // the thread owns the loop; the test reads only atomics
            Thread { _ = try? running.run(); done.signal() }.start()
            daemons.append((daemon, stop, lines, done))
            // The second joins once the first has its partitions.
            XCTAssertTrue(eventually(timeout: 30) { daemon.status.assignedPartitions > 0 })
        }
        defer {
            for d in daemons { d.stop.requestStop(); _ = d.done.wait(timeout: .now() + 60) }
            for name in ["a", "b"] { try? FileManager.default.removeItem(atPath: h.stateDir + "-" + name) }
        }
        let inputs = h.topics.customerKeyedInputs
        // Stable split: both have partitions and together hold every input partition once.
        XCTAssertTrue(eventually(timeout: 60) {
            let a = daemons[0].daemon.status.assignedPartitions, b = daemons[1].daemon.status.assignedPartitions
            return a > 0 && b > 0 && a + b == inputs.count * 4
        }, "no stable split")
        func current(_ lines: LineBox) -> [String: Set<Int32>] {
            let last = lines.withLock { $0.last { $0.contains("msg=\"partitions assigned\"") } } ?? ""
            guard let field = last.split(separator: " ").first(where: { $0.hasPrefix("partitions=") }) else { return [:] }
            var byTopic: [String: Set<Int32>] = [:]
            for tp in field.dropFirst("partitions=".count).split(separator: ",") {
                guard let open = tp.lastIndex(of: "["), let p = Int32(tp[tp.index(after: open)...].dropLast()) else { continue }
                byTopic[String(tp[..<open]), default: []].insert(p)
            }
            return byTopic
        }
        let a = current(daemons[0].lines), b = current(daemons[1].lines)
        XCTAssertEqual(Set(a.keys), Set(inputs), "instance a: \(a)")
        XCTAssertEqual(Set(b.keys), Set(inputs), "instance b: \(b)")
        let aNumbers = Set(a.values), bNumbers = Set(b.values)
        XCTAssertEqual(aNumbers.count, 1, "instance a holds different partition numbers per topic: \(a)")
        XCTAssertEqual(bNumbers.count, 1, "instance b holds different partition numbers per topic: \(b)")
        if let pa = aNumbers.first, let pb = bNumbers.first {
            XCTAssertTrue(pa.isDisjoint(with: pb))
            XCTAssertEqual(pa.union(pb), [0, 1, 2, 3])
        }
        for d in daemons {
            XCTAssertTrue(eventually(timeout: 30) { d.daemon.metrics.catalogItems.value == 12 }, "the whole catalog on each instance")
        }
    }

    func testTheProblemNamesEachTopicsPartitions() {
        let tp = { (t: String, p: Int32) in TopicPartition(t, p) }
        XCTAssertNil(CoPartitioning.problem(assignment: [tp("c", 0), tp("o", 0), tp("c", 2), tp("o", 2), tp("shop.catalog", 5)],
                                            userKeyed: ["c", "o"]))
        XCTAssertNil(CoPartitioning.problem(assignment: [], userKeyed: ["c", "o"]), "an instance with nothing to do")
        XCTAssertNil(CoPartitioning.problem(assignment: [tp("c", 0), tp("c", 1)], userKeyed: ["c"]))
        let p = CoPartitioning.problem(assignment: [tp("c", 0), tp("c", 1), tp("o", 0), tp("o", 1), tp("o", 2), tp("o", 3)],
                                       userKeyed: ["c", "o", "ctl"])
        XCTAssertEqual(p?.contains("partitions c 0,1; o 0,1,2,3; ctl none (does the topic exist?)"), true, p ?? "nil")
    }

    /// A broker whose topics have 4 partitions but `topic`, with 8, configured as `key`.
    func harness(with topic: String, as key: String) throws -> (DaemonHarness, Configuration) {
        let h = try DaemonHarness(partitions: 4)
        try h.broker.cluster.createTopic(name: topic, partitions: 8, replicationFactor: 1)
        let config = try Configuration.load(file: nil, environment: [:], overrides: [
            "kafka.bootstrap.servers=\(h.broker.bootstrapServers)", "kafka.consumer.session.timeout.ms=3000",
            "group.id=copart-\(topic)", "state.dir=\(h.stateDir)", "http.port=-1", "\(key)=\(topic)",
        ])
        try h.broker.ensure(topics: TopicNames(config).all.filter { $0 != topic })
        return (h, config)
    }

    func testInputTopicsWithDifferentPartitionCountsStopTheDaemonAtStart() throws {
        // Orders on 8 partitions beside a clickstream and control topic of 4: refused with exit 78.
        let (h, config) = try harness(with: "orders8", as: "topic.orders")
        let lines = LineBox()
        let logger = Logger(level: .info, sink: { line in lines.withLock { $0.append(line) } })
        let daemon = try CRMDaemon(configuration: config, logger: logger, stopSignal: StopSignal())
        XCTAssertEqual(try daemon.run(), 78)
        let error = lines.withLock { $0.first { $0.contains("not co-partitioned") } } ?? ""
        XCTAssertTrue(error.contains("orders8 0,1,2,3,4,5,6,7"), error)
        XCTAssertTrue(error.contains("shop.clickstream 0,1,2,3"), error)
    }

    /// Found by the attack round: a catalog topic with more partitions than the customer topics
    /// (it is keyed by item, so it may) made the daemon look for changelog partitions that do not
    /// exist and stop with exit 1.
    func testACatalogWithMorePartitionsIsAllowed() throws {
        let (h, config) = try harness(with: "catalog8", as: "topic.catalog")
        let encoder = EventEncoder()
        var records = (0..<8).map { i in
            (topic: "catalog8", key: "i\(i)", value: encoder.encode(.catalog(CatalogItem(itemID: "i\(i)", category: "c"))))
        }
        for n in 0..<20 {
            let click = ClickEvent(eventID: "e\(n)", type: .view, userID: "u\(n % 5)", itemID: "i\(n % 8)",
                                   ts: 1_764_755_200_000 + Int64(n) * 1000)
            records.append((topic: h.topics.clickstream, key: click.userID, value: encoder.encode(.click(click))))
        }
        try h.produce(records)
        var options = DaemonOptions()
        options.stopWhenCaughtUp = true
        options.caughtUpIdleSeconds = 0.5
        let daemon = try CRMDaemon(configuration: config, logger: Logger(level: .error), stopSignal: StopSignal(), options: options)
        XCTAssertEqual(try daemon.run(), 0)
        XCTAssertEqual(daemon.processor.engine.catalog.count, 8)
        XCTAssertEqual(try StoredEngine.load(directory: h.stateDir).customers.count, 5, "every customer checkpointed")
    }
}
