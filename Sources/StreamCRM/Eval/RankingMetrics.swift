#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Top-N ranking metrics accumulated over prediction targets (issue 5's protocol).
///
/// For each target, the model's list (at most ``cutoff`` items, already filled) and the item the
/// customer then touched: a hit at rank r (1-based) counts for HR@10 when r ≤ 10 and for HR@20 when
/// r ≤ 20; MRR@20 adds 1/r and NDCG@20 adds 1/log2(r + 1) (one relevant item, so the ideal DCG is 1).
/// Coverage is the number of distinct items that appeared in any list, over the catalogue size.
/// Cold share is the share of targets whose customer had no event before.
public struct RankingMetrics: Sendable, Equatable {
    /// List length scored (default 20).
    public let cutoff: Int
    /// Number of targets scored.
    public private(set) var targets = 0
    /// Targets whose item was in the first 10 (resp. `cutoff`) positions.
    public private(set) var hits10 = 0, hitsAtCutoff = 0
    /// Σ 1/rank and Σ 1/log2(rank + 1) over hits within the cutoff.
    public private(set) var reciprocalRankSum = 0.0, dcgSum = 0.0
    /// Targets whose customer had no history.
    public private(set) var coldTargets = 0
    /// Distinct items recommended in any list.
    public private(set) var recommended: Set<String> = []

    /// - Parameter cutoff: list length scored (default 20).
    public init(cutoff: Int = 20) { self.cutoff = cutoff }

    /// Scores one target. Only the first `cutoff` items of `list` count.
    public mutating func record(list: [String], target: String, cold: Bool) {
        targets += 1
        if cold { coldTargets += 1 }
        let top = list.prefix(cutoff)
        for item in top { recommended.insert(item) }
        guard let index = top.firstIndex(of: target) else { return }
        let rank = index - top.startIndex + 1
        if rank <= 10 { hits10 += 1 }
        hitsAtCutoff += 1
        reciprocalRankSum += 1 / Double(rank)
        dcgSum += 1 / log2(Double(rank + 1))
    }

    private func mean(_ x: Double) -> Double { targets > 0 ? x / Double(targets) : 0 }
    /// Hit rate at 10.
    public var hr10: Double { mean(Double(hits10)) }
    /// Hit rate at the cutoff (HR@20).
    public var hr20: Double { mean(Double(hitsAtCutoff)) }
    /// Mean reciprocal rank at the cutoff.
    public var mrr20: Double { mean(reciprocalRankSum) }
    /// Mean NDCG at the cutoff.
    public var ndcg20: Double { mean(dcgSum) }
    /// Share of targets whose customer had no history.
    public var coldShare: Double { mean(Double(coldTargets)) }
    /// Distinct recommended items over `catalogSize`.
    public func coverage(catalogSize: Int) -> Double {
        catalogSize > 0 ? Double(recommended.count) / Double(catalogSize) : 0
    }
}

/// Cumulative item popularity (count of touches so far) with an incrementally kept ranking, used
/// to fill lists shorter than the cutoff for every method alike: items by count (highest first),
/// ties by item id (ascending, byte order).
public struct PopularityFill: Sendable {
    private var counts: [String: Int] = [:]
    private var top: [(item: String, count: Int)] = []
    /// Ranked entries kept (default 500); a fill that needs more sorts all counts.
    public let keep: Int

    /// - Parameter keep: ranked entries kept (default 500).
    public init(keep: Int = 500) { self.keep = keep }

    private static func before(_ a: (item: String, count: Int), _ b: (item: String, count: Int)) -> Bool {
        a.count != b.count ? a.count > b.count : Array(a.item.utf8).lexicographicallyPrecedes(b.item.utf8)
    }

    /// Counts one touch of `item`.
    public mutating func add(_ item: String) {
        let c = counts[item, default: 0] + 1
        counts[item] = c
        if let i = top.firstIndex(where: { $0.item == item }) { top.remove(at: i) }
        let entry = (item: item, count: c)
        let at = top.firstIndex { Self.before(entry, $0) } ?? top.endIndex
        if at < keep { top.insert(entry, at: at) }
        if top.count > keep { top.removeLast() }
    }

    /// The most popular items, best first, at most `limit`.
    public func ranked(limit: Int) -> [String] {
        if limit <= top.count || top.count == counts.count { return top.prefix(limit).map(\.item) }
        return counts.map { (item: $0.key, count: $0.value) }.sorted(by: Self.before).prefix(limit).map(\.item)
    }

    /// `list` without duplicates and without `excluded` items, cut to `length`, then filled with
    /// popular items not already in it and not excluded.
    public func fill(_ list: [String], length: Int, excluding excluded: Set<String>) -> [String] {
        var out: [String] = []
        var used = Set<String>()
        for item in list where out.count < length && !excluded.contains(item) && used.insert(item).inserted {
            out.append(item)
        }
        guard out.count < length else { return out }
        var limit = length + excluded.count + out.count
        while true {
            let candidates = ranked(limit: limit)
            for item in candidates where out.count < length && !excluded.contains(item) && used.insert(item).inserted {
                out.append(item)
            }
            if out.count >= length || candidates.count < limit { return out }
            limit *= 2
        }
    }
}
