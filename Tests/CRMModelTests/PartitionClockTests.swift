import XCTest
@testable import CRMModel

/// Churn timers wait for their customer's own partition: a partition read behind the others (a
/// backlog) must not get its customers alerted for a silence that is only unread input.
///
/// Same reference as ChurnEngineTests: prior CDNOW parameters, no learning, no minimum silence;
/// a one-time buyer's risk crosses 0.8 after 326_898_590 ms (3.78 days).
final class PartitionClockTests: XCTestCase {
    let day = millisecondsPerDay
    let t0: EventTime = 10_000 * millisecondsPerDay
    let crossing: Int64 = 326_898_590
    var offset: Int64 = 0

    func makeEngine() -> CRMEngine {
        var c = EngineConfig()
        c.churnMinSilence = 0
        c.churnScorer = ChurnScorerConfig(learn: false)
        c.recommendTriggers = []
        return CRMEngine(config: c)
    }

    func order(_ e: CRMEngine, _ user: String, at ts: EventTime, partition: Int32, into out: inout [ModelOutput]) {
        offset += 1
        let o = OrderEvent(eventID: "e\(offset)", type: .order, orderID: "o\(offset)", userID: user, ts: ts,
                           items: [OrderLine(itemID: "i", quantity: 1, price: 10)])
        XCTAssertEqual(e.process(.order(o), at: SourcePosition(topic: "t", partition: partition, offset: offset), into: &out),
                       .applied)
    }

    func alertIDs(_ out: [ModelOutput], user: String) -> [String] {
        out.compactMap { if case .churnAlert(let a) = $0, a.userID == user { return a.eventID } else { return nil } }
    }

    func testATimerWaitsForItsPartitionThenFiresAtItsTime() {
        let e = makeEngine()
        var out: [ModelOutput] = []
        order(e, "a", at: t0, partition: 0, into: &out)
        // Partition 1 runs 20 days ahead (a day at a time: no step beyond the far-future bound).
        for d in 1...20 { order(e, "z\(d)", at: t0 + Int64(d) * day, partition: 1, into: &out) }
        XCTAssertEqual(alertIDs(out, user: "a"), [], "partition 0 is still at day 0")
        XCTAssertEqual(e.partitionClocks.heldCount, 1)
        order(e, "b", at: t0 + 3 * day, partition: 0, into: &out)
        XCTAssertEqual(alertIDs(out, user: "a"), [], "partition 0 at day 3, a's timer is at day 3.78")
        order(e, "b", at: t0 + 4 * day, partition: 0, into: &out)
        XCTAssertEqual(alertIDs(out, user: "a"), ["churn/a/\(t0)"])
        let alert = out.compactMap { if case .churnAlert(let x) = $0, x.userID == "a" { return x } else { return nil } }[0]
        XCTAssertEqual(Double(alert.ts - t0), Double(crossing), accuracy: 60_000, "stamped with its own time")
        XCTAssertEqual(e.partitionClocks.heldCount, 0)
    }

    func testAnOrderStillInTheBacklogEndsTheSilenceBeforeAnyAlert() {
        let e = makeEngine()
        var out: [ModelOutput] = []
        order(e, "a", at: t0, partition: 0, into: &out)
        for d in 1...20 { order(e, "z\(d)", at: t0 + Int64(d) * day, partition: 1, into: &out) }
        // a's next order, 2 days after the first, was in partition 0's backlog: no alert for the
        // first episode (a global-watermark clock would have sent churn/a/t0 at day 3.78).
        order(e, "a", at: t0 + 2 * day, partition: 0, into: &out)
        XCTAssertEqual(e.partitionClocks.heldCount, 0, "the order re-armed a's timer")
        order(e, "b", at: t0 + 5 * day, partition: 0, into: &out)
        XCTAssertEqual(alertIDs(out, user: "a"), [], "new episode from day 2; its crossing is later than day 5")
        // Explicit clock moves (the end of a replay; a day at a time) release everything due.
        for d in 21...400 { e.advance(to: t0 + Int64(d) * day, into: &out) }
        XCTAssertEqual(alertIDs(out, user: "a"), ["churn/a/\(t0 + 2 * day)"])
    }

    func testAPartitionReadToItsEndReleasesItsHeldTimers() {
        // The daemon marks partition 0 caught up (consumer lag 0): its backlog is empty, so no
        // unread order can end a's silence; the held alert fires, stamped with its own time.
        let e = makeEngine()
        var out: [ModelOutput] = []
        order(e, "a", at: t0, partition: 0, into: &out)
        for d in 1...20 { order(e, "z\(d)", at: t0 + Int64(d) * day, partition: 1, into: &out) }
        XCTAssertEqual(e.partitionClocks.heldCount, 1)
        e.markCaughtUp(partitions: [1], into: &out)
        XCTAssertEqual(alertIDs(out, user: "a"), [], "partition 1 caught up says nothing about partition 0")
        e.markCaughtUp(partitions: [0, 1], into: &out)
        XCTAssertEqual(alertIDs(out, user: "a"), ["churn/a/\(t0)"])
        XCTAssertEqual(e.partitionClocks.heldCount, 0)
        // While caught up, a timer of partition 0 fires on the watermark; once behind again, it is held.
        order(e, "b", at: t0 + 1 * day, partition: 0, into: &out)
        order(e, "z21", at: t0 + 21 * day, partition: 1, into: &out)
        XCTAssertEqual(alertIDs(out, user: "b"), ["churn/b/\(t0 + 1 * day)"])
        e.markCaughtUp(partitions: [1], into: &out)
        order(e, "c", at: t0 + 2 * day, partition: 0, into: &out)
        order(e, "z22", at: t0 + 22 * day, partition: 1, into: &out)
        XCTAssertEqual(alertIDs(out, user: "c"), [])
        XCTAssertEqual(e.partitionClocks.heldCount, 1)
    }

    func testOnePartitionIsNeverHeldAndRestoreRebuildsTheClocks() throws {
        let e = makeEngine()
        var out: [ModelOutput] = []
        order(e, "a", at: t0, partition: 3, into: &out)
        for d in 1...5 { order(e, "y\(d)", at: t0 + Int64(d) * day, partition: 3, into: &out) }
        XCTAssertEqual(alertIDs(out, user: "a"), ["churn/a/\(t0)"])
        XCTAssertEqual(e.partitionClocks.heldCount, 0)
        // Restoring a customer notes their last event time on their partition.
        let fresh = makeEngine()
        let blob = try XCTUnwrap(e.encodeCustomer("y5"))
        try fresh.restoreCustomer(userID: "y5", partition: blob.partition, from: blob.state)
        XCTAssertEqual(fresh.partitionClocks.latest, [3: t0 + 5 * day])
    }
}
