import XCTest
@testable import CRMModel

/// Two-step similarity (``TwoHopScorer``), the conditional reading of similarities
/// (``ItemSimilarity/neighbours(of:limit:popularityExponent:)``) and both in the ``Recommender``,
/// with values worked out by hand.
final class TwoHopScorerTests: XCTestCase {
    let t0 = Toy.t0

    func testScoresSumOverExpandedCandidatesAndKeepTheStrongestPath() {
        // One-step: x 0.8 (from s1), y 0.4 (from s2), s1 0.9 (a source: never expanded).
        // Neighbours: x → z 0.5, y 0.25, x 1 (itself: skipped); y → z 0.5, x 1.
        let graph: [String: [Neighbour]] = [
            "x": [Neighbour(itemID: "z", similarity: 0.5), Neighbour(itemID: "y", similarity: 0.25),
                  Neighbour(itemID: "x", similarity: 1)],
            "y": [Neighbour(itemID: "x", similarity: 1), Neighbour(itemID: "z", similarity: 0.5)],
            "s1": [Neighbour(itemID: "q", similarity: 1)],
        ]
        var limits: [Int] = []
        let oneStep: [String: (cf: Double, source: String)] = ["x": (0.8, "s1"), "y": (0.4, "s2"), "s1": (0.9, "s0")]
        let out = TwoHopScorer(expand: 5, neighbours: 7).scores(oneStep: oneStep, sources: ["s0", "s1"]) { item, limit in
            limits.append(limit)
            return graph[item] ?? []
        }
        // z: 0.8·0.5 + 0.4·0.5 = 0.6, strongest path x (0.4 > 0.2) from s1.
        // y: 0.8·0.25 = 0.2 via x; x: 0.4·1 = 0.4 via y from s2. q: nothing (s1 is a source).
        XCTAssertEqual(Set(out.keys), ["x", "y", "z"])
        XCTAssertEqual(out["z"]!.score, 0.6, accuracy: 1e-12)
        XCTAssertEqual(out["z"]!.via, "x")
        XCTAssertEqual(out["z"]!.source, "s1")
        XCTAssertEqual(out["y"]!, TwoHopScore(score: 0.8 * 0.25, via: "x", source: "s1"))
        XCTAssertEqual(out["x"]!, TwoHopScore(score: 0.4, via: "y", source: "s2"))
        XCTAssertEqual(limits, [7, 7])
        // Only the strongest candidate expanded: z 0.4, y 0.2.
        let one = TwoHopScorer(expand: 1, neighbours: 7).scores(oneStep: oneStep, sources: ["s0", "s1"]) { item, _ in graph[item] ?? [] }
        XCTAssertEqual(Set(one.keys), ["y", "z"])
        XCTAssertEqual(one["z"]!.score, 0.4, accuracy: 1e-12)
        XCTAssertTrue(TwoHopScorer(expand: 0, neighbours: 7).scores(oneStep: oneStep, sources: []) { item, _ in graph[item] ?? [] }.isEmpty)
    }

    /// A chain: A views a then b, B views b then c. c_a = 1, c_b = 2, c_c = 1, c_ab = c_bc = 1;
    /// cosine s_ab = s_bc = 1/√2.
    func chain() -> ItemSimilarity {
        let sim = ItemSimilarity()
        Toy.feed(sim, [("A", ["a", "b"]), ("B", ["b", "c"])])
        return sim
    }

    func testPopularityExponentReadsConditionalProbabilities() {
        let sim = chain()
        XCTAssertEqual(sim.neighbours(of: "a", limit: 10, popularityExponent: 0), sim.neighbours(of: "a", limit: 10))
        // a → b: (1/√2)·√(2/1) = 1 = c_ab / c_a. b → a: (1/√2)·√(1/2) = 0.5 = c_ab / c_b, b → c likewise.
        let fromA = sim.neighbours(of: "a", limit: 10, popularityExponent: 0.5)
        XCTAssertEqual(fromA.map(\.itemID), ["b"])
        XCTAssertEqual(fromA[0].similarity, 1, accuracy: 1e-12)
        let fromB = sim.neighbours(of: "b", limit: 10, popularityExponent: 0.5)
        XCTAssertEqual(fromB.map(\.itemID), ["a", "c"])
        XCTAssertEqual(fromB[0].similarity, 0.5, accuracy: 1e-12)
        XCTAssertEqual(fromB[1].similarity, 0.5, accuracy: 1e-12)
        // Exponent 1: (1/√2)·2 = √2 for a → b.
        XCTAssertEqual(sim.neighbours(of: "a", limit: 10, popularityExponent: 1)[0].similarity, 2.0.squareRoot(), accuracy: 1e-12)
    }

    func testRecommenderAddsTwoStepCandidatesWithAReason() {
        let sim = chain()
        let pop = PopularityIndex()
        var p = UserProfile()
        p.apply(click: ClickEvent(eventID: "u", type: .view, userID: "u", itemID: "a", ts: t0))
        var config = RecommenderConfig(segmentPopularityWeight: 0, globalPopularityWeight: 0)
        // Off: only b (1/√2), c never co-occurred with a.
        let off = Recommender(config: config).recommend(for: p, at: t0, similarity: sim, popularity: pop, segment: nil)
        XCTAssertEqual(off.map(\.itemID), ["b"])
        // Weight 0.5: c = 0.5 · (1/√2 · 1/√2) = 0.25 through b; a is reached too but is seen.
        config.twoHopWeight = 0.5
        let on = Recommender(config: config).recommend(for: p, at: t0, similarity: sim, popularity: pop, segment: nil)
        XCTAssertEqual(on.map(\.itemID), ["b", "c"])
        XCTAssertEqual(on[0].score, 0.5.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(on[1].score, 0.25, accuracy: 1e-12)
        XCTAssertEqual(on.map(\.reason), ["viewed together with a", "related to a through b"])
        // With the conditional reading: b = P(b|a) = 1, c = 0.5 · (1 · P(c|b) = 0.5) = 0.25.
        config.similarityPopularityExponent = 0.5
        let cond = Recommender(config: config).recommend(for: p, at: t0, similarity: sim, popularity: pop, segment: nil)
        XCTAssertEqual(cond.map(\.itemID), ["b", "c"])
        XCTAssertEqual(cond[0].score, 1, accuracy: 1e-12)
        XCTAssertEqual(cond[1].score, 0.25, accuracy: 1e-12)
        // Keep-seen: the retargeted a (1) outranks the two-step score of a (0.5·(1/√2)·(1/√2) = 0.25);
        // its reason stays retargeting.
        config.similarityPopularityExponent = 0
        config.excludeSeen = false
        let keep = Recommender(config: config).recommend(for: p, at: t0, similarity: sim, popularity: pop, segment: nil)
        XCTAssertEqual(keep.map(\.itemID), ["a", "b", "c"])
        XCTAssertEqual(keep[0].score, 1.25, accuracy: 1e-12)
        XCTAssertEqual(keep[0].reason, "you looked at it recently")
    }
}
