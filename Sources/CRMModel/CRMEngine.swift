/// The CRM engine: all models, updated one event at a time on event time (DESIGN.md §4).
///
/// Pure: no I/O, no wall clock. The daemon, `replay` and `eval` drive the same engine; given the
/// same events in the same order it reaches the same state and emits the same outputs.
public final class CRMEngine {
    public internal(set) var config: EngineConfig
    /// Per-customer state.
    public internal(set) var customers: [String: CustomerState] = [:]
    /// Item co-occurrence cache (global). A `var` (setter internal) so that `restoreGlobals` can
    /// replace it with one restored from a checkpoint (CRMEngine+State.swift).
    public internal(set) var similarity: ItemSimilarity
    /// Decayed global and per-segment popularity (global); replaced by `restoreGlobals` like `similarity`.
    public internal(set) var popularity: PopularityIndex
    /// Popular items per category, from the categories clicks carry (content-based candidates);
    /// replaced by `restoreGlobals` like `similarity`.
    public internal(set) var categories = CategoryIndex()
    /// Item → latest customers, for nearest-customer (session-kNN) scores; replaced by `restoreGlobals`.
    public internal(set) var sessions = SessionNeighbours()
    /// Catalog records seen on the catalog topic.
    public internal(set) var catalog: [String: CatalogItem] = [:]
    /// Online standardiser of customer features.
    public internal(set) var standardizer: FeatureStandardizer
    /// Online k-means over standardised customer features.
    public internal(set) var kmeans: OnlineKMeans
    /// Segment names by id, recomputed from the centroids.
    public internal(set) var segmentNames: [String] = []
    /// The churn model in use (parameters re-estimated from live summaries).
    public internal(set) var churn: ChurnModel
    /// Result of the last parameter estimate, if any.
    public internal(set) var lastChurnFit: ChurnFit?
    /// Event time of the last parameter estimate.
    public internal(set) var lastChurnFitAt: EventTime?
    /// The online churn score (blend of the model risk with recency, frequency and value, learned
    /// from resolved outcomes): what alerts and `churnScore(for:at:)` use.
    public internal(set) var churnScorer: ChurnScorer
    /// Per-customer (x, t_x, T) summaries in buckets: the estimator's input.
    public internal(set) var churnSummaries = ChurnSummaryBuckets(bucketDays: 1)
    /// Churn timers: when each customer's risk will cross the threshold.
    public internal(set) var timers = ChurnTimers()
    /// The event-time clock.
    public internal(set) var watermark: Watermark
    /// Event time per input partition; holds churn timers a lagging partition has not reached.
    public internal(set) var partitionClocks = PartitionClocks()
    /// `forget_user` requests waiting for their customer's partition to reach them.
    public internal(set) var heldForgets = HeldForgets()
    /// What the engine did so far.
    public internal(set) var stats = EngineStats()

    /// The wall clock (ms) of a live daemon, set by its loop; nil in replay. Only used to judge
    /// whether an event is implausibly far in the future and for idle advancement.
    public var wallNow: EventTime?
    /// The latest event time of any customer restored into this engine (``restoreCustomer``): a
    /// partition taken over from another instance has been read up to there, so its next events
    /// are not "far in the future" however long this instance's own clock lagged. Not
    /// checkpointed (every restore rebuilds it) and not the watermark (it fires no timer).
    public internal(set) var restoredHorizon: EventTime?
    /// The far-ahead reference of the clock restored from a checkpoint (nil for a fresh engine):
    /// with ``restoredHorizon``, what a topic partition's first event is judged by (``TimedSources``).
    var restoredReference: EventTime?
    /// The topic partitions with an accepted timed event since start or handover.
    var timedSources = TimedSources()

    var recommender: Recommender
    let assigner: SegmentAssigner
    let namer = SegmentNamer()
    let estimator: ChurnParameterEstimator
    var ordersSinceRefit = 0
    var updatesSinceRename = 0
    /// Customers changed since the last `takeDirtyCustomers()`, and customers erased since then.
    var dirtyCustomers: Set<String> = []
    var erasedCustomers: [String: Int32] = [:]

    public init(config: EngineConfig = EngineConfig()) {
        self.config = config
        similarity = ItemSimilarity(config: config.similarity)
        popularity = PopularityIndex(config: config.popularity)
        standardizer = FeatureStandardizer(dimension: CustomerFeatures.dimension)
        kmeans = OnlineKMeans(configuration: .init(k: config.segmentCount, dimension: CustomerFeatures.dimension,
                                                   decay: config.segmentDecay, seed: config.segmentSeed))
        churn = ChurnModel(kind: config.churnKind, horizonDays: config.churnHorizonDays)
        estimator = ChurnParameterEstimator(kind: config.churnKind)
        churnScorer = ChurnScorer(config: config.churnScorer)
        recommender = Recommender(config: config.recommender)
        assigner = SegmentAssigner(margin: config.segmentHysteresis)
        watermark = Watermark(configuration: config.watermark)
    }

    // MARK: Processing

    /// Applies one input event; appends its outputs (and any churn alerts that event time now
    /// fires) to `outputs`. Output ids derive from `position`.
    @discardableResult
    public func process(_ event: ShopEvent, at position: SourcePosition, partition: Int32? = nil,
                        messageTime: EventTime? = nil, into outputs: inout [ModelOutput]) -> EngineVerdict {
        switch event {
        case .catalog(let item):
            catalog[item.itemID] = item
            stats.catalogRecords += 1
            return .applied
        case .forgetUser(let userID):
            requestForget(userID, partition: partition ?? position.partition, position: position, at: messageTime,
                          into: &outputs)
            return .applied
        case .click(let click):
            guard let verdict = observeTime(click.ts, source: position) else {
                return reject("field 'ts': \(click.ts) is too far ahead of the stream's clock (\(watermark.referenceTime ?? 0))")
            }
            _ = verdict
            advancePartition(click.ts, partition: partition ?? position.partition, into: &outputs)
            // Timers this event's time has passed fire before it is applied: a customer silent
            // past their alert time was silent, whichever event moves the clock there (their own
            // next click or order included), so the outcome does not depend on which partition's
            // event gets there first.
            fireDueTimers(into: &outputs)
            let customer = state(for: click.userID, partition: partition ?? position.partition)
            guard customer.rememberEventID(click.eventID, limit: config.rememberedEventIDs) else {
                stats.duplicates += 1
                return .duplicate
            }
            applyClick(click, customer: customer, position: position, into: &outputs)
        case .order(let order):
            guard observeTime(order.ts, source: position) != nil else {
                return reject("field 'ts': \(order.ts) is too far ahead of the stream's clock (\(watermark.referenceTime ?? 0))")
            }
            advancePartition(order.ts, partition: partition ?? position.partition, into: &outputs)
            fireDueTimers(into: &outputs)  // before the order, as for a click
            // A cancel or refund of a customer this engine does not have is refused without
            // creating one (a stream of them must not grow the state).
            if order.type != .order && customers[order.userID] == nil { return unknownOrder(order) }
            let customer = state(for: order.userID, partition: partition ?? position.partition)
            // A cancel or refund may reuse its order's event_id (producers that key every order
            // lifecycle event by the order): it is a different event, so its kind is part of the key.
            let dedupKey = order.type == .order ? order.eventID : order.type.rawValue + ":" + order.eventID
            guard customer.rememberEventID(dedupKey, limit: config.rememberedEventIDs) else {
                stats.duplicates += 1
                return .duplicate
            }
            let verdict = applyOrder(order, customer: customer, position: position, into: &outputs)
            if case .rejected = verdict { customer.unrememberEventID(dedupKey) }
            if verdict != .applied { return verdict }
        }
        fireDueTimers(into: &outputs)
        return .applied
    }

    /// Advances event time without an event (the wall clock while the stream is idle, when
    /// configured) and fires the timers that became due.
    public func advanceIdle(wallNow: Int64, into outputs: inout [ModelOutput]) {
        if watermark.advanceIdle(wallNow: wallNow) {
            releaseAllForgets(partitions: nil, into: &outputs)
            releaseHeldTimers()
            fireDueTimers(gated: false, into: &outputs)
        }
    }

    /// Partitions read to their end (the daemon's consumer lag is 0 on every input topic): their
    /// held forgets are applied (``HeldForgets``) and their held churn timers are released and fire
    /// now if due (``PartitionClocks``).
    public func markCaughtUp(partitions: Set<Int32>, into outputs: inout [ModelOutput]) {
        releaseAllForgets(partitions: partitions, into: &outputs)
        let released = partitionClocks.setCaughtUp(partitions)
        guard !released.isEmpty else { return }
        for due in released { reschedule(due) }
        fireDueTimers(into: &outputs)
    }

    /// Moves event time to `time` (end of a replay, or a test's clock) and fires due timers.
    public func advance(to time: EventTime, into outputs: inout [ModelOutput]) {
        releaseAllForgets(partitions: nil, into: &outputs)
        _ = watermark.observe(time)
        releaseHeldTimers()
        fireDueTimers(gated: false, into: &outputs)
    }

    private func unknownOrder(_ order: OrderEvent) -> EngineVerdict {
        reject("field 'order_id': \(order.type.rawValue) names order '\(order.orderID)', which customer '\(order.userID)' does not have")
    }

    private func reject(_ reason: String) -> EngineVerdict {
        stats.rejected += 1
        return .rejected(reason)
    }

    /// Classifies the event time; nil when it is too far in the future to be trusted. The first
    /// event of a topic partition is judged by what was known before (``TimedSources``).
    private func observeTime(_ ts: EventTime, source: SourcePosition) -> Watermark.Classification? {
        let first = timedSources.isFirst(topic: source.topic, partition: source.partition)
        let known = first ? Self.later(restoredReference, restoredHorizon) : restoredHorizon
        let c = watermark.observe(ts, wallNow: wallNow, knownTime: known, knownTimeOnly: first)
        switch c {
        case .tooFarInFuture: return nil
        case .late: stats.lateEvents += 1
        case .onTime: break
        }
        if first { timedSources.note(topic: source.topic, partition: source.partition) }
        return c
    }

    private static func later(_ a: EventTime?, _ b: EventTime?) -> EventTime? {
        guard let a else { return b }
        guard let b else { return a }
        return max(a, b)
    }

    private func state(for userID: String, partition: Int32) -> CustomerState {
        dirtyCustomers.insert(userID)
        if let s = customers[userID] { return s }
        let s = CustomerState(profile: UserProfile(config: config.profile), partition: partition)
        customers[userID] = s
        erasedCustomers[userID] = nil
        return s
    }

    /// The customers changed and erased (with their partition) since the last call, sorted by
    /// id, for a checkpoint.
    public func takeDirtyCustomers() -> (changed: [String], erased: [(userID: String, partition: Int32)]) {
        defer { dirtyCustomers.removeAll(keepingCapacity: true); erasedCustomers.removeAll(keepingCapacity: true) }
        let changed = dirtyCustomers.filter { erasedCustomers[$0] == nil }.sorted()
        return (changed, erasedCustomers.sorted { $0.key < $1.key }.map { (userID: $0.key, partition: $0.value) })
    }

    /// Drops the in-memory state of customers on partitions that moved to another instance
    /// (their checkpointed state stays in the store), with their churn summaries and timers, so that
    /// `restoreCustomer` on the instance that takes them over rebuilds both consistently.
    public func dropCustomers(partitions: Set<Int32>) {
        timedSources.forget(partitions: partitions)
        for (userID, customer) in customers where partitions.contains(customer.partition) {
            customers[userID] = nil
            dirtyCustomers.remove(userID)
            let p = customer.profile
            if let first = p.firstOrderAt, let last = p.lastOrderAt, p.orderCount > 0 {
                churnSummaries.remove(orders: p.orderCount, firstOrderAt: first, lastOrderAt: last)
            }
            _ = timers.cancel(user: userID)
        }
        partitionClocks.drop(partitions: partitions)
        heldForgets.drop(partitions: partitions)
    }

    private func applyClick(_ click: ClickEvent, customer: CustomerState, position: SourcePosition,
                            into outputs: inout [ModelOutput]) {
        stats.clicks += 1
        let prior = customer.profile.recent
        let outcome = customer.profile.apply(click: click, weights: config.weights)
        if let item = outcome.itemID, outcome.weight > 0, !config.freezeGlobalModels {
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
        let statsBefore = ChurnCustomerSnapshot(customer.profile)
        let catalog = self.catalog
        let outcome = customer.profile.apply(order: order, weights: config.weights,
                                             categoryOf: { catalog[$0]?.category })
        switch outcome {
        case .duplicate:
            stats.duplicates += 1
            return .duplicate
        case .alreadyUndone:
            return reject("field 'order_id': \(order.type.rawValue) names order '\(order.orderID)' of customer '\(order.userID)', which is already cancelled or refunded")
        case .unknownOrder:
            return unknownOrder(order)
        case .cancelled:
            stats.cancels += 1
            // Cancelling the order an alerted silence followed does not start a new silence: the
            // customer has been quiet since their previous order, and that is what was alerted.
            if let alerted = customer.alertedEpisode, let last = customer.profile.lastOrderAt, last < alerted {
                customer.alertedEpisode = last
            }
        case .refunded:
            stats.refunds += 1
            return .applied
        case .applied:
            stats.orders += 1
            guard !config.freezeGlobalModels else { break }
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
            // Only an order after the alerted episode's last order ends its silence. A late order
            // stamped at or before it (same-day orders, a partition read behind the others) leaves
            // the alert standing: re-arming would alert the same episode again, with the same id.
            if let alerted = customer.alertedEpisode, (p.lastOrderAt ?? .min) > alerted {
                if config.churnEmitReactivated {
                    outputs.append(.churnAlert(reactivation(customer, userID: order.userID, ts: order.ts, position: position)))
                    stats.reactivations += 1
                }
                customer.alertedEpisode = nil
            }
            if !config.freezeGlobalModels {
                churnScorer.start(at: order.ts)
                if let b = statsBefore {
                    churnScorer.observeOrder(userID: order.userID, before: b, at: order.ts, horizon: churnHorizon, model: churn)
                }
                ordersSinceRefit += 1
                if ordersSinceRefit >= config.churnRefitEveryOrders { refitChurn(at: order.ts) }
            }
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
        let learn = learn && !config.freezeGlobalModels
        let raw = features(of: customer, at: ts)
        if learn { standardizer.update(raw) }
        let z = standardizer.standardize(raw)
        if learn {
            let reseeds = kmeans.reseeds
            _ = kmeans.update(z)
            updatesSinceRename += 1
            // A reseeded centroid (a split of the heaviest) is another segment now: name it now,
            // not up to segmentRenameEvery updates later under its dead predecessor's name.
            if kmeans.reseeds != reseeds { updatesSinceRename = config.segmentRenameEvery }
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
        guard recommender.shouldEmit(items, lastDigest: customer.lastRecommendationDigest,
                                     lastEmitAt: customer.lastRecommendationAt, now: ts) else { return }
        customer.lastRecommendationDigest = RecommendationDigest.of(items)
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
        if let userID, config.recommender.sessionWeight > 0, !config.freezeGlobalModels {
            neighbourScores = sessions.scores(customer: userID, recent: customer.profile.recent,
                                              decay: config.recommender.recencyDecay,
                                              history: { [customers] in customers[$0]?.profile.recent })
        }
        return recommender.recommend(for: customer.profile, at: ts, similarity: similarity, popularity: popularity,
                                     segment: customer.segment, catalog: catalog, categories: categories,
                                     neighbourScores: neighbourScores)
    }

    // MARK: Churn

    private var churnHorizon: Int64 { Int64(config.churnHorizonDays * Double(millisecondsPerDay)) }

    /// The churn score (blended risk and the model's P(alive)) of a customer at `now`; nil for an
    /// unknown customer or one without orders.
    public func churnScore(for userID: String, at now: EventTime) -> ChurnScore? {
        guard let c = customers[userID], let s = ChurnCustomerSnapshot(c.profile) else { return nil }
        return churnScorer.score(s, model: churn, now: now)
    }

    /// Internal (not private): `restoreCustomer` re-arms a restored customer's timer with it.
    func armTimer(_ customer: CustomerState, userID: String) {
        partitionClocks.cancel(user: userID, partition: customer.partition)
        guard let s = ChurnCustomerSnapshot(customer.profile) else {
            _ = timers.cancel(user: userID)
            return
        }
        if customer.alertedEpisode == s.lastOrderAt { return }
        if let at = churnScorer.alertTime(s, model: churn, threshold: config.churnThreshold) {
            timers.schedule(user: userID, at: max(at, s.lastOrderAt + config.churnMinSilence))
        } else {
            _ = timers.cancel(user: userID)
        }
    }

    /// Notes an event's time on its partition, applies the held forgets it reaches and puts back
    /// the held timers that partition has now reached (all before the event is applied).
    private func advancePartition(_ ts: EventTime, partition: Int32, into outputs: inout [ModelOutput]) {
        if !heldForgets.isEmpty { releaseForgets(partition: partition, reaching: ts, into: &outputs) }
        partitionClocks.observe(ts, partition: partition)
        for due in partitionClocks.release(partition: partition, lateness: watermark.configuration.allowedLateness) {
            reschedule(due)
        }
    }

    /// Puts back every held timer (idle stream, or event time moved explicitly).
    private func releaseHeldTimers() {
        for due in partitionClocks.releaseAll() { reschedule(due) }
    }

    private func reschedule(_ due: DueTimer) {
        guard customers[due.userID] != nil, timers.fireTime(of: due.userID) == nil else { return }
        timers.schedule(user: due.userID, at: due.fireAt)
    }

    /// Fires the timers the watermark has passed. `gated`: a timer whose customer's partition has
    /// not reached it yet is held (``PartitionClocks``) instead.
    private func fireDueTimers(gated: Bool = true, into outputs: inout [ModelOutput]) {
        guard let now = watermark.current else { return }
        if !config.freezeGlobalModels { learnChurn(now: now) }
        let lateness = watermark.configuration.allowedLateness
        for due in timers.popDue(upTo: now) {
            guard let customer = customers[due.userID], let s = ChurnCustomerSnapshot(customer.profile),
                  customer.alertedEpisode != s.lastOrderAt else { continue }
            if gated, !partitionClocks.hasReached(due.fireAt, partition: customer.partition, lateness: lateness) {
                partitionClocks.hold(due, partition: customer.partition)
                continue
            }
            let last = s.lastOrderAt
            let score = churnScorer.score(s, model: churn, now: due.fireAt)
            if score.risk < config.churnThreshold {
                // The parameters moved since the timer was set: set it again.
                armTimer(customer, userID: due.userID)
                dirtyCustomers.insert(due.userID)
                continue
            }
            customer.alertedEpisode = last
            dirtyCustomers.insert(due.userID)  // the alerted episode is customer state to checkpoint
            stats.churnAlerts += 1
            // Silence changes the customer's features (recency): re-segment them now, so that a
            // drifting customer lands in an "at risk" or "lapsed" segment and the segment change
            // is emitted beside the alert.
            let position = SourcePosition(topic: "churn/\(due.userID)", partition: customer.partition, offset: last)
            updateSegment(customer, userID: due.userID, ts: due.fireAt, learn: true, position: position, into: &outputs)
            outputs.append(.churnAlert(alert(customer, userID: due.userID, at: due.fireAt, score: score)))
        }
    }

    /// Resolves the churn scorer's due snapshots (training its blend); when the blend changed,
    /// moves forward to `now` the timers of customers already at or over the threshold, so an alert
    /// is at most one snapshot interval later than the crossing under the new weights (timers
    /// set too early re-arm when they fire).
    private func learnChurn(now: EventTime) {
        guard churnScorer.dueSnapshot(now: now, horizon: churnHorizon) != nil else { return }
        let silent = customers.keys.sorted().compactMap { u -> (userID: String, stats: ChurnCustomerSnapshot)? in
            guard let c = customers[u], let s = ChurnCustomerSnapshot(c.profile) else { return nil }
            return (u, s)
        }
        while let s = churnScorer.dueSnapshot(now: now, horizon: churnHorizon) {
            churnScorer.resolveSilent(snapshot: s, customers: silent, model: churn)
        }
        for (u, s) in silent {
            guard let c = customers[u], c.alertedEpisode != s.lastOrderAt else { continue }
            if let t = timers.fireTime(of: u), t <= now { continue }
            if partitionClocks.fireTime(of: u, partition: c.partition) != nil { continue }
            if churnScorer.score(s, model: churn, now: now).risk >= config.churnThreshold {
                timers.schedule(user: u, at: max(now, s.lastOrderAt + config.churnMinSilence))
                dirtyCustomers.insert(u)  // the timer's time is checkpointed customer state
            }
        }
    }

    /// "= 83%", and "> 99%" rather than a rounded "= 100%" for a probability short of 1.
    static func percent(_ p: Double) -> String {
        let rounded = Int((p * 100).rounded())
        if rounded >= 100 && p < 1 { return "> 99%" }
        return "= \(rounded)%"
    }

    private func alert(_ customer: CustomerState, userID: String, at ts: EventTime, score: ChurnScore) -> ChurnAlert {
        let p = customer.profile
        let silentDays = Double(ts - (p.lastOrderAt ?? ts)) / Double(millisecondsPerDay)
        var usual = ""
        if p.orderCount > 1, let first = p.firstOrderAt, let last = p.lastOrderAt {
            let gap = Double(last - first) / Double(millisecondsPerDay) / Double(p.orderCount - 1)
            let hours = Int((gap * 24).rounded())
            if gap >= 1.5 {
                usual = "; usually every \(Int(gap.rounded())) days"
            } else if hours >= 1 {
                usual = "; usually every \(hours) hour\(hours == 1 ? "" : "s")"
            } else {
                usual = "; \(p.orderCount) orders within the hour"
            }
        } else {
            usual = "; only one order so far"
        }
        let reason = "no order for \(Int(silentDays.rounded(.down))) days\(usual); "
            + "P(no order in \(Int(config.churnHorizonDays)) days) \(Self.percent(score.risk))"
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
}
