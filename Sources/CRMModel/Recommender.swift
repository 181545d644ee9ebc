/// What the recommender may know about items from the catalog (DESIGN.md §2 catalog topic).
public protocol ItemCatalogLookup {
    /// The item's category, when known.
    func category(of itemID: String) -> String?
    /// Whether the item can be sold; unknown items count as available.
    func isAvailable(_ itemID: String) -> Bool
    /// True when the catalog knows no item (lookups can be skipped).
    var isEmpty: Bool { get }
}

/// A catalog keyed by item id.
extension Dictionary: ItemCatalogLookup where Key == String, Value == CatalogItem {
    public func category(of itemID: String) -> String? { self[itemID]?.category }
    public func isAvailable(_ itemID: String) -> Bool { self[itemID]?.available ?? true }
}

/// No catalog: no categories, everything available.
public struct NoCatalog: ItemCatalogLookup, Sendable {
    public init() {}
    public func category(of itemID: String) -> String? { nil }
    public func isAvailable(_ itemID: String) -> Bool { true }
    public var isEmpty: Bool { true }
}

/// Parameters of the ``Recommender`` (DESIGN.md §4 "Recommendations").
public struct RecommenderConfig: Sendable, Equatable, Codable {
    /// Items per list. Default 10.
    public var listSize: Int
    /// Leave out items the customer bought. Default true.
    public var excludeBought: Bool
    /// Leave out items the catalog marks unavailable. Default true.
    public var excludeUnavailable: Bool
    /// Leave out the items the recommendation is based on (recent history and top affinities).
    /// Default true.
    public var excludeSeen: Bool
    /// Sources: the recent history plus this many highest-affinity items. Default 10.
    public var maxAffinitySources: Int
    /// Neighbours read per source. Default 20.
    public var neighboursPerSource: Int
    /// Popular items (segment and global, each) considered as candidates. Default 30.
    public var popularCandidates: Int
    /// Blend weight of Σ affinity × similarity (affinities scaled so the strongest source is 1).
    /// Default 1.
    public var similarityWeight: Double
    /// Blend weight of the candidate's category affinity (scaled so the strongest category is 1).
    /// Default 0.25.
    public var categoryWeight: Double
    /// Blend weight of popularity in the customer's segment (scaled so the top item is 1). Default 0.1.
    public var segmentPopularityWeight: Double
    /// Blend weight of global popularity (scaled so the top item is 1). Default 0.05.
    public var globalPopularityWeight: Double
    /// Minimum event time between two emitted lists for one customer (ms). Default 60 s.
    public var minEmitInterval: Int64
    /// Position weighting of the recent history: the k-th most recent item (k = 0 the newest) has its
    /// source weight multiplied by `recencyDecay^k`; top-affinity items not in the history count as
    /// the oldest position. 1 = no position weighting. Default 0.7 (session-kNN style).
    public var recencyDecay: Double
    /// When seen items may be recommended (`excludeSeen` false): the customer's own recent items are
    /// candidates with `recentItemWeight · recencyDecay^k` added (retargeting). Default 1.
    public var recentItemWeight: Double
    /// With a ``CategoryIndex``: the customer's this many strongest categories contribute candidates.
    /// Default 2.
    public var categorySources: Int
    /// …each this many of its most popular items. Default 20.
    public var categoryCandidates: Int
    /// Blend weight of the nearest-customers (session-kNN) score, scaled so the top item is 1,
    /// when such scores are given. Default 0.5.
    public var sessionWeight: Double

    public init(listSize: Int = 10, excludeBought: Bool = true, excludeUnavailable: Bool = true,
                excludeSeen: Bool = true, maxAffinitySources: Int = 10, neighboursPerSource: Int = 20,
                popularCandidates: Int = 30, similarityWeight: Double = 1, categoryWeight: Double = 0.25,
                segmentPopularityWeight: Double = 0.1, globalPopularityWeight: Double = 0.05,
                minEmitInterval: Int64 = 60_000, recencyDecay: Double = 0.7, recentItemWeight: Double = 1,
                categorySources: Int = 2, categoryCandidates: Int = 20, sessionWeight: Double = 0.5) {
        self.listSize = listSize; self.excludeBought = excludeBought; self.excludeUnavailable = excludeUnavailable
        self.excludeSeen = excludeSeen; self.maxAffinitySources = maxAffinitySources
        self.neighboursPerSource = neighboursPerSource; self.popularCandidates = popularCandidates
        self.similarityWeight = similarityWeight; self.categoryWeight = categoryWeight
        self.segmentPopularityWeight = segmentPopularityWeight; self.globalPopularityWeight = globalPopularityWeight
        self.minEmitInterval = minEmitInterval
        self.recencyDecay = recencyDecay; self.recentItemWeight = recentItemWeight
        self.categorySources = categorySources; self.categoryCandidates = categoryCandidates
        self.sessionWeight = sessionWeight
    }
}

/// Builds a customer's recommendation list: item-based collaborative filtering blended with
/// category affinity and segment/global popularity (DESIGN.md §4 "Recommendations").
///
/// For a candidate `c` the score is
/// `similarityWeight · Σ_s a_s · sim(s, c)` over sources `s` (recent items and top-affinity items,
/// `a_s` = affinity / strongest source affinity)
/// `+ categoryWeight · catAffinity(category(c)) / strongest category affinity`
/// `+ segmentPopularityWeight · segmentCount(c) / top segment count`
/// `+ globalPopularityWeight · globalCount(c) / top global count`.
/// Source weights `a_s` are also multiplied by `recencyDecay^k` for the k-th most recent item.
/// When seen items may be recommended, the customer's own recent items are candidates with
/// `+ recentItemWeight · recencyDecay^k` (retargeting; reason "you looked at it recently" /
/// "you bought it recently"); nearest-customer scores add `+ sessionWeight · score / top score`
/// (counted with the similarity term); a ``CategoryIndex`` adds the popular items of the customer's
/// strongest categories as candidates (see ``recommend(for:at:similarity:popularity:segment:catalog:categories:neighbourScores:)``).
/// Candidates are the sources' neighbours plus the segment's and the global popular items, so a
/// customer without history gets popular items (cold start). The reason names the largest of the four
/// terms (ties in that order): "bought together with s" / "viewed together with s" for the strongest
/// single source, "matches your interest in <category>", "popular in your segment", "popular now".
/// Lists are sorted by score (highest first), ties by item id.
public struct Recommender: Sendable {
    private struct Candidate {
        var cf = 0.0; var best = 0.0; var bestSource: String?
        @inline(__always) mutating func add(_ contribution: Double, from source: String) {
            cf += contribution
            if contribution > best { best = contribution; bestSource = source }
        }
    }
    /// A scored candidate, with the terms its reason is chosen from.
    private struct Scored {
        var item: String
        var score: Double
        var cf, cat, seg, glob, again: Double
        var bestSource: String?
        var category: String?
        static func ranksBefore(_ a: Scored, _ b: Scored) -> Bool {
            a.score != b.score ? a.score > b.score : a.item < b.item
        }
    }

    public var config: RecommenderConfig

    public init(config: RecommenderConfig = RecommenderConfig()) { self.config = config }

    /// The recommendation list for `profile` at `now`, with no catalog.
    public func recommend(for profile: UserProfile, at now: EventTime, similarity: ItemSimilarity,
                          popularity: PopularityIndex, segment: Int?) -> [RecommendedItem] {
        recommend(for: profile, at: now, similarity: similarity, popularity: popularity, segment: segment,
                  catalog: NoCatalog())
    }

    /// The recommendation list for `profile` at `now`.
    ///
    /// With `categories`, items are also candidates when they are among the popular items of the
    /// customer's strongest categories, an item's category is looked up there when the catalog does
    /// not know it, and the category term is scaled by `0.5 + 0.5 · count / top count` within the
    /// category (so that the category's popular items rank first). `neighbourScores` (from
    /// ``SessionNeighbours``) adds candidates and the term `sessionWeight · score / top score`.
    public func recommend<C: ItemCatalogLookup>(for profile: UserProfile, at now: EventTime,
                                                similarity: ItemSimilarity, popularity: PopularityIndex,
                                                segment: Int?, catalog: C,
                                                categories: CategoryIndex? = nil,
                                                neighbourScores: [String: Double] = [:]) -> [RecommendedItem] {
        guard config.listSize > 0 else { return [] }
        // Sources and their scaled affinities, in item-id order (fixed accumulation order).
        var sourceSet = Set(profile.recent.map { IDKey($0.itemID) })
        for (item, _) in profile.topItems(limit: config.maxAffinitySources, at: now) { sourceSet.insert(IDKey(item)) }
        let sources = sourceSet.sorted().map(\.string)
        var affinities: [Double] = sources.map { profile.itemAffinity($0, at: now) }
        let maxAffinity = affinities.max() ?? 0
        if maxAffinity > 0 { affinities = affinities.map { $0 / maxAffinity } }
        // Position weights: newest recent item 1, then recencyDecay^k; others the oldest position.
        let recentCount = profile.recent.count
        var position: [IDKey: Double] = [:]
        var factor = 1.0
        for r in profile.recent.reversed() { position[r.itemID] = factor; factor *= config.recencyDecay }
        affinities = zip(sources, affinities).map { $1 * (position[$0] ?? factor) }
        _ = recentCount
        let boughtSources = Set(profile.recent.filter(\.bought).map(\.itemID))

        var candidates: [IDKey: Candidate] = [:]
        candidates.reserveCapacity(sources.count * config.neighboursPerSource + 2 * config.popularCandidates
                                   + neighbourScores.count + position.count
                                   + config.categorySources * config.categoryCandidates)
        if maxAffinity > 0 {
            for (s, a) in zip(sources, affinities) where a > 0 {
                for n in similarity.neighbours(of: s, limit: config.neighboursPerSource) {
                    let contribution = a * n.similarity
                    candidates[n.itemID, default: Candidate()].add(contribution, from: s)
                }
            }
        }
        let segmentTop = segment.map { popularity.popular(limit: config.popularCandidates, segment: $0) } ?? []
        let globalTop = popularity.popular(limit: config.popularCandidates)
        var retarget: [IDKey: Double] = [:]
        if !config.excludeSeen && config.recentItemWeight > 0 {
            for (item, w) in position {
                retarget[item] = config.recentItemWeight * w
                if candidates[item] == nil { candidates[item] = Candidate() }
            }
        }
        var maxNeighbour = 0.0
        if config.sessionWeight > 0 {
            for (item, v) in neighbourScores {
                maxNeighbour = max(maxNeighbour, v)
                if candidates[item] == nil { candidates[item] = Candidate() }
            }
        }
        for p in segmentTop where candidates[p.itemID] == nil { candidates[p.itemID] = Candidate() }
        for p in globalTop where candidates[p.itemID] == nil { candidates[p.itemID] = Candidate() }

        let maxSegment = segmentTop.first?.score ?? 0
        let maxGlobal = globalTop.first?.score ?? 0
        let topCategories = profile.topCategories(limit: max(config.categorySources, 1), at: now)
        let maxCategory = topCategories.first?.affinity ?? 0
        if let categories, config.categoryCandidates > 0, config.categoryWeight > 0 {
            for (category, _) in topCategories.prefix(config.categorySources) {
                for p in categories.popular(in: category, limit: config.categoryCandidates)
                where candidates[p.itemID] == nil { candidates[p.itemID] = Candidate() }
            }
        }

        // Score every candidate; keep the best `listSize` (score desc, item id asc: a total order,
        // so the selection equals sorting everything) and word the reasons of those only.
        let segmentReader = segment.map { popularity.reader(segment: $0) }
        let globalReader = popularity.reader()
        let categoryReader = categories?.reader()
        let hasCatalog = !catalog.isEmpty
        let affinityFactor = profile.affinityFactor(at: now)
        var categoryTop: [IDKey: Double] = [:]
        func categoryOf(_ item: String) -> String? {
            (hasCatalog ? catalog.category(of: item) : nil) ?? categoryReader?.category(of: item)
        }
        // First pass, with no lookups in the large popularity and category maps: the eligible
        // candidates and their similarity, nearest-customer and retargeting terms (`lower`, a lower
        // bound of the score, since the other terms are not negative).
        var partial: [(item: String, candidate: Candidate, cf: Double, again: Double)] = []
        partial.reserveCapacity(candidates.count)
        // (Lookups in empty maps are skipped: each would still hash the item id.)
        let hasRetarget = !retarget.isEmpty
        let checkBought = config.excludeBought && profile.boughtCount > 0
        for (key, c) in candidates {
            if config.excludeSeen && sourceSet.contains(key) { continue }
            let item = key.string
            if checkBought && profile.hasBought(item) { continue }
            if hasCatalog && config.excludeUnavailable && !catalog.isAvailable(item) { continue }
            var cf = config.similarityWeight * c.cf
            if maxNeighbour > 0, let v = neighbourScores[item] { cf += config.sessionWeight * v / maxNeighbour }
            partial.append((item, c, cf, hasRetarget ? retarget[key] ?? 0 : 0))
        }
        // Branch and bound: the category, segment and global terms are each at most their weight
        // (every ratio in them is at most 1), so a candidate whose score plus those weights stays
        // under the listSize-th best lower bound cannot make the list. The margin covers rounding.
        var cutoff = -Double.infinity
        let headroom = config.categoryWeight + config.segmentPopularityWeight + config.globalPopularityWeight
        if partial.count > config.listSize, config.categoryWeight >= 0, config.segmentPopularityWeight >= 0,
           config.globalPopularityWeight >= 0, config.similarityWeight >= 0, config.sessionWeight >= 0,
           config.recentItemWeight >= 0 {
            var lows = partial.map { $0.cf + $0.again }
            lows.sort(by: >)
            cutoff = lows[config.listSize - 1]
        }
        var best: [Scored] = []
        best.reserveCapacity(config.listSize + 1)
        for (item, c, cf, again) in partial {
            if (cf + headroom + again) * (1 + 1e-9) < cutoff { continue }
            // The category matters to the score only when the customer has category affinities;
            // otherwise it is looked up for the reason of the kept items only.
            let category = maxCategory > 0 ? categoryOf(item) : nil
            var cat = 0.0
            if let category, maxCategory > 0 {
                cat = config.categoryWeight * (profile.storedCategoryAffinity(category) * affinityFactor) / maxCategory
                if cat > 0, let categoryReader {
                    let top: Double
                    if let known = categoryTop[category] {
                        top = known
                    } else {
                        top = categoryReader.topScore(in: category) ?? 0
                        categoryTop[category] = top
                    }
                    if top > 0 { cat *= 0.5 + 0.5 * categoryReader.score(of: item, in: category) / top }
                }
            }
            var seg = 0.0
            if let segmentReader, maxSegment > 0 {
                seg = config.segmentPopularityWeight * segmentReader.score(of: item) / maxSegment
            }
            let glob = maxGlobal > 0 ? config.globalPopularityWeight * globalReader.score(of: item) / maxGlobal : 0
            let score = cf + cat + seg + glob + again
            guard score > 0 else { continue }
            let scored = Scored(item: item, score: score, cf: cf, cat: cat, seg: seg, glob: glob, again: again,
                                bestSource: c.bestSource, category: category)
            if best.count == config.listSize {
                guard Scored.ranksBefore(scored, best[best.count - 1]) else { continue }
                best.removeLast()
            }
            var at = best.count
            while at > 0 && Scored.ranksBefore(scored, best[at - 1]) { at -= 1 }
            best.insert(scored, at: at)
        }
        return best.map { s in
            RecommendedItem(itemID: s.item, score: s.score,
                            reason: reason(for: s, category: maxCategory > 0 ? s.category : categoryOf(s.item),
                                           profile: profile, boughtSources: boughtSources))
        }
    }

    /// The reason names the largest of the terms (ties in the order retargeting, similarity,
    /// category, segment, global).
    private func reason(for s: Scored, category: String?, profile: UserProfile, boughtSources: Set<String>) -> String {
        let (cf, cat, seg, glob, again) = (s.cf, s.cat, s.seg, s.glob, s.again)
        if again > 0 && again >= cf && again >= cat && again >= seg && again >= glob {
            return profile.hasBought(s.item) ? "you bought it recently" : "you looked at it recently"
        } else if cf >= cat && cf >= seg && cf >= glob, let source = s.bestSource {
            let bought = boughtSources.contains(source) || profile.hasBought(source)
            return (bought ? "bought together with " : "viewed together with ") + source
        } else if cat >= seg && cat >= glob, let category {
            return "matches your interest in " + category
        } else if seg >= glob {
            return "popular in your segment"
        } else {
            return "popular now"
        }
    }

    /// Whether to emit `new` for a customer: only a non-empty list whose items (in order) differ from
    /// the last emitted list, and only when at least `minInterval` ms of event time passed since the
    /// last emission (or none happened yet).
    public static func shouldEmit(_ new: [RecommendedItem], last: [RecommendedItem]?, lastEmitAt: EventTime?,
                                  now: EventTime, minInterval: Int64 = 60_000) -> Bool {
        guard !new.isEmpty else { return false }
        if let last, last.count == new.count, zip(last, new).allSatisfy({ $0.itemID == $1.itemID }) { return false }
        if let lastEmitAt, now - lastEmitAt < minInterval { return false }
        return true
    }

    /// ``shouldEmit(_:last:lastEmitAt:now:minInterval:)`` with the last list known only by its
    /// ``RecommendationDigest`` (what the engine keeps per customer), and this recommender's
    /// ``RecommenderConfig/minEmitInterval``.
    public func shouldEmit(_ new: [RecommendedItem], lastDigest: UInt64?, lastEmitAt: EventTime?,
                           now: EventTime) -> Bool {
        guard !new.isEmpty else { return false }
        if let lastDigest, lastDigest == RecommendationDigest.of(new) { return false }
        if let lastEmitAt, now - lastEmitAt < config.minEmitInterval { return false }
        return true
    }

    /// ``shouldEmit(_:last:lastEmitAt:now:minInterval:)`` with this recommender's
    /// ``RecommenderConfig/minEmitInterval``.
    public func shouldEmit(_ new: [RecommendedItem], last: [RecommendedItem]?, lastEmitAt: EventTime?,
                           now: EventTime) -> Bool {
        Self.shouldEmit(new, last: last, lastEmitAt: lastEmitAt, now: now, minInterval: config.minEmitInterval)
    }
}
