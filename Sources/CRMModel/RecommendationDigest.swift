/// A 64-bit fingerprint of a recommendation list's item ids, in order: what a customer keeps of
/// the last list it was sent, so that an unchanged list is not sent again (``Recommender/shouldEmit(_:lastDigest:lastEmitAt:now:)``)
/// without keeping the list itself (ten ids and scores per customer).
///
/// FNV-1a (64-bit) over each id's UTF-8 bytes followed by the byte 0xFF, which never occurs in
/// UTF-8, so `["ab", "c"]` and `["a", "bc"]` differ. The same list gives the same digest in every
/// process (it is checkpointed). Two different lists share a digest with probability about 2^-64;
/// the only effect would be one list not being re-sent.
public enum RecommendationDigest {
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// The digest of `itemIDs` in order.
    public static func of<S: Sequence>(_ itemIDs: S) -> UInt64 where S.Element == String {
        var h = offsetBasis
        for id in itemIDs {
            for b in id.utf8 { h = (h ^ UInt64(b)) &* prime }
            h = (h ^ 0xFF) &* prime
        }
        return h
    }

    /// The digest of a list's item ids.
    public static func of(_ list: [RecommendedItem]) -> UInt64 { of(list.lazy.map(\.itemID)) }
}
