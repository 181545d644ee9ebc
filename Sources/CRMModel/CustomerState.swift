/// Everything the engine keeps about one customer.
public final class CustomerState {
    /// Affinities, recent items and order statistics.
    public var profile: UserProfile
    /// The input partition the customer's events arrive on (their state moves with it).
    public var partition: Int32
    /// Current segment id, nil before the first assignment.
    public var segment: Int?
    /// When the segment was last evaluated.
    public var segmentEvaluatedAt: EventTime?
    /// The ``RecommendationDigest`` of the last emitted list (its item ids in order), and when
    /// it was emitted.
    public var lastRecommendationDigest: UInt64?
    public var lastRecommendationAt: EventTime?
    /// The `lastOrderAt` of the episode a churn alert was emitted for (one alert per episode).
    public var alertedEpisode: EventTime?
    /// The last few input event ids, to apply a redelivered event once.
    public var recentEventIDs: [String] = []
    /// When the customer's churn timer fires, as of the last encoding (persistence only: the live
    /// value is in the engine's timer heap). A timer's time depends on the churn score's weights
    /// when it was set, so it is saved rather than recomputed on restore.
    public var churnTimerAt: EventTime?
    /// Whether ``churnTimerAt`` was decoded from a blob that stores it (version 2 and later): then
    /// nil means "no timer", and a restore must not arm one from the restoring engine's model (the
    /// uninterrupted engine would not have either). Not stored.
    public var churnTimerKnown = false

    public init(profile: UserProfile, partition: Int32) {
        self.profile = profile
        self.partition = partition
    }

    /// Remembers `id`; returns false when it was already seen.
    func rememberEventID(_ id: String, limit: Int) -> Bool {
        if recentEventIDs.contains(id) { return false }
        if recentEventIDs.count >= limit { recentEventIDs.removeFirst(recentEventIDs.count - limit + 1) }
        recentEventIDs.append(id)
        return true
    }

    /// Takes back `rememberEventID` for an event that was then refused, so that a corrected
    /// retry with the same id is not taken for a duplicate.
    func unrememberEventID(_ id: String) {
        if let i = recentEventIDs.lastIndex(of: id) { recentEventIDs.remove(at: i) }
    }
}
