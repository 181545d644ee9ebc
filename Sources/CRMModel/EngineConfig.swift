/// Everything the engine's models are configured with. Defaults are the documented defaults of
/// the configuration keys (README, `config/streamcrm.properties`).
public struct EngineConfig: Sendable {
    /// Affinity weights per event type.
    public var weights = EventWeights()
    /// Per-customer profile bounds and affinity half-life.
    public var profile = UserProfileConfig()
    /// Item co-occurrence cache.
    public var similarity = ItemSimilarityConfig()
    /// Global and per-segment popularity (cold start).
    public var popularity = PopularityConfig()
    /// Recommendation lists.
    public var recommender = RecommenderConfig()
    /// Event types that trigger a recommendation (`ClickType` raw values and "order").
    public var recommendTriggers: Set<String> = ["view", "add_to_cart", "order"]
    /// Number of segments (k), k-means decay and seed.
    public var segmentCount = 5
    /// Spark StreamingKMeans' decay factor a, applied per update (default 0.99999: a half-life of
    /// about 69 000 customer updates; faster forgetting lets time-ordered arrivals drag the centroids).
    public var segmentDecay = 0.99999
    /// Seed of k-means++ initialisation (default 42).
    public var segmentSeed: UInt64 = 42
    /// Distance margin a customer must cross to change segment (default 0.1).
    public var segmentHysteresis = 0.1
    /// A customer's segment is re-evaluated at most this often on clicks (orders always), ms (default 1 day).
    public var segmentClickInterval: Int64 = millisecondsPerDay
    /// Segment names are recomputed from the centroids after this many k-means updates (default 2000).
    public var segmentRenameEvery = 2_000
    /// The churn model family (MBG/NBD, so that one-time buyers can churn).
    public var churnKind: ChurnModelKind = .mbgnbd
    /// Churn risk = P(no order within this many days) (default 90).
    public var churnHorizonDays = 90.0
    /// No churn alert before this much silence after the last order, ms (default 14 days): the
    /// model's risk for a one-time buyer is high from the start, and a shop does not call a
    /// customer lost after three quiet days.
    public var churnMinSilence: Int64 = 14 * millisecondsPerDay
    /// Risk at which a churn alert fires (default 0.8).
    public var churnThreshold = 0.8
    /// Re-estimate the churn parameters after this many new orders (default 5000).
    public var churnRefitEveryOrders = 5_000
    /// The online churn score's learning settings (`ChurnScorerConfig()` defaults: learned blend,
    /// weekly snapshots, every customer sampled).
    public var churnScorer = ChurnScorerConfig()
    /// Emit a "reactivated" alert when an alerted customer orders again (default false).
    public var churnEmitReactivated = false
    /// Event-time clock.
    public var watermark = Watermark.Configuration(allowedLateness: 5_000, maxForwardJump: 7 * millisecondsPerDay)
    /// Recent event ids remembered per customer to drop redelivered events (default 16).
    public var rememberedEventIDs = 16
    /// Serve the global models without learning (default false): item similarity, popularity,
    /// category popularity, the session index, the feature standardiser, the k-means centroids and
    /// segment names, the churn parameters and the churn score's blend stay as restored (from the
    /// state store or a seed); customers' own state, their segments, recommendations and churn
    /// timers still follow their events. Session neighbours (which read other customers' live
    /// histories) are not scored. Erasure still removes a customer's contribution. With frozen
    /// global models each customer's outputs depend only on that customer's events, whatever the
    /// partitioning or the interleaving of partitions.
    public var freezeGlobalModels = false

    public init() {}
}
