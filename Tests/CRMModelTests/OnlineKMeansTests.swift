import XCTest
@testable import CRMModel

final class OnlineKMeansTests: XCTestCase {
    func twoCentroids(decay: Double) -> OnlineKMeans {
        var km = OnlineKMeans(configuration: .init(k: 2, dimension: 2, decay: decay, initialBufferSize: 2))
        km.update([10, 0])
        km.update([0, 0])
        return km
    }

    func testHandComputedUpdate() {
        var km = twoCentroids(decay: 0.5)
        XCTAssertTrue(km.isInitialized)
        // Buffer of two distinct points: k-means++ must choose both; sorted ids.
        XCTAssertEqual(km.centroids, [[0, 0], [10, 0]])
        XCTAssertEqual(km.weights, [1, 1])
        // x = (1,0) → winner 0: n·a = 0.5, c' = ((0,0)·0.5 + (1,0)) / 1.5 = (2/3, 0); n = 1.5.
        // Loser decays: 1 · 0.5 = 0.5.
        XCTAssertEqual(km.update([1, 0]), 0)
        XCTAssertEqual(km.centroids[0][0], 2.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(km.centroids[0][1], 0)
        XCTAssertEqual(km.weights, [1.5, 0.5])
        // x = (10,3) → winner 1: n·a = 0.25, c' = ((10,0)·0.25 + (10,3)) / 1.25 = (10, 2.4).
        XCTAssertEqual(km.update([10, 3]), 1)
        XCTAssertEqual(km.centroids[1][0], 10, accuracy: 1e-12)
        XCTAssertEqual(km.centroids[1][1], 2.4, accuracy: 1e-12)
        XCTAssertEqual(km.weights[0], 0.75, accuracy: 1e-15)
        XCTAssertEqual(km.weights[1], 1.25, accuracy: 1e-15)
        // assign does not learn.
        let before = km
        XCTAssertEqual(km.assign([9, 9]), 1)
        XCTAssertEqual(km, before)
    }

    func testInertiaByHand() {
        let km = twoCentroids(decay: 1)
        // (1,0) → (0,0): 1; (9,1) → (10,0): 1 + 1 = 2; total 3.
        XCTAssertEqual(km.inertia(of: [[1, 0], [9, 1]]), 3, accuracy: 1e-12)
    }

    func blobs(seed: UInt64, n: Int) -> [[Double]] {
        var g = SeededRandom(seed: seed)
        let centres: [[Double]] = [[0, 0], [8, 0], [0, 8]]
        return (0..<n).map { i in
            let c = centres[i % 3]
            return [c[0] + 0.3 * g.nextGaussian(), c[1] + 0.3 * g.nextGaussian()]
        }
    }

    func testKMeansPlusPlusFindsBlobsDeterministically() {
        let pts = blobs(seed: 3, n: 300)
        var a = OnlineKMeans(k: 3, dimension: 2, seed: 11)
        var b = OnlineKMeans(k: 3, dimension: 2, seed: 11)
        for p in pts.prefix(30) { a.update(p); b.update(p) }
        XCTAssertTrue(a.isInitialized)
        XCTAssertEqual(a.centroids, b.centroids, "same seed, same data → same centroids")
        // Sorted: (0,0)-blob, (0,8)-blob, (8,0)-blob; each centroid within 0.3 of its blob centre.
        let expected: [[Double]] = [[0, 0], [0, 8], [8, 0]]
        for (c, e) in zip(a.centroids, expected) {
            XCTAssertLessThan(OnlineKMeans.squaredDistance(c, e).squareRoot(), 0.3, "\(a.centroids)")
        }
        XCTAssertEqual(a.weights, [10, 10, 10])
        for p in pts.dropFirst(30) { a.update(p) }
        // Inertia per point ≈ 2·0.3² = 0.18 for a correct 3-clustering (vs ≫ 1 if two blobs merged).
        XCTAssertLessThan(a.inertia(of: pts) / Double(pts.count), 0.3)
    }

    func testWarmUpAnswersBeforeInitialisation() {
        var km = OnlineKMeans(k: 2, dimension: 1)
        XCTAssertEqual(km.assign([5]), 0)
        XCTAssertEqual(km.update([0]), 0)
        XCTAssertEqual(km.update([10]), 1)
        XCTAssertEqual(km.assign([9]), 1)
        XCTAssertFalse(km.isInitialized)
    }

    func testDeadCentroidIsReseededBySplittingTheHeaviest() {
        var km = twoCentroids(decay: 0.5)
        // Feeding (0,0): w0 = 2 − 0.5ⁿ, w1 = 0.5ⁿ. Reseed when w1 < 1e-3·w0:
        // n = 8: 0.0039 > 0.0020 (kept); n = 9: 0.00195 < 0.001998 (reseeded).
        for _ in 0..<8 { km.update([0, 0]) }
        XCTAssertEqual(km.reseeds, 0)
        km.update([0, 0])
        XCTAssertEqual(km.reseeds, 1)
        XCTAssertEqual(km.generations, [0, 1])
        XCTAssertEqual(km.weights[0], km.weights[1])
        XCTAssertEqual(km.weights[0], (2 - pow(0.5, 9)) / 2, accuracy: 1e-12)
        // Both halves sit 0.01 either side of (0,0).
        XCTAssertEqual(OnlineKMeans.squaredDistance(km.centroids[0], km.centroids[1]).squareRoot(), 0.02, accuracy: 1e-12)
        XCTAssertEqual(km.centroids[0][0], -km.centroids[1][0], accuracy: 1e-15)
        // Deterministic: the same run gives the same split.
        var again = twoCentroids(decay: 0.5)
        for _ in 0..<9 { again.update([0, 0]) }
        XCTAssertEqual(again, km)
    }

    func testDecayFromHalfLife() {
        // 0.5^(1/1000): after 1000 updates the weight has halved.
        let a = OnlineKMeans.Configuration.decay(halfLife: 1000)
        XCTAssertEqual(pow(a, 1000), 0.5, accuracy: 1e-12)
        XCTAssertEqual(OnlineKMeans.Configuration.decay(halfLife: 1), 0.5)
    }
}
