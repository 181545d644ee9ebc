/// The CRM engine: all models, updated one event at a time on event time (DESIGN.md §4).
///
/// Pure: no I/O, no wall clock. The daemon, `replay` and `eval` drive the same engine; given the
/// same events in the same order it reaches the same state and emits the same outputs.
public final class CRMEngine {
    public let config: EngineConfig
    /// Per-customer state.
    public private(set) var customers: [String: CustomerState] = [:]
    /// Item co-occurrence cache (global).
    public let similarity: ItemSimilarity
    /// Decayed global and per-segment popularity (global).
    public let popularity: PopularityIndex
    /// Popular items per category, from the categories clicks carry (content-based candidates).
    public let categories = CategoryIndex()
    /// Item → latest customers, for nearest-customer (session-kNN) scores.
    public let sessions = SessionNeighbours()
    /// Catalog records seen on the catalog topic.
    public private(set) var catalog: [String: CatalogItem] = [:]
    /// Online standardiser of customer features.
    public private(set) var standardizer: FeatureStandardizer
    /// Online k-means over standardised customer features.
    public private(set) var kmeans: OnlineKMeans
    /// Segment names by id, recomputed from the centroids.
    public private(set) var segmentNames: [String] = []
    /// The churn model in use (parameters re-estimated from live summaries).
    public private(set) var churn: ChurnModel
    /// Result of the last parameter estimate, if any.
    public private(set) var lastChurnFit: ChurnFit?
    /// Event time of the last parameter estimate.
    public private(set) var lastChurnFitAt: EventTime?
    /// Per-customer (x, t_x, T) summaries in buckets: the estimator's input.
    public private(set) var churnSummaries = ChurnSummaryBuckets(bucketDays: 1)
    /// Churn timers: when each customer's risk will cross the threshold.
    public private(set) var timers = ChurnTimers()
    /// The event-time clock.
    public private(set) var watermark: Watermark
    /// What the engine did so far.
    public private(set) var stats = EngineStats()

    let recommender: Recommender
    let assigner: SegmentAssigner
    let namer = SegmentNamer()
    let estimator: ChurnParameterEstimator
    var ordersSinceRefit = 0
    var updatesSinceRename = 0
    /// Customers changed since the last `takeDirtyCustomers()`, and customers erased since then.
    var dirtyCustomers: Set<String> = []
    var erasedCustomers: Set<String> = []

    public init(config: EngineConfig = EngineConfig()) {
        self.config = config
        similarity = ItemSimilarity(config: config.similarity)
        popularity = PopularityIndex(config: config.popularity)
        standardizer = FeatureStandardizer(dimension: CustomerFeatures.dimension)
        kmeans = OnlineKMeans(configuration: .init(k: config.segmentCount, dimension: CustomerFeatures.dimension,
                                                   decay: config.segmentDecay, seed: config.segmentSeed))
        churn = ChurnModel(kind: config.churnKind, horizonDays: config.churnHorizonDays)
        estimator = ChurnParameterEstimator(kind: config.churnKind)
        recommender = Recommender(config: config.recommender)
        assigner = SegmentAssigner(margin: config.segmentHysteresis)
        watermark = Watermark(configuration: config.watermark)
    }

    // MARK: Processing

    /// Applies one input event; appends its outputs (and any churn alerts that event time now
    /// fires) to `outputs`. Output ids derive from `position`.
    @discardableResult
    public func process(_ event: ShopEvent, at position: SourcePosition, partition: Int32? = nil,
                        into outputs: inout [ModelOutput]) -> EngineVerdict {
        switch event {
        case .catalog(let item):
            catalog[item.itemID] = item
            stats.catalogRecords += 1
            return .applied
        case .forgetUser(let userID):
            forget(userID, into: &outputs)
            return .applied
        case .click(let click):
            guard let verdict = observeTime(click.ts) else {
                return reject("field 'ts': \(click.ts) is too far ahead of the stream's clock (\(watermark.referenceTime ?? 0))")
            }
            _ = verdict
            let customer = state(for: click.userID, partition: partition ?? position.partition)
            guard customer.rememberEventID(click.eventID, limit: config.rememberedEventIDs) else {
                stats.duplicates += 1
                return .duplicate
            }
            applyClick(click, customer: customer, position: position, into: &outputs)
        case .order(let order):
            guard observeTime(order.ts) != nil else {
                return reject("field 'ts': \(order.ts) is too far ahead of the stream's clock (\(watermark.referenceTime ?? 0))")
            }
            let customer = state(for: order.userID, partition: partition ?? position.partition)
            guard customer.rememberEventID(order.eventID, limit: config.rememberedEventIDs) else {
                stats.duplicates += 1
                return .duplicate
            }
            let verdict = applyOrder(order, customer: customer, position: position, into: &outputs)
            if verdict != .applied { return verdict }
        }
        fireDueTimers(into: &outputs)
        return .applied
    }

    /// Advances event time without an event (the wall clock while the stream is idle, when
    /// configured) and fires the timers that became due.
    public func advanceIdle(wallNow: Int64, into outputs: inout [ModelOutput]) {
        if watermark.advanceIdle(wallNow: wallNow) { fireDueTimers(into: &outputs) }
    }

    /// Moves event time to `time` (end of a replay, or a test's clock) and fires due timers.
    public func advance(to time: EventTime, into outputs: inout [ModelOutput]) {
        _ = watermark.observe(time)
        fireDueTimers(into: &outputs)
    }

    private func reject(_ reason: String) -> EngineVerdict {
        stats.rejected += 1
        return .rejected(reason)
    }

    /// Classifies the event time; nil when it is too far in the future to be trusted.
    private func observeTime(_ ts: EventTime) -> Watermark.Classification? {
        let c = watermark.observe(ts)
        switch c {
        case .tooFarInFuture: return nil
        case .late: stats.lateEvents += 1
        case .onTime: break
        }
        return c
    }

    private func state(for userID: String, partition: Int32) -> CustomerState {
        dirtyCustomers.insert(userID)
        if let s = customers[userID] { return s }
        let s = CustomerState(profile: UserProfile(config: config.profile), partition: partition)
        customers[userID] = s
        erasedCustomers.remove(userID)
        return s
    }

    /// The customers changed and erased since the last call (sorted), for a checkpoint.
    public func takeDirtyCustomers() -> (changed: [String], erased: [String]) {
        defer { dirtyCustomers.removeAll(keepingCapacity: true); erasedCustomers.removeAll(keepingCapacity: true) }
        return (dirtyCustomers.subtracting(erasedCustomers).sorted(), erasedCustomers.sorted())
    }

    /// Drops the in-memory state of customers on partitions that moved to another instance
    /// (their checkpointed state stays in the store).
    public func dropCustomers(partitions: Set<Int32>) {
        for (userID, customer) in customers where partitions.contains(customer.partition) {
            customers[userID] = nil
            dirtyCustomers.remove(userID)
            _ = timers.cancel(user: userID)
        }
    }

    private func applyClick(_ click: ClickEvent, customer: CustomerState, position: SourcePosition,
                            into outputs: inout [ModelOutput]) {
        stats.clicks += 1
        let prior = customer.profile.recent
        let outcome = customer.profile.apply(click: click, weights: config.weights)
        if let item = outcome.itemID, outcome.weight > 0 {
            similarity.observe(recent: prior, item: item, ts: click.ts)
            popularity.observe(item: item, segment: customer.segment, ts: click.ts, weight: outcome.weight)
            if let category = click.category {
                categories.observe(item: item, category: category, ts: click.ts, weight: outcome.weight)
            }
            sessions.observe(customer: click.userID, item: item)
        }
        if customer.segment == nil || click.ts - (customer.segmentEvaluatedAt ?? .min) >= config.segmentClickInterval {
            updateSegment(customer, userID: click.userID, ts: click.ts, learn: customer.segment == nil,
                          position: position, into: &outputs)
        }
        if config.recommendTriggers.contains(click.type.rawValue) {
            recommend(customer, userID: click.userID, ts: click.ts, trigger: click.eventID,
                      triggerType: click.type.rawValue, position: position, into: &outputs)
        }
    }

    private func applyOrder(_ order: OrderEvent, customer: CustomerState, position: SourcePosition,
                            into outputs: inout [ModelOutput]) -> EngineVerdict {
        let before = (customer.profile.orderCount, customer.profile.firstOrderAt, customer.profile.lastOrderAt)
        let prior = customer.profile.recent
        let catalog = self.catalog
        let outcome = customer.profile.apply(order: order, weights: config.weights,
                                             categoryOf: { catalog[$0]?.category })
        switch outcome {
        case .duplicate, .alreadyUndone:
            stats.duplicates += 1
            return .duplicate
        case .unknownOrder:
            return reject("field 'order_id': \(order.type.rawValue) names order '\(order.orderID)', which customer '\(order.userID)' does not have")
        case .cancelled:
            stats.cancels += 1
        case .refunded:
            stats.refunds += 1
            return .applied
        case .applied:
            stats.orders += 1
            let items = order.items.map(\.itemID)
            similarity.observe(recent: prior, items: items, ts: order.ts)
            for item in Set(items).sorted() {
                popularity.observe(item: item, segment: customer.segment, ts: order.ts, weight: config.weights.order)
                sessions.observe(customer: order.userID, item: item)
            }
        }
        // Order statistics changed: update the churn summaries, re-arm the timer, re-segment.
        if let first = before.1, let last = before.2, before.0 > 0 {
            churnSummaries.remove(orders: before.0, firstOrderAt: first, lastOrderAt: last)
        }
        let p = customer.profile
        if let first = p.firstOrderAt, let last = p.lastOrderAt, p.orderCount > 0 {
            churnSummaries.add(orders: p.orderCount, firstOrderAt: first, lastOrderAt: last)
        }
        if case .applied = outcome {
            if customer.alertedEpisode != nil {
                if config.churnEmitReactivated {
                    outputs.append(.churnAlert(reactivation(customer, userID: order.userID, ts: order.ts, position: position)))
                    stats.reactivations += 1
                }
                customer.alertedEpisode = nil
            }
            ordersSinceRefit += 1
            if ordersSinceRefit >= config.churnRefitEveryOrders { refitChurn(at: order.ts) }
        }
        armTimer(customer, userID: order.userID)
        updateSegment(customer, userID: order.userID, ts: order.ts, learn: true, position: position, into: &outputs)
        if config.recommendTriggers.contains("order"), case .applied = outcome {
            recommend(customer, userID: order.userID, ts: order.ts, trigger: order.eventID, triggerType: "order",
                      position: position, into: &outputs)
        }
        return .applied
    }

    // MARK: Segments

    private func features(of customer: CustomerState, at now: EventTime) -> [Double] {
        let p = customer.profile
        let recencyDays = Double(now - (p.lastEventAt ?? now)) / Double(millisecondsPerDay)
        return CustomerFeatures.vector(recencyDays: recencyDays, orders: Double(p.orderCount), monetary: p.monetary,
                                       avgOrderValue: p.averageOrderValue, views: Double(p.views + p.clicks),
                                       carts: Double(p.cartAdds), distinctCategories: Double(p.categorySpread))
    }

    private func updateSegment(_ customer: CustomerState, userID: String, ts: EventTime, learn: Bool,
                               position: SourcePosition, into outputs: inout [ModelOutput]) {
        customer.segmentEvaluatedAt = ts
        let raw = features(of: customer, at: ts)
        if learn { standardizer.update(raw) }
        let z = standardizer.standardize(raw)
        if learn {
            _ = kmeans.update(z)
            updatesSinceRename += 1
        }
        guard kmeans.isInitialized else { return }
        if segmentNames.count != kmeans.centroids.count || updatesSinceRename >= config.segmentRenameEvery {
            renameSegments()
        }
        let decision = assigner.assign(z, current: customer.segment, centroids: kmeans.centroids)
        guard decision.changed || customer.segment == nil else { return }
        let previous = customer.segment.map { segmentNames[$0] }
        customer.segment = decision.segment
        stats.segmentChanges += 1
        let named = zip(CustomerFeatures.names, raw).map { (name: $0, value: $1) }
        outputs.append(.segmentChange(SegmentChange(
            eventID: OutputID.make(position, kind: "segment"), userID: userID, ts: ts,
            segment: segmentNames[decision.segment], previousSegment: previous, features: named)))
    }

    private func renameSegments() {
        updatesSinceRename = 0
        let raw = kmeans.centroids.map { standardizer.destandardize($0) }
        segmentNames = namer.names(rawCentroids: raw)
    }

    /// The readable name of a customer's segment ("unassigned" before the first assignment).
    public func segmentName(of customer: CustomerState) -> String {
        guard let s = customer.segment, s < segmentNames.count else { return "unassigned" }
        return segmentNames[s]
    }

    // MARK: Recommendations

    private func recommend(_ customer: CustomerState, userID: String, ts: EventTime, trigger: String,
                           triggerType: String, position: SourcePosition, into outputs: inout [ModelOutput]) {
        // Rate limit first: computing a list is the expensive part.
        if let last = customer.lastRecommendationAt, ts - last < config.recommender.minEmitInterval { return }
        let items = recommendations(for: customer, userID: userID, at: ts)
        guard recommender.shouldEmit(items, last: customer.lastRecommendation,
                                     lastEmitAt: customer.lastRecommendationAt, now: ts) else { return }
        customer.lastRecommendation = items
        customer.lastRecommendationAt = ts
        stats.recommendations += 1
        outputs.append(.recommendation(Recommendation(
            eventID: OutputID.make(position, kind: "recommendation"), userID: userID, ts: ts,
            triggerEventID: trigger, triggerType: triggerType, items: items, segment: segmentName(of: customer))))
    }

    /// The current recommendation list for a customer (the interactive query and `eval` use it).
    /// Without `userID`, nearest-customer scores are left out.
    public func recommendations(for customer: CustomerState, userID: String? = nil, at ts: EventTime) -> [RecommendedItem] {
        var neighbourScores: [String: Double] = [:]
        if let userID, config.recommender.sessionWeight > 0 {
            neighbourScores = sessions.scores(customer: userID, recent: customer.profile.recent,
                                              decay: config.recommender.recencyDecay,
                                              history: { [customers] in customers[$0]?.profile.recent })
        }
        return recommender.recommend(for: customer.profile, at: ts, similarity: similarity, popularity: popularity,
                                     segment: customer.segment, catalog: catalog, categories: categories,
                                     neighbourScores: neighbourScores)
    }

    // MARK: Churn

    private func armTimer(_ customer: CustomerState, userID: String) {
        let p = customer.profile
        guard p.orderCount > 0, let first = p.firstOrderAt, let last = p.lastOrderAt else {
            _ = timers.cancel(user: userID)
            return
        }
        if customer.alertedEpisode == last { return }
        if let at = churn.alertTime(orders: p.orderCount, firstOrderAt: first, lastOrderAt: last,
                                    threshold: config.churnThreshold) {
            timers.schedule(user: userID, at: at)
        } else {
            _ = timers.cancel(user: userID)
        }
    }

    private func fireDueTimers(into outputs: inout [ModelOutput]) {
        guard let now = watermark.current else { return }
        for due in timers.popDue(upTo: now) {
            guard let customer = customers[due.userID] else { continue }
            let p = customer.profile
            guard p.orderCount > 0, let first = p.firstOrderAt, let last = p.lastOrderAt,
                  customer.alertedEpisode != last else { continue }
            let score = churn.score(orders: p.orderCount, firstOrderAt: first, lastOrderAt: last, now: due.fireAt)
            if score.risk < config.churnThreshold {
                // The parameters moved since the timer was set: set it again.
                armTimer(customer, userID: due.userID)
                continue
            }
            customer.alertedEpisode = last
            stats.churnAlerts += 1
            // Silence changes the customer's features (recency): re-segment them now, so that a
            // drifting customer lands in an "at risk" or "lapsed" segment and the segment change
            // is emitted beside the alert.
            let position = SourcePosition(topic: "churn/\(due.userID)", partition: customer.partition, offset: last)
            updateSegment(customer, userID: due.userID, ts: due.fireAt, learn: true, position: position, into: &outputs)
            outputs.append(.churnAlert(alert(customer, userID: due.userID, at: due.fireAt, score: score)))
        }
    }

    private func alert(_ customer: CustomerState, userID: String, at ts: EventTime, score: ChurnScore) -> ChurnAlert {
        let p = customer.profile
        let silentDays = Double(ts - (p.lastOrderAt ?? ts)) / Double(millisecondsPerDay)
        var usual = ""
        if p.orderCount > 1, let first = p.firstOrderAt, let last = p.lastOrderAt {
            let gap = Double(last - first) / Double(millisecondsPerDay) / Double(p.orderCount - 1)
            usual = "; usually every \(Int(gap.rounded())) days"
        } else {
            usual = "; only one order so far"
        }
        let reason = "no order for \(Int(silentDays.rounded(.down))) days\(usual); "
            + "P(no order in \(Int(config.churnHorizonDays)) days) = \(Int((score.risk * 100).rounded()))%"
        return ChurnAlert(eventID: OutputID.churn(userID: userID, episodeStart: p.lastOrderAt ?? 0), userID: userID,
                          ts: ts, risk: score.risk, pAlive: score.pAlive, horizonDays: config.churnHorizonDays,
                          lastOrderAt: p.lastOrderAt, orders: p.orderCount, monetary: p.monetary,
                          segment: segmentName(of: customer), reason: reason)
    }

    private func reactivation(_ customer: CustomerState, userID: String, ts: EventTime,
                              position: SourcePosition) -> ChurnAlert {
        let p = customer.profile
        return ChurnAlert(eventID: OutputID.make(position, kind: "reactivated"), userID: userID, ts: ts, risk: 0,
                          pAlive: 1, horizonDays: config.churnHorizonDays, lastOrderAt: p.lastOrderAt,
                          orders: p.orderCount, monetary: p.monetary, segment: segmentName(of: customer),
                          reason: "reactivated: ordered again after a churn alert")
    }

    /// Re-estimates the churn parameters from the live customer summaries.
    public func refitChurn(at now: EventTime) {
        ordersSinceRefit = 0
        let fit = estimator.fit(churnSummaries.summaries(at: now), start: churn.parameters)
        lastChurnFit = fit
        lastChurnFitAt = now
        stats.churnRefits += 1
        if fit.parameters.isValid { churn.parameters = fit.parameters }
    }

    // MARK: Erasure

    private func forget(_ userID: String, into outputs: inout [ModelOutput]) {
        dirtyCustomers.remove(userID)
        erasedCustomers.insert(userID)
        if let customer = customers.removeValue(forKey: userID) {
            let p = customer.profile
            similarity.forget(recent: p.recent)
            if let first = p.firstOrderAt, let last = p.lastOrderAt, p.orderCount > 0 {
                churnSummaries.remove(orders: p.orderCount, firstOrderAt: first, lastOrderAt: last)
            }
            _ = timers.cancel(user: userID)
        }
        stats.forgotten += 1
        outputs.append(.tombstone(userID: userID))
    }
}
