import CRMModel

/// The two ways a model is run over the test part (issue 5).
public enum EvalVariant: String, Sendable, CaseIterable {
    /// Predict, score, then learn from the event: StreamCRM's real mode.
    case prequential
    /// Global models (similarity, popularity, segments) frozen at the split; customers' own
    /// histories still grow with their test events (the same for every method).
    case frozen
}

/// Whether items the customer already touched may be recommended.
public enum EvalMode: String, Sendable, CaseIterable {
    /// Retargeting allowed.
    case keepSeen = "keep_seen"
    /// Items the customer touched before are removed from the list (before filling).
    case removeSeen = "remove_seen"
}

/// What one evaluation measured.
public struct EvalReport: Sendable {
    /// Input events, events before the split, scored targets, distinct items, distinct customers.
    public var events = 0, trainEvents = 0, targets = 0, catalogSize = 0, customers = 0
    /// Metrics by variant and mode.
    public var metrics: [EvalVariant: [EvalMode: RankingMetrics]] = [:]
    /// Customers in order of their first event (the order segments are fed in).
    public var customerOrder: [String] = []
}

/// Runs StreamCRM under issue 5's protocol: events in time order, split at 80 % of events; every
/// test event that touches an item is a target (each item of an order is one); the customer's top
/// `cutoff` is asked for *before* the event; lists are filled from cumulative popularity
/// (``PopularityFill``) for every method alike. Deterministic for a given input.
public final class QualityEvaluator {
    /// Time-sorted input events.
    public let events: [ShopEvent]
    /// The engine's configuration (its recommender settings are replaced per mode).
    public let engineConfig: EngineConfig
    /// List length (default 20).
    public let cutoff: Int
    /// Share of events before the split (default 0.8).
    public let trainFraction: Double

    /// - Parameters:
    ///   - events: input events, sorted by time.
    ///   - engineConfig: the engine's settings (recommendation triggers are turned off: `eval` asks).
    ///   - cutoff: list length (default 20).
    ///   - trainFraction: share of events before the split (default 0.8).
    public init(events: [ShopEvent], engineConfig: EngineConfig, cutoff: Int = 20, trainFraction: Double = 0.8) {
        self.events = events
        var c = engineConfig
        c.recommendTriggers = []
        self.engineConfig = c
        self.cutoff = cutoff
        self.trainFraction = trainFraction
    }

    /// Index of the first test event: ⌊fraction · count⌋.
    public var splitIndex: Int { Int((Double(events.count) * trainFraction).rounded(.down)) }

    /// The items an event touches (targets when in the test part): a click's item (not for
    /// remove-from-cart or search) and each line of an order.
    public static func touches(_ event: ShopEvent) -> [String] {
        switch event {
        case .click(let c):
            guard let item = c.itemID, c.type != .removeFromCart, c.type != .search else { return [] }
            return [item]
        case .order(let o):
            guard o.type == .order else { return [] }
            var seen = Set<String>()
            return o.items.map(\.itemID).filter { seen.insert($0).inserted }
        case .catalog, .forgetUser:
            return []
        }
    }

    /// The recommender settings of a mode: keep-seen allows seen and bought items; remove-seen
    /// excludes them (and `eval` removes the whole touched history on top).
    public func recommenderConfig(_ mode: EvalMode, seenCount: Int) -> RecommenderConfig {
        var r = engineConfig.recommender
        switch mode {
        case .keepSeen:
            r.excludeSeen = false; r.excludeBought = false; r.listSize = cutoff
        case .removeSeen:
            r.excludeSeen = true; r.excludeBought = true; r.listSize = cutoff + seenCount
        }
        return r
    }

    /// Runs both variants and both modes in one pass; returns the report and the engine at the end.
    /// With `scoring` false, only learns (for the segment comparison).
    public func run(scoring: Bool = true) -> (report: EvalReport, engine: CRMEngine) {
        let engine = CRMEngine(config: engineConfig)
        let split = splitIndex
        var report = EvalReport()
        report.events = events.count
        report.trainEvents = split
        for v in EvalVariant.allCases {
            report.metrics[v] = [.keepSeen: RankingMetrics(cutoff: cutoff), .removeSeen: RankingMetrics(cutoff: cutoff)]
        }
        var fill = PopularityFill()
        var seen: [String: Set<String>] = [:]
        var catalog = Set<String>()
        // Frozen copies, taken at the split.
        var frozenSimilarity: ItemSimilarity?
        var frozenPopularity: PopularityIndex?
        var frozenCategories: CategoryIndex?
        var frozenSessions: SessionNeighbours?
        var frozenHistories: [String: [RecentItem]] = [:]
        var frozenProfiles: [String: UserProfile] = [:]
        var frozenSegments: [String: Int] = [:]
        var outputs: [ModelOutput] = []

        for (i, event) in events.enumerated() {
            if i == split {
                frozenSimilarity = ItemSimilarity(snapshot: engine.similarity.snapshot())
                frozenPopularity = PopularityIndex(snapshot: engine.popularity.snapshot())
                frozenCategories = engine.categories.copy()
                frozenSessions = engine.sessions.copy()
                for (id, c) in engine.customers {
                    frozenProfiles[id] = c.profile
                    frozenHistories[id] = c.profile.recent
                    if let s = c.segment { frozenSegments[id] = s }
                }
            }
            let items = Self.touches(event)
            guard let customer = event.userID else {
                engine.process(event, at: position(i), into: &outputs)
                outputs.removeAll(keepingCapacity: true)
                continue
            }
            let ts = event.ts ?? 0
            if scoring && i >= split && !items.isEmpty {
                let history = seen[customer]
                let cold = history == nil
                let seenSet = history ?? []
                let live = engine.customers[customer]
                let decay = engineConfig.recommender.recencyDecay
                let customers = engine.customers
                let preNeighbours = engine.sessions.scores(customer: customer, recent: live?.profile.recent ?? [],
                                                           decay: decay, history: { customers[$0]?.profile.recent })
                let froNeighbours = frozenSessions!.scores(customer: customer,
                                                           recent: frozenProfiles[customer]?.recent ?? [],
                                                           decay: decay, history: { frozenHistories[$0] })
                for mode in EvalMode.allCases {
                    let excluded = mode == .removeSeen ? seenSet : []
                    let pre = ranked(profile: live?.profile, segment: live?.segment, similarity: engine.similarity,
                                     popularity: engine.popularity, categories: engine.categories,
                                     neighbours: preNeighbours, catalog: engine.catalog, mode: mode,
                                     seenCount: seenSet.count, at: ts)
                    let preList = fill.fill(pre, length: cutoff, excluding: excluded)
                    let fro = ranked(profile: frozenProfiles[customer], segment: frozenSegments[customer],
                                     similarity: frozenSimilarity!, popularity: frozenPopularity!,
                                     categories: frozenCategories!, neighbours: froNeighbours,
                                     catalog: engine.catalog, mode: mode, seenCount: seenSet.count, at: ts)
                    let froList = fill.fill(fro, length: cutoff, excluding: excluded)
                    for target in items {
                        report.metrics[.prequential]![mode]!.record(list: preList, target: target, cold: cold)
                        report.metrics[.frozen]![mode]!.record(list: froList, target: target, cold: cold)
                    }
                }
                report.targets += items.count
            }
            // Learn.
            engine.process(event, at: position(i), into: &outputs)
            outputs.removeAll(keepingCapacity: true)
            if scoring && i >= split { applyFrozen(event, customer: customer, to: &frozenProfiles) }
            if seen[customer] == nil { report.customerOrder.append(customer) }
            seen[customer, default: []].formUnion(items)
            for item in items { fill.add(item); catalog.insert(item) }
        }
        report.catalogSize = catalog.count
        report.customers = seen.count
        return (report, engine)
    }

    private func position(_ i: Int) -> SourcePosition { SourcePosition(topic: "eval", partition: 0, offset: Int64(i)) }

    private func ranked(profile: UserProfile?, segment: Int?, similarity: ItemSimilarity, popularity: PopularityIndex,
                        categories: CategoryIndex, neighbours: [String: Double], catalog: [String: CatalogItem], mode: EvalMode, seenCount: Int, at ts: EventTime) -> [String] {
        let recommender = Recommender(config: recommenderConfig(mode, seenCount: seenCount))
        let p = profile ?? UserProfile(config: engineConfig.profile)
        return recommender.recommend(for: p, at: ts, similarity: similarity, popularity: popularity,
                                     segment: segment, catalog: catalog, categories: categories,
                                     neighbourScores: neighbours).map(\.itemID)
    }

    private func applyFrozen(_ event: ShopEvent, customer: String, to profiles: inout [String: UserProfile]) {
        var p = profiles[customer] ?? UserProfile(config: engineConfig.profile)
        switch event {
        case .click(let c): p.apply(click: c, weights: engineConfig.weights)
        case .order(let o): p.apply(order: o, weights: engineConfig.weights)
        case .catalog, .forgetUser: return
        }
        profiles[customer] = p
    }
}
