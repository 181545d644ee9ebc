import CRMModel
import Foundation
import Kafka
import XCTest
@testable import StreamCRM

/// A former owner's store drops the partitions another instance took over
/// (`state.cleanup.delay.ms`), and a partition it dropped is rebuilt from the changelog when it
/// comes back, even though this store's instance checkpointed it last.
final class StoreCleanupTests: XCTestCase {
    func testReleasedPartitionsAreDueOnlyAfterTheDelayAndNotOnceOwnedAgain() {
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        var released = ReleasedPartitions()
        XCTAssertTrue(released.isEmpty)
        released.released([3, 1], at: t0)
        released.released([2], at: t0.addingTimeInterval(5))
        // Released again later: the earlier time stands.
        released.released([1], at: t0.addingTimeInterval(9))
        XCTAssertEqual(released.takeDue(at: t0.addingTimeInterval(9.999), delay: 10), [])
        XCTAssertEqual(released.takeDue(at: t0.addingTimeInterval(10), delay: 10), [1, 3])
        // Taken once: not due again.
        XCTAssertEqual(released.takeDue(at: t0.addingTimeInterval(11), delay: 10), [])
        released.owned([2])
        XCTAssertTrue(released.isEmpty)
        XCTAssertEqual(released.takeDue(at: t0.addingTimeInterval(100), delay: 10), [])
        released.released([7], at: t0)
        XCTAssertEqual(released.takeDue(at: t0, delay: 0), [7])
    }

    /// The store has lost two partitions (as the cleanup drops them) that the changelog's last
    /// marker says this very instance checkpointed: the next start rebuilds them from the
    /// changelog instead of starting their customers afresh at the committed offsets.
    func testAPartitionDroppedFromTheStoreIsRebuiltFromTheChangelog() throws {
        let events = GuaranteeTests.shopEvents()
        let half = events.count / 2
        let h = try DaemonHarness(partitions: 4)
        try h.produce(events: Array(events[..<half]))
        XCTAssertEqual(try h.runDaemon().1, 0)
        do {
            let store = try StateStore(directory: h.stateDir)
            XCTAssertEqual(try store.customerPartitions(), [0, 1, 2, 3])
            XCTAssertGreaterThan(try store.dropPartitions([1, 2], offsetsOf: h.topics.inputs), 10)
            XCTAssertEqual(try store.customerPartitions(), [0, 3])
        }
        try h.produce(events: Array(events[half...]))
        let (second, status) = try h.runDaemon()
        XCTAssertEqual(status, 0)
        XCTAssertEqual(second.processor.counts.events, events.count - half, "a dropped partition was read from its start again")
        // The shop's events are all valid: a dead letter here (a refused timestamp) explains a mismatch below.
        XCTAssertEqual(try h.outputs()[h.topics.deadLetter, default: []].map { String(decoding: $0.value ?? [], as: UTF8.self) }, [])
        GuaranteeTests.assertSame(try GuaranteeTests.stored(h.stateDir), GuaranteeTests.reference(events))
    }

    /// A reads everything; B joins and takes half the partitions; B erases one of its customers.
    /// With `state.cleanup.delay.ms=0`, A's store keeps only the partitions A still owns, so no
    /// copy of B's customers (the erased one included) stays behind on A's disk. When A leaves, B
    /// takes A's partitions over through the changelog and ends with every customer but the erased one.
    func testAFormerOwnerDropsThePartitionsAnotherInstanceTookOver() throws {
        let events = GuaranteeTests.shopEvents()
        let broker = try DevBroker(brokers: 1, partitions: 4)
        let topics = broker.topics
        let encoder = EventEncoder()
        let records = events.map { (topic: topics.topic(for: $0), key: $0.userID ?? "", json: String(decoding: encoder.encode($0), as: UTF8.self)) }
        let group = ["group.id=cleanup-\(UUID().uuidString)", "state.cleanup.delay.ms=0", "checkpoint.interval.ms=200"]
        let a = LiveDaemonHarness(broker: broker), b = LiveDaemonHarness(broker: broker)
        try a.produce(records)
        try a.start(overrides: group)
        let inputPartitions = topics.customerKeyedInputs.count * 4
        XCTAssertTrue(eventually(timeout: 60) { a.daemon.status.assignedPartitions == inputPartitions && a.daemon.status.totalLag == 0 },
                      "A did not catch up")
        try b.start(overrides: group)
        XCTAssertTrue(eventually(timeout: 60) {
            a.daemon.status.assignedPartitions == inputPartitions / 2 && b.daemon.status.assignedPartitions == inputPartitions / 2
                && b.daemon.status.isRestored
        }, "the partitions were not shared")
        // A dropped B's partitions at the reassignment: customers and offsets.
        let kept = try eventuallyValue { try StateStore(directory: a.stateDir, mode: .readOnly).customerPartitions() }
        XCTAssertEqual(kept.count, 2, "A's store kept \(kept.sorted())")
        let offsetPartitions = try StateStore(directory: a.stateDir, mode: .readOnly).offsets().keys
            .filter { topics.customerKeyedInputs.contains($0.topic) }.map(\.partition)
        XCTAssertEqual(Set(offsetPartitions), kept)
        let reference = GuaranteeTests.reference(events)
        let stillA = Set(try StoredEngine.load(directory: a.stateDir).customers.keys)
        let ofB = try StoredEngine.load(directory: b.stateDir).customers
        XCTAssertTrue(Set(ofB.values.map(\.partition)).isDisjoint(with: kept))
        XCTAssertEqual(stillA.intersection(ofB.keys), [])
        XCTAssertEqual(stillA.union(ofB.keys), Set(reference.keys))
        XCTAssertGreaterThan(stillA.count, 20)
        XCTAssertGreaterThan(ofB.count, 20)

        // B erases one of its customers.
        let erased = ofB.keys.sorted()[0]
        try a.produce([(topic: topics.control, key: erased, json: String(decoding: encoder.encode(.forgetUser(userID: erased)), as: UTF8.self))])

        guard case .success(0)? = a.stopAndWait(timeout: 60) else { return XCTFail("A did not stop cleanly") }
        let aFinal = try StoredEngine.load(directory: a.stateDir).customers
        XCTAssertEqual(Set(aFinal.keys), stillA, "A's store after it left")
        XCTAssertTrue(eventually(timeout: 60) { b.daemon.status.assignedPartitions == inputPartitions && b.daemon.status.totalLag == 0 },
                      "B did not take A's partitions over")
        guard case .success(0)? = b.stopAndWait(timeout: 60) else { return XCTFail("B did not stop cleanly") }
        var expected = reference
        expected[erased] = nil
        GuaranteeTests.assertSame(try GuaranteeTests.stored(b.stateDir), expected)
    }

    /// Retries `body` until it stops throwing (a store being written by a running daemon may be busy).
    private func eventuallyValue<T>(timeout: Double = 10, _ body: () throws -> T) throws -> T {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            do { return try body() } catch {
                if Date() > deadline { throw error }
                usleep(50_000)
            }
        }
    }
}
