import XCTest
@testable import CRMModel

/// Runs a pseudo-random shop stream (fixed seed) through profiles, the similarity cache, popularity
/// and the recommender, with a 1-hour half-life over 10 days so that the forward-decay landmarks are
/// rebased several times (every 64 half-lives), and bounds small enough to evict and prune.
final class ModelDeterminismTests: XCTestCase {
    struct LCG {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
    }

    struct Run: Equatable {
        var recommendations: [[RecommendedItem]] = []
        var neighbours: [[Neighbour]] = []
        var itemCount = 0
        var pairCount = 0
    }

    static let hour: Int64 = 3_600_000
    static let start: EventTime = 1_764_755_200_000

    func run(seed: UInt64, checkAffinity: Bool = false) -> Run {
        var rng = LCG(state: seed)
        let simConfig = ItemSimilarityConfig(recentLimit: 5, window: 6 * Self.hour, halfLife: Self.hour, topK: 3,
                                             maxItems: 40, maxPairsPerItem: 6, pruneInterval: 12 * Self.hour)
        let sim = ItemSimilarity(config: simConfig)
        let pop = PopularityIndex(config: PopularityConfig(halfLife: Self.hour, topN: 5, maxGlobalItems: 30,
                                                           maxItemsPerSegment: 10))
        let profileConfig = UserProfileConfig(maxItems: 1000, maxCategories: 5, recentLimit: 5, halfLife: Self.hour)
        var profiles: [Int: UserProfile] = [:]
        var reference: [String: Double] = [:]  // user 0's affinities by direct summation, at `now`
        var lastRefTime = Self.start
        let recommender = Recommender(config: RecommenderConfig(listSize: 4))
        var out = Run()
        var ts = Self.start
        for n in 0..<3000 {
            ts += Int64(rng.next(600_000))  // about 5 minutes apart: 10 days in all
            let user = rng.next(20)
            let item = "i\(rng.next(60))"
            let type: ClickType = [.view, .view, .click, .addToCart, .wishlist, .removeFromCart][rng.next(6)]
            var p = profiles[user] ?? UserProfile(config: profileConfig)
            if sim.observe(recent: p.recent, item: item, ts: ts) { pop.observe(item: item, segment: user % 3, ts: ts) }
            p.apply(click: ClickEvent(eventID: "e\(n)", type: type, userID: "u\(user)", itemID: item,
                                      category: "c\(item.count)", ts: ts))
            if checkAffinity && user == 0 {
                let f = Decay.factor(elapsed: ts - lastRefTime, halfLife: Self.hour)
                reference = reference.mapValues { $0 * f }
                lastRefTime = ts
                let v = (reference[item] ?? 0) + EventWeights.default.weight(for: type)
                reference[item] = v > 0 ? v : nil
                for (k, v) in reference {
                    XCTAssertEqual(p.itemAffinity(k, at: ts), v, accuracy: 1e-9 * max(v, 1), "item \(k) at event \(n)")
                }
            }
            profiles[user] = p
            if n % 50 == 0 {
                out.recommendations.append(recommender.recommend(for: p, at: ts, similarity: sim, popularity: pop,
                                                                 segment: user % 3))
            }
            XCTAssertLessThanOrEqual(sim.itemCount, simConfig.maxItems)
        }
        out.neighbours = (0..<60).map { sim.neighbours(of: "i\($0)") }
        out.itemCount = sim.itemCount
        out.pairCount = sim.pairCount
        XCTAssertLessThanOrEqual(sim.pairCount, simConfig.maxItems * simConfig.maxPairsPerItem / 2)
        for p in profiles.values { XCTAssertLessThanOrEqual(p.recent.count, 5) }
        return out
    }

    func testTwoRunsGiveIdenticalOutputs() {
        let a = run(seed: 42)
        let b = run(seed: 42)
        XCTAssertEqual(a, b)
        XCTAssertGreaterThan(a.pairCount, 0)
        XCTAssertTrue(a.recommendations.contains { !$0.isEmpty })
        XCTAssertNotEqual(a, run(seed: 7))  // the comparison can fail
    }

    func testAffinityMatchesDirectSummationAcrossRebases() {
        _ = run(seed: 3, checkAffinity: true)
    }
}
