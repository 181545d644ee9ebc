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
    /// Blend weight of the two-step similarity score (``TwoHopScorer``: items similar to the
    /// customer's strongest one-step candidates), unscaled like the similarity term. 0 = off. Default 0.
    public var twoHopWeight: Double
    /// One-step candidates expanded by the two-step scorer. Default 20.
    public var twoHopExpand: Int
    /// Neighbours read per expanded candidate. Default 20.
    public var twoHopNeighbours: Int
    /// Similarities are read as `sim(s, n) · (c_n / c_s)^exponent` (occurrence counts; see
    /// ``ItemSimilarity/neighbours(of:limit:popularityExponent:)``): 0.5 with cosine is the conditional
    /// probability P(n | s). 0 = the stored similarity. Default 0.
    public var similarityPopularityExponent: Double

    public init(listSize: Int = 10, excludeBought: Bool = true, excludeUnavailable: Bool = true,
                excludeSeen: Bool = true, maxAffinitySources: Int = 10, neighboursPerSource: Int = 20,
                popularCandidates: Int = 30, similarityWeight: Double = 1, categoryWeight: Double = 0.25,
                segmentPopularityWeight: Double = 0.1, globalPopularityWeight: Double = 0.05,
                minEmitInterval: Int64 = 60_000, recencyDecay: Double = 0.7, recentItemWeight: Double = 1,
                categorySources: Int = 2, categoryCandidates: Int = 20, sessionWeight: Double = 0.5,
                twoHopWeight: Double = 0, twoHopExpand: Int = 20, twoHopNeighbours: Int = 20,
                similarityPopularityExponent: Double = 0) {
        self.listSize = listSize; self.excludeBought = excludeBought; self.excludeUnavailable = excludeUnavailable
        self.excludeSeen = excludeSeen; self.maxAffinitySources = maxAffinitySources
        self.neighboursPerSource = neighboursPerSource; self.popularCandidates = popularCandidates
        self.similarityWeight = similarityWeight; self.categoryWeight = categoryWeight
        self.segmentPopularityWeight = segmentPopularityWeight; self.globalPopularityWeight = globalPopularityWeight
        self.minEmitInterval = minEmitInterval
        self.recencyDecay = recencyDecay; self.recentItemWeight = recentItemWeight
        self.categorySources = categorySources; self.categoryCandidates = categoryCandidates
        self.sessionWeight = sessionWeight
        self.twoHopWeight = twoHopWeight; self.twoHopExpand = twoHopExpand; self.twoHopNeighbours = twoHopNeighbours
        self.similarityPopularityExponent = similarityPopularityExponent
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
/// With `twoHopWeight` > 0, the neighbours of the strongest one-step candidates add
/// `+ twoHopWeight · Σ_n cf(n) · sim(n, c)` (``TwoHopScorer``; reason "related to s through n");
/// `similarityPopularityExponent` reads every similarity as `sim(s, n) · (c_n / c_s)^exponent`.
/// Candidates are the sources' neighbours plus the segment's and the global popular items, so a
/// customer without history gets popular items (cold start). The reason names the largest of the four
/// terms (ties in that order): "bought together with s" / "viewed together with s" for the strongest
/// single source, "matches your interest in <category>", "popular in your segment", "popular now".
/// Lists are sorted by score (highest first), ties by item id.
public struct Recommender: Sendable {
    /// A candidate's (or a source's) terms in one list's ``CandidateTable`` (plain values: copying
    /// one costs no reference counting).
    private struct Candidate {
        /// Σ a_s · sim(s, c) over the sources, in source order.
        var cf = 0.0
        /// The largest single-source contribution and that source's index in `sources`.
        var best = 0.0
        var bestSource: Int32 = -1
        /// Whether the item is a source (recent or top-affinity item), whether it is a candidate,
        /// and whether it has a nearest-customer score.
        var isSource = false
        var isCandidate = false
        var hasSession = false
        /// The nearest-customer score (when `hasSession`) and the retargeting term.
        var session = 0.0
        var again = 0.0
        /// The two-step score (unweighted) and its path's index in the list's two-step paths (-1: none).
        var hop = 0.0
        var hopPath: Int32 = -1
    }
    /// One list's working table: item id → slot, the slots' ids and terms. Found once per id, so
    /// each candidate's terms are looked up once and the scoring passes run over arrays.
    private struct CandidateTable {
        var slot: [IDKey: Int32] = [:]
        var items: [String] = []
        var terms: [Candidate] = []

        init(capacity: Int) {
            slot.reserveCapacity(capacity); items.reserveCapacity(capacity); terms.reserveCapacity(capacity)
        }

        /// The slot of `item`, added when new.
        @inline(__always) mutating func entry(_ item: String) -> Int {
            let key = IDKey(item)
            if let i = slot[key] { return Int(i) }
            slot[key] = Int32(items.count)
            items.append(item)
            terms.append(Candidate())
            return items.count - 1
        }

        /// Marks `item` a candidate; returns its slot.
        @inline(__always) @discardableResult mutating func candidate(_ item: String) -> Int {
            let i = entry(item)
            terms[i].isCandidate = true
            return i
        }
    }
    /// A scored candidate (its slot in the ``CandidateTable``), with the terms its reason is chosen
    /// from and its category (an index into the list's categories, -1 when none was looked up).
    private struct Scored {
        var slot: Int32
        var category: Int32
        var score: Double
        var cf, cat, seg, glob, again, hop: Double
        var hopPath: TwoHopScore?
    }
    /// What the category term needs of one category, looked up once per list.
    private struct CategoryTerms {
        var name: String
        var affinity: Double
        var top: Double?
        var counts: [IDKey: Double]
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
        // The working table. Sources first (recent items, then top-affinity items).
        var table = CandidateTable(capacity: (profile.recent.count + config.maxAffinitySources) * (config.neighboursPerSource + 1)
            + 2 * config.popularCandidates + neighbourScores.count + config.categorySources * config.categoryCandidates)
        var sourceSlots: [Int] = []
        sourceSlots.reserveCapacity(profile.recent.count + config.maxAffinitySources)
        var recentSlots: [Int] = []
        recentSlots.reserveCapacity(profile.recent.count)
        for r in profile.recent {
            let i = table.entry(r.itemID)
            recentSlots.append(i)
            if !table.terms[i].isSource { table.terms[i].isSource = true; sourceSlots.append(i) }
        }
        for (item, _) in profile.topItems(limit: config.maxAffinitySources, at: now) {
            let i = table.entry(item)
            if !table.terms[i].isSource { table.terms[i].isSource = true; sourceSlots.append(i) }
        }
        // Sources and their scaled affinities, in item-id order (fixed accumulation order).
        sourceSlots.sort { table.items[$0] < table.items[$1] }
        let sources = sourceSlots.map { table.items[$0] }
        let affinityFactor = profile.affinityFactor(at: now)  // itemAffinity(s, at: now) = stored · factor
        var affinities: [Double] = sources.map { profile.storedItemAffinity($0) * affinityFactor }
        let maxAffinity = affinities.max() ?? 0
        if maxAffinity > 0 { for k in affinities.indices { affinities[k] = affinities[k] / maxAffinity } }
        // Position weights: newest recent item 1, then recencyDecay^k; others the oldest position.
        var position = [Double?](repeating: nil, count: table.items.count)
        var factor = 1.0
        for i in recentSlots.reversed() { position[i] = factor; factor *= config.recencyDecay }
        for k in sources.indices { affinities[k] = affinities[k] * (position[sourceSlots[k]] ?? factor) }

        if maxAffinity > 0 {
            for (k, a) in affinities.enumerated() where a > 0 {
                for n in similarity.neighbours(of: sources[k], limit: config.neighboursPerSource,
                                               popularityExponent: config.similarityPopularityExponent) {
                    let contribution = a * n.similarity
                    let i = table.candidate(n.itemID)
                    table.terms[i].cf += contribution
                    if contribution > table.terms[i].best { table.terms[i].best = contribution; table.terms[i].bestSource = Int32(k) }
                }
            }
        }
        // Two-step candidates: neighbours of the strongest one-step candidates (``TwoHopScorer``).
        var hopPaths: [TwoHopScore] = []
        if config.twoHopWeight > 0 && maxAffinity > 0 {
            var oneStep: [String: (cf: Double, source: String)] = [:]
            for i in table.terms.indices where table.terms[i].isCandidate && table.terms[i].bestSource >= 0 {
                oneStep[table.items[i]] = (table.terms[i].cf, sources[Int(table.terms[i].bestSource)])
            }
            let twoHop = TwoHopScorer(expand: config.twoHopExpand, neighbours: config.twoHopNeighbours)
                .scores(oneStep: oneStep, sources: Set(sources),
                        neighboursOf: { [exponent = config.similarityPopularityExponent] in
                            similarity.neighbours(of: $0, limit: $1, popularityExponent: exponent)
                        })
            // Into the table once: the scoring passes read the term by slot, not by id.
            hopPaths.reserveCapacity(twoHop.count)
            for (item, path) in twoHop.sorted(by: { $0.key < $1.key }) {
                let i = table.candidate(item)
                table.terms[i].hop = path.score
                table.terms[i].hopPath = Int32(hopPaths.count)
                hopPaths.append(path)
            }
        }
        let segmentTop = segment.map { popularity.topList(segment: $0) }
        let globalTop = popularity.topList(segment: nil)
        if !config.excludeSeen && config.recentItemWeight > 0 {
            for (i, w) in position.enumerated() {
                guard let w else { continue }
                table.terms[i].again = config.recentItemWeight * w
                table.terms[i].isCandidate = true
            }
        }
        var maxNeighbour = 0.0
        if config.sessionWeight > 0 {
            for (item, v) in neighbourScores {
                maxNeighbour = max(maxNeighbour, v)
                let i = table.candidate(item)
                table.terms[i].session = v
                table.terms[i].hasSession = true
            }
        }
        if let segmentTop {
            for p in segmentTop.items.prefix(config.popularCandidates) { table.candidate(p.itemID) }
        }
        for p in globalTop.items.prefix(config.popularCandidates) { table.candidate(p.itemID) }

        let maxSegment = config.popularCandidates > 0 ? (segmentTop?.items.first.map { $0.score * segmentTop!.factor } ?? 0) : 0
        let maxGlobal = config.popularCandidates > 0 ? (globalTop.items.first.map { $0.score * globalTop.factor } ?? 0) : 0
        let topCategories = profile.topCategories(limit: max(config.categorySources, 1), at: now)
        let maxCategory = topCategories.first?.affinity ?? 0
        if let categories, config.categoryCandidates > 0, config.categoryWeight > 0 {
            for (category, _) in topCategories.prefix(config.categorySources) {
                for p in categories.topList(in: category).prefix(config.categoryCandidates) { table.candidate(p.itemID) }
            }
        }

        // Score every candidate; keep the best `listSize` (score desc, item id asc: a total order,
        // so the selection equals sorting everything) and word the reasons of those only.
        let segmentReader = segment.map { popularity.reader(segment: $0) }
        let globalReader = popularity.reader()
        let categoryReader = categories?.reader()
        let itemCategories = categoryReader?.itemCategory
        let hasCatalog = !catalog.isEmpty
        func categoryOf(_ item: String) -> String? {
            if hasCatalog, let c = catalog.category(of: item) { return c }
            return itemCategories?[item]
        }
        // First pass, with no lookups in the large popularity and category maps: the eligible
        // candidates and their similarity, nearest-customer and retargeting terms (`cf + again`, a
        // lower bound of the score, since the other terms are not negative).
        let items = table.items, terms = table.terms
        var eligible: [(slot: Int32, cf: Double, hop: Double)] = []
        eligible.reserveCapacity(items.count)
        // (Lookups in empty maps are skipped: each would still hash the item id.)
        let checkBought = config.excludeBought && profile.boughtCount > 0
        for i in terms.indices where terms[i].isCandidate {
            let t = terms[i]
            if config.excludeSeen && t.isSource { continue }
            if checkBought && profile.hasBought(items[i]) { continue }
            if hasCatalog && config.excludeUnavailable && !catalog.isAvailable(items[i]) { continue }
            var cf = config.similarityWeight * t.cf
            if maxNeighbour > 0, t.hasSession { cf += config.sessionWeight * t.session / maxNeighbour }
            let hop = config.twoHopWeight * t.hop
            eligible.append((Int32(i), cf, hop))
        }
        // Branch and bound: the category, segment and global terms are each at most their weight
        // (every ratio in them is at most 1), so a candidate whose score plus those weights stays
        // under the listSize-th best lower bound cannot make the list. The margin covers rounding.
        var cutoff = -Double.infinity
        let headroom = config.categoryWeight + config.segmentPopularityWeight + config.globalPopularityWeight
        if eligible.count > config.listSize, config.categoryWeight >= 0, config.segmentPopularityWeight >= 0,
           config.globalPopularityWeight >= 0, config.similarityWeight >= 0, config.sessionWeight >= 0,
           config.recentItemWeight >= 0, config.twoHopWeight >= 0 {
            cutoff = Self.kthLargest(eligible.map { $0.cf + terms[Int($0.slot)].again + $0.hop }, config.listSize)
        }
        // Score desc, item id asc.
        func ranksBefore(_ a: Scored, _ b: Scored) -> Bool {
            a.score != b.score ? a.score > b.score : items[Int(a.slot)] < items[Int(b.slot)]
        }
        var categoryIndex: [IDKey: Int32] = [:]
        var categoryList: [CategoryTerms] = []
        var best: [Scored] = []
        best.reserveCapacity(config.listSize + 1)
        for (i, cf, hop) in eligible {
            let again = terms[Int(i)].again
            if (cf + headroom + again + hop) * (1 + 1e-9) < cutoff { continue }
            let item = items[Int(i)]
            // The category matters to the score only when the customer has category affinities;
            // otherwise it is looked up for the reason of the kept items only.
            var ci: Int32 = -1
            var cat = 0.0
            if maxCategory > 0, let category = categoryOf(item) {
                let key = IDKey(category)
                if let known = categoryIndex[key] {
                    ci = known
                } else {
                    ci = Int32(categoryList.count)
                    categoryIndex[key] = ci
                    categoryList.append(CategoryTerms(name: category, affinity: profile.storedCategoryAffinity(category),
                                                      top: nil, counts: [:]))
                }
                cat = config.categoryWeight * (categoryList[Int(ci)].affinity * affinityFactor) / maxCategory
                if cat > 0, let categoryReader {
                    if categoryList[Int(ci)].top == nil {
                        categoryList[Int(ci)].top = categoryReader.topScore(in: category) ?? 0
                        categoryList[Int(ci)].counts = categoryReader.counts(in: category)
                    }
                    let top = categoryList[Int(ci)].top!
                    if top > 0 {
                        cat *= 0.5 + 0.5 * categoryReader.score(of: item, counts: categoryList[Int(ci)].counts) / top
                    }
                }
            }
            var seg = 0.0
            if let segmentReader, maxSegment > 0 {
                seg = config.segmentPopularityWeight * segmentReader.score(of: item) / maxSegment
            }
            let glob = maxGlobal > 0 ? config.globalPopularityWeight * globalReader.score(of: item) / maxGlobal : 0
            let score = cf + cat + seg + glob + again + hop
            guard score > 0 else { continue }
            let scored = Scored(slot: i, category: ci, score: score, cf: cf, cat: cat, seg: seg, glob: glob, again: again,
                                hop: hop, hopPath: hop > 0 ? hopPaths[Int(terms[Int(i)].hopPath)] : nil)
            if best.count == config.listSize {
                guard ranksBefore(scored, best[best.count - 1]) else { continue }
                best.removeLast()
            }
            var at = best.count
            while at > 0 && ranksBefore(scored, best[at - 1]) { at -= 1 }
            best.insert(scored, at: at)
        }
        return best.map { s in
            let item = items[Int(s.slot)]
            let t = terms[Int(s.slot)]
            let category = maxCategory > 0 ? (s.category >= 0 ? categoryList[Int(s.category)].name : nil) : categoryOf(item)
            return RecommendedItem(itemID: item, score: s.score,
                                   reason: reason(for: s, item: item, source: t.bestSource >= 0 ? sources[Int(t.bestSource)] : nil,
                                                  category: category, profile: profile))
        }
    }

    /// The k-th largest of `values` (k ≥ 1, at most `values.count`), as `values.sorted(by: >)[k - 1]`.
    private static func kthLargest(_ values: [Double], _ k: Int) -> Double {
        // The k largest so far, descending; values are finite or ±infinity (no NaN: scores are sums
        // of finite products), so the comparisons order them as the sort does.
        var top: [Double] = []
        top.reserveCapacity(k + 1)
        for v in values {
            if top.count == k {
                guard v > top[k - 1] else { continue }
                top.removeLast()
            }
            var at = top.count
            while at > 0 && v > top[at - 1] { at -= 1 }
            top.insert(v, at: at)
        }
        return top[k - 1]
    }

    /// The reason names the largest of the terms (ties in the order retargeting, similarity,
    /// two-step similarity, category, segment, global).
    private func reason(for s: Scored, item: String, source: String?, category: String?, profile: UserProfile) -> String {
        let (cf, cat, seg, glob, again, hop) = (s.cf, s.cat, s.seg, s.glob, s.again, s.hop)
        if hop > cf && hop >= cat && hop >= seg && hop >= glob && hop > again, let path = s.hopPath {
            return "related to \(path.source) through \(path.via)"
        }
        if again > 0 && again >= cf && again >= cat && again >= seg && again >= glob {
            return profile.hasBought(item) ? "you bought it recently" : "you looked at it recently"
        } else if cf >= cat && cf >= seg && cf >= glob, let source {
            let bought = profile.recent.contains { $0.bought && $0.itemID == source } || profile.hasBought(source)
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
