#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension ItemSimilarity {
    /// ``neighbours(of:limit:)`` with each similarity multiplied by `(c_n / c_item)^exponent`, the
    /// ratio of the neighbour's and the item's occurrence counts (decay cancels in the ratio).
    ///
    /// With the cosine measure, exponent 0.5 turns `c_in / √(c_i · c_n)` into the conditional
    /// probability `c_in / c_i = P(n | i)`: popular next items are no longer penalised for being
    /// popular, which ranks better on sparse session data (more hits among the same candidates).
    /// Exponent 0 returns the stored similarities. The order is that of ``neighbours(of:limit:)``
    /// (by stored similarity), not re-sorted.
    public func neighbours(of item: String, limit: Int, popularityExponent exponent: Double) -> [Neighbour] {
        var list = neighbours(of: item, limit: limit)
        guard exponent != 0, !list.isEmpty, let now = latestTime else { return list }
        let own = occurrence(of: item, at: now)
        guard own > 0 else { return list }
        for k in list.indices {
            let ratio = occurrence(of: list[k].itemID, at: now) / own
            list[k].similarity *= exponent == 0.5 ? ratio.squareRoot() : pow(ratio, exponent)
        }
        return list
    }
}
