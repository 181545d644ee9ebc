/// Checkpoint and restore of the engine's state (DESIGN.md §5).
///
/// Two kinds of state:
/// - **Customers**, many and small, each in its own blob (``CustomerStateCodec``, hand-written), keyed
///   by user id and stored with the customer's partition, so that the customers of one partition
///   can be restored when it is assigned.
/// - **Globals**, few and large (``encodeGlobals()``): each key's blob is one version byte
///   (``globalsVersion``) followed by a ``BinaryStateEncoder`` encoding.
///
/// Per-customer derived structures, the churn summaries (the estimator's input) and the churn
/// timers, are **not** saved: ``restoreCustomer(userID:partition:from:)`` rebuilds them from each
/// restored customer and ``dropCustomers(partitions:)`` removes them, so they always reflect exactly
/// the customers in memory, after a restart or after partitions move.
///
/// Configuration: restored state is put under the restoring engine's ``EngineConfig``. Profile
/// bounds and half-lives, the similarity and popularity configurations, the churn horizon and the
/// clock's settings come from the engine; the saved k-means (with its own configuration) is kept
/// only when its k and dimension match the engine's, otherwise segments start empty; the saved
/// churn parameters only when the model kind matches.
extension CRMEngine {
    /// Version byte that starts every global blob.
    public static let globalsVersion: UInt8 = 1

    /// The keys ``encodeGlobals()`` writes, in order.
    public static let globalKeys = ["similarity", "popularity", "categories", "sessions", "segments", "churn", "clock",
                                    "catalog", "stats"]

    /// The keys of ``globalKeys`` that are the learned models and reference data a seed carries
    /// (`model.seed`, `streamcrm export-model`): not the clock and not the counters, which belong to
    /// the stream a state directory has read.
    public static let modelKeys = ["similarity", "popularity", "categories", "sessions", "segments", "churn", "catalog"]

    struct SegmentsState: Codable {
        var standardizer: FeatureStandardizer
        var kmeans: OnlineKMeans
        var names: [String]
        var updatesSinceRename: Int
    }

    struct ChurnState: Codable {
        var model: ChurnModel
        var lastFit: ChurnFit?
        var lastFitAt: EventTime?
        var ordersSinceRefit: Int
        /// The online churn score's learned state (absent in blobs written before it existed).
        var scorer: ChurnScorer?
    }

    /// The clock without its settings (the engine's apply) and without the wall time of the last
    /// event (meaningless after a restart: idle advancement starts again after the next event).
    struct ClockState: Codable {
        var maxEventTime: EventTime?
        var current: EventTime?
        var futureStreak: Int
    }

    // MARK: Customers

    /// The customer's partition and state blob, or nil when the engine does not hold them.
    public func encodeCustomer(_ userID: String) -> (partition: Int32, state: [UInt8])? {
        guard let customer = customers[userID] else { return nil }
        customer.churnTimerAt = timers.fireTime(of: userID)
            ?? partitionClocks.fireTime(of: userID, partition: customer.partition)
        return (customer.partition, CustomerStateCodec.encode(customer))
    }

    /// Restores one customer from a blob written by ``encodeCustomer(_:)`` (call ``restoreGlobals(_:)``
    /// first): inserts (or replaces) the customer, adds their order summary to ``churnSummaries`` and
    /// puts back their churn timer as it was saved (none if none was saved; a blob from before
    /// timers were saved re-arms it as an order would, unless the episode was already alerted).
    /// A segment the restored segments do not have is dropped (the customer is re-assigned on their
    /// next event). Throws ``BinaryDecodeError`` on a malformed blob, leaving the engine unchanged.
    public func restoreCustomer(userID: String, partition: Int32, from bytes: UnsafeRawBufferPointer) throws {
        let customer = try CustomerStateCodec.decode(bytes, profileConfig: config.profile, partition: partition)
        if let s = customer.segment, !(kmeans.isInitialized && s < kmeans.centroids.count && s < segmentNames.count) {
            customer.segment = nil
        }
        if let old = customers[userID] { removeSummary(of: old) }
        customers[userID] = customer
        let p = customer.profile
        if let t = p.lastEventAt {
            partitionClocks.observe(t, partition: partition)
            restoredHorizon = max(restoredHorizon ?? t, t)
        }
        if let first = p.firstOrderAt, let last = p.lastOrderAt, p.orderCount > 0 {
            churnSummaries.add(orders: p.orderCount, firstOrderAt: first, lastOrderAt: last)
        }
        if let at = customer.churnTimerAt {
            timers.schedule(user: userID, at: at)
        } else if !customer.churnTimerKnown {
            // A blob from before timers were stored: arm it as an order would.
            armTimer(customer, userID: userID)
        }
    }

    /// ``restoreCustomer(userID:partition:from:)`` from a byte array.
    public func restoreCustomer(userID: String, partition: Int32, from bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try restoreCustomer(userID: userID, partition: partition, from: $0) }
    }

    private func removeSummary(of customer: CustomerState) {
        let p = customer.profile
        if let first = p.firstOrderAt, let last = p.lastOrderAt, p.orderCount > 0 {
            churnSummaries.remove(orders: p.orderCount, firstOrderAt: first, lastOrderAt: last)
        }
    }

    // MARK: Globals

    /// The global model state as a few keyed blobs (``globalKeys``): "similarity", "popularity",
    /// "segments" (standardiser, k-means, names, rename counter), "churn" (model, last fit and its
    /// time, orders since the last refit), "clock" (watermark), "catalog" and "stats". The same state
    /// always gives the same bytes.
    public func encodeGlobals() -> [(key: String, state: [UInt8])] {
        [
            ("similarity", Self.blob(similarity.snapshot())),
            ("popularity", Self.blob(popularity.snapshot())),
            ("categories", Self.blob(categories.snapshot())),
            ("sessions", Self.blob(sessions.snapshot())),
            ("segments", Self.blob(SegmentsState(standardizer: standardizer, kmeans: kmeans, names: segmentNames,
                                                 updatesSinceRename: updatesSinceRename))),
            ("churn", Self.blob(ChurnState(model: churn, lastFit: lastChurnFit, lastFitAt: lastChurnFitAt,
                                           ordersSinceRefit: ordersSinceRefit, scorer: churnScorer))),
            ("clock", Self.blob(ClockState(maxEventTime: watermark.maxEventTime, current: watermark.current,
                                           futureStreak: watermark.futureStreak))),
            ("catalog", Self.blob(catalog)),
            ("stats", Self.blob(stats)),
        ]
    }

    /// Restores the global model state of a fresh engine (before any customer is restored or event
    /// processed). `load` returns a key's blob, or nil when there is none: that part starts empty.
    /// Throws ``BinaryDecodeError`` (or a `DecodingError`) on a malformed blob; everything is decoded
    /// before anything is applied, so on a throw the engine is unchanged.
    /// Returns what it left out and why (segments trained with another k), for the log.
    @discardableResult
    public func restoreGlobals(_ load: (String) throws -> [UInt8]?) throws -> [String] {
        // A damaged blob is named: BinaryDecodeError alone says where in it, not which it is.
        func named<T: Decodable>(_ type: T.Type, _ key: String) throws -> T? {
            let bytes = try load(key)
            do { return try Self.decode(T.self, bytes) } catch {
                throw GlobalStateDecodeError(key: key, byteCount: bytes?.count ?? 0, underlying: error)
            }
        }
        let sim = try named(ItemSimilarity.Snapshot.self, "similarity")
        let pop = try named(PopularityIndex.Snapshot.self, "popularity")
        let cats = try named(CategoryIndex.Snapshot.self, "categories")
        let sess = try named([String: [String]].self, "sessions")
        let seg = try named(SegmentsState.self, "segments")
        let chu = try named(ChurnState.self, "churn")
        let clk = try named(ClockState.self, "clock")
        let cat = try named([String: CatalogItem].self, "catalog")
        let sta = try named(EngineStats.self, "stats")
        var notes: [String] = []
        if let clk {
            for t in [clk.maxEventTime, clk.current].compactMap({ $0 }) where abs(t) > CustomerStateCodec.maxAbsTime {
                throw BinaryDecodeError.invalidValue(offset: 0, reason: "clock time \(t) out of range")
            }
        }

        if var s = sim {
            if s.config != config.similarity {
                s.config = config.similarity
                s.decay = ForwardDecay(halfLife: config.similarity.halfLife, landmark: s.decay.landmark,
                                       rebaseAfterHalfLives: s.decay.rebaseAfterHalfLives)
            }
            similarity = ItemSimilarity(snapshot: s)
        }
        if var s = pop {
            if s.config != config.popularity {
                s.config = config.popularity
                s.decay = ForwardDecay(halfLife: config.popularity.halfLife, landmark: s.decay.landmark,
                                       rebaseAfterHalfLives: s.decay.rebaseAfterHalfLives)
            }
            popularity = PopularityIndex(snapshot: s)
        }
        if let cats { categories = CategoryIndex(snapshot: cats, config: categories.config) }
        if let sess { sessions = SessionNeighbours(snapshot: sess, config: sessions.config) }
        if let seg, Self.segmentsFit(seg, k: config.segmentCount) {
            standardizer = seg.standardizer
            kmeans = seg.kmeans
            segmentNames = seg.names
            updatesSinceRename = seg.updatesSinceRename
        } else if let seg {
            notes.append("the stored segments (k=\(seg.kmeans.configuration.k)) do not fit model.segments.k=\(config.segmentCount) "
                + "and are trained again from the start; customers are re-assigned as their events come")
        }
        if let chu {
            churn = chu.model.kind == config.churnKind
                ? chu.model : ChurnModel(kind: config.churnKind, horizonDays: config.churnHorizonDays)
            churn.horizonDays = config.churnHorizonDays
            lastChurnFit = chu.lastFit
            lastChurnFitAt = chu.lastFitAt
            ordersSinceRefit = chu.ordersSinceRefit
            if let scorer = chu.scorer, scorer.config == config.churnScorer { churnScorer = scorer }
        }
        if let clk {
            var w = Watermark(configuration: config.watermark)
            w.maxEventTime = clk.maxEventTime
            w.current = clk.current
            w.futureStreak = clk.futureStreak
            watermark = w
            restoredReference = w.referenceTime
        }
        if let cat { catalog = cat }
        if let sta { stats = sta }
        return notes
    }

    /// Why a set of model blobs (a seed: ``modelKeys``) cannot serve under this engine's
    /// configuration, or nil: every blob decodes (a damaged one is named), the
    /// segments must have been trained with this engine's k, and there must be something trained.
    /// `checkSegmentCount: false` skips the k check (exporting, with no configuration to compare).
    public func seedProblem(_ blobs: [String: [UInt8]], checkSegmentCount: Bool = true) -> String? {
        let scratch = CRMEngine(config: config)
        do {
            try scratch.restoreGlobals { Self.modelKeys.contains($0) ? blobs[$0] : nil }
        } catch let error as GlobalStateDecodeError {
            return "its '\(error.key)' model is damaged: \(error.underlying)"
        } catch {
            return "its models are damaged: \(error)"
        }
        if checkSegmentCount, let blob = blobs["segments"], let seg = try? Self.decode(SegmentsState.self, blob),
           !Self.segmentsFit(seg, k: config.segmentCount) {
            return "its segments were trained with k=\(seg.kmeans.configuration.k) (model.segments.k is \(config.segmentCount)): "
                + "set model.segments.k=\(seg.kmeans.configuration.k), or export a model trained with k=\(config.segmentCount)"
        }
        if scratch.similarity.itemCount == 0 && !scratch.kmeans.isInitialized && scratch.popularity.itemCount() == 0 {
            return "its models are empty (exported from a state directory that had read no events?)"
        }
        return nil
    }

    /// Whether saved segments match the engine's k and feature dimension and are self-consistent.
    private static func segmentsFit(_ s: SegmentsState, k: Int) -> Bool {
        let d = CustomerFeatures.dimension
        let km = s.kmeans
        return km.configuration.k == k && km.configuration.dimension == d && s.standardizer.dimension == d
            && s.standardizer.mean.count == d && km.centroids.count <= k && km.weights.count == km.centroids.count
            && km.centroids.allSatisfy { $0.count == d } && s.names.count <= km.centroids.count
            && (!km.isInitialized || km.centroids.count == k)
    }

    private static func blob<T: Encodable>(_ value: T) -> [UInt8] {
        // The state types' encodings cannot throw (no custom code throws while encoding).
        do {
            return [globalsVersion] + (try BinaryStateEncoder().encode(value))
        } catch {
            preconditionFailure("encoding \(T.self) failed: \(error)")
        }
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]?) throws -> T? {
        guard let bytes else { return nil }
        guard let version = bytes.first else { throw BinaryDecodeError.truncated(offset: 0, needed: 1, available: 0) }
        guard version == globalsVersion else {
            throw BinaryDecodeError.invalidValue(offset: 0, reason: "unknown global state version \(version)")
        }
        return try BinaryStateDecoder().decode(T.self, from: Array(bytes.dropFirst()))
    }
}
