import CRMModel

extension EngineConfig {
    /// The engine's settings from validated configuration keys.
    public init(_ c: Configuration) {
        self.init()
        weights = EventWeights(view: c.double("model.weight.view"), click: c.double("model.weight.click"),
                               wishlist: c.double("model.weight.wishlist"), addToCart: c.double("model.weight.add_to_cart"),
                               removeFromCart: c.double("model.weight.remove_from_cart"), search: 0,
                               order: c.double("model.weight.order"))
        let halfLife = Int64(c.double("model.affinity.half_life.days") * Double(millisecondsPerDay))
        profile = UserProfileConfig(maxItems: Int(c.int("model.affinity.max_items")),
                                    maxCategories: Int(c.int("model.affinity.max_categories")),
                                    recentLimit: Int(c.int("model.similarity.history_items")), halfLife: halfLife)
        similarity = ItemSimilarityConfig(
            recentLimit: Int(c.int("model.similarity.history_items")),
            window: Int64(c.double("model.similarity.window.hours") * 3_600_000),
            halfLife: Int64(c.double("model.similarity.half_life.days") * Double(millisecondsPerDay)),
            measure: SimilarityMeasure(rawValue: c.string("model.similarity.metric")) ?? .cosine,
            topK: Int(c.int("model.similarity.neighbours")),
            maxItems: Int(c.int("model.similarity.max_items")),
            maxPairsPerItem: Int(c.int("model.similarity.max_pairs_per_item")),
            minPairCount: c.double("model.similarity.min_count"), minItemCount: c.double("model.similarity.min_count"),
            sequenceDecay: c.double("model.similarity.sequence_decay"))
        popularity = PopularityConfig(halfLife: Int64(c.double("model.popularity.half_life.hours") * 3_600_000))
        recommender = RecommenderConfig(listSize: Int(c.int("recommend.size")),
                                        excludeBought: c.bool("recommend.exclude_bought"),
                                        neighboursPerSource: Int(c.int("recommend.neighbours_per_source")),
                                        similarityWeight: c.double("recommend.similarity_weight"),
                                        categoryWeight: c.double("recommend.category_weight"),
                                        segmentPopularityWeight: c.double("recommend.segment_popularity_weight"),
                                        globalPopularityWeight: c.double("recommend.global_popularity_weight"),
                                        minEmitInterval: c.int("recommend.min_interval.s") * 1000,
                                        recencyDecay: c.double("recommend.recency_decay"),
                                        recentItemWeight: c.double("recommend.recent_item_weight"),
                                        categorySources: Int(c.int("recommend.category_sources")),
                                        categoryCandidates: Int(c.int("recommend.category_candidates")),
                                        sessionWeight: c.double("recommend.session_weight"),
                                        twoHopWeight: c.double("recommend.two_hop_weight"),
                                        twoHopExpand: Int(c.int("recommend.two_hop_expand")),
                                        twoHopNeighbours: Int(c.int("recommend.two_hop_neighbours")),
                                        similarityPopularityExponent: c.double("recommend.similarity_popularity_exponent"))
        recommendTriggers = Set(c.string("recommend.triggers").split(separator: ",").map {
            String($0).trimmingCharacters(in: .whitespaces)
        })
        segmentCount = Int(c.int("model.segments.k"))
        segmentDecay = c.double("model.segments.decay")
        segmentHysteresis = c.double("model.segments.hysteresis")
        segmentSeed = UInt64(c.int("model.segments.seed"))
        freezeGlobalModels = c.bool("model.frozen")
        churnHorizonDays = c.double("churn.horizon.days")
        churnThreshold = c.double("churn.alert.threshold")
        churnMinSilence = Int64(c.double("churn.alert.min_silence.days") * Double(millisecondsPerDay))
        churnRefitEveryOrders = Int(c.int("churn.refit.every_orders"))
        churnEmitReactivated = c.bool("churn.emit_reactivated")
        churnScorer = ChurnScorerConfig(learn: c.bool("churn.score.learn"),
                                        snapshotEvery: Int64(c.double("churn.score.snapshot.days") * Double(millisecondsPerDay)),
                                        sampleRate: c.double("churn.score.sample"),
                                        priorPrecision: c.double("churn.score.prior_precision"),
                                        forgetting: c.double("churn.score.forgetting"))
        watermark = Watermark.Configuration(allowedLateness: c.int("time.allowed_lateness.ms"),
                                            maxForwardJump: c.int("time.max_jump.ms"),
                                            idleAdvance: c.bool("time.idle_advance"))
    }
}
