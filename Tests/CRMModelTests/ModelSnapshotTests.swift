import Foundation
import XCTest
@testable import CRMModel

/// Checkpoint round trips: encode, decode, continue; the restored copy behaves like the original.
final class ModelSnapshotTests: XCTestCase {
    let t0 = Toy.t0

    func roundTrip<T: Codable>(_ value: T) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
    }

    func testSimilarityAndPopularityRoundTrip() throws {
        let sim = ItemSimilarity()
        let pop = PopularityIndex()
        let profiles = Toy.feed(sim, popularity: pop, segments: ["A": 0, "B": 1, "C": 0])
        let sim2 = ItemSimilarity(snapshot: try roundTrip(sim.snapshot()))
        let pop2 = PopularityIndex(snapshot: try roundTrip(pop.snapshot()))
        XCTAssertEqual(sim2.snapshot(), sim.snapshot())
        XCTAssertEqual(pop2.snapshot(), pop.snapshot())
        // Both continue identically: D views i3, i1 an hour later.
        for (s, p) in [(sim, pop), (sim2, pop2)] { Toy.feed(s, [("D", ["i3", "i1"])], ts: t0 + 3_600_000, popularity: p) }
        XCTAssertEqual(sim2.snapshot(), sim.snapshot())
        XCTAssertEqual(sim2.neighbours(of: "i1"), sim.neighbours(of: "i1"))
        XCTAssertEqual(pop2.popular(), pop.popular())
        var a = try roundTrip(profiles["A"]!)
        XCTAssertEqual(a, profiles["A"]!)
        a.apply(click: ClickEvent(eventID: "x", type: .view, userID: "A", itemID: "i9", ts: t0 + 1))
        XCTAssertEqual(a.recent.last?.itemID, "i9")
    }

    func testLiftIsReadAtTheLatestTime() {
        let lift = ItemSimilarity(config: ItemSimilarityConfig(measure: .lift))
        Toy.feed(lift)
        // One half-life later an unrelated item arrives: every count halves, so
        // l12 = c12/(c1·c2) = 1/(1·1.5) = 2/3 — twice the 1/3 of t0.
        lift.observe(recent: [], item: "zz", ts: t0 + Toy.h)
        XCTAssertEqual(lift.similarity("i1", "i2")!, 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(lift.neighbours(of: "i1").map(\.similarity), [2.0 / 3, 0.5])  // l13 = 0.5/(1·1)
    }
}
