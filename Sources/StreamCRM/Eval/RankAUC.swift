/// The ROC AUC of a score for a binary label, by ranks (Mann–Whitney U with mid-ranks for ties):
/// AUC = (Σ ranks of positives − n₊(n₊+1)/2) / (n₊ · n₋), the probability that a random positive
/// scores above a random negative, ties counting one half.
public enum RankAUC {
    /// - Parameters:
    ///   - scores: one score per example (higher = more likely positive).
    ///   - labels: one label per example (true = positive), same length.
    /// - Returns: the AUC in [0, 1], or nil when either class is empty or lengths differ.
    public static func auc(scores: [Double], labels: [Bool]) -> Double? {
        guard scores.count == labels.count else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSumPositive = 0.0
        var positives = 0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count, scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let midRank = Double(i + j) / 2 + 1 // ranks are 1-based
            for k in i...j where labels[order[k]] {
                rankSumPositive += midRank
                positives += 1
            }
            i = j + 1
        }
        let negatives = scores.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let p = Double(positives)
        return (rankSumPositive - p * (p + 1) / 2) / (p * Double(negatives))
    }
}
