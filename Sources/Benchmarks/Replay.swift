import CRMModel
import StreamCRM

/// Result of one replay run.
struct ReplayResult {
    var events = 0
    var wallNs: UInt64 = 0
    var cpuNs: UInt64 = 0
    var outputs = 0
    var outputBytes = 0
    var customers = 0
    var items = 0
    var counts = ProcessorCounts()
    var eventsPerSecondWall: Double { Double(events) / (Double(wallNs) / 1e9) }
    var eventsPerSecondCPU: Double { Double(events) / (Double(cpuNs) / 1e9) }
}

/// The converted Taobao slice, and how each repetition derives from it.
///
/// Repetition r (r ≥ 1) shifts every timestamp by r × (span of the slice + 1 s), so event time keeps
/// moving forward, and suffixes event ids, order ids and user ids with "~r": every repetition brings
/// new customers (the customer count grows with the run) who touch the same items (the item models
/// stay warm, as in a shop whose catalog is stable while new visitors arrive).
struct TaobaoSlice {
    let events: [ShopEvent]
    let span: EventTime

    init(path: String) throws {
        let conversion = try DatasetConverter(format: .taobao).convert(fileAt: path)
        events = conversion.events
        let first = events.compactMap(\.ts).min() ?? 0
        let last = events.compactMap(\.ts).max() ?? 0
        span = last - first + 1000
    }

    func repetition(_ r: Int) -> [ShopEvent] {
        guard r > 0 else { return events }
        let suffix = "~\(r)"
        let shift = EventTime(r) * span
        return events.map { event in
            switch event {
            case .click(var c):
                c.eventID += suffix; c.userID += suffix; c.ts += shift
                if let s = c.sessionID { c.sessionID = s + suffix }
                return .click(c)
            case .order(var o):
                o.eventID += suffix; o.userID += suffix; o.orderID += suffix; o.ts += shift
                return .order(o)
            default:
                return event
            }
        }
    }

    func encode(repetition r: Int, into batch: inout EncodedBatch, keepKeys: Bool = false) {
        let encoder = EventEncoder()
        batch.removeAll()
        for e in repetition(r) { batch.append(e, encoder: encoder, keepKeys: keepKeys) }
    }
}

/// Replays the Taobao slice, repeated until at least `minEvents` events, through one processor on
/// this thread. Encoding the repetitions happens outside the timed sections.
func replayTaobao(slice: TaobaoSlice, minEvents: Int, progress: Bool) throws -> ReplayResult {
    let topics = TopicNames()
    let processor = EventProcessor(engine: CRMEngine(), topics: topics)
    var sink = DiscardingSink()
    var batch = EncodedBatch()
    var result = ReplayResult()
    var r = 0
    while result.events < minEvents {
        slice.encode(repetition: r, into: &batch)
        // The last repetition is cut at `minEvents` (only matters for short profiling runs).
        let n = min(batch.count, minEvents - result.events)
        let t = try process(batch, with: processor, topics: topics, firstOffset: Int64(result.events), limit: n, sink: &sink)
        result.events += n
        result.wallNs += t.wall
        result.cpuNs += t.cpu
        r += 1
        if progress && r % 10 == 0 {
            say("  taobao: \(grouped(result.events)) events, \(grouped(Int(result.eventsPerSecondWall))) events/s so far")
        }
    }
    result.outputs = sink.records
    result.outputBytes = sink.bytes
    result.customers = processor.engine.customers.count
    result.items = processor.engine.similarity.itemCount
    result.counts = processor.counts
    return result
}

/// A fast synthetic shop: `customers` customers each with one session (in random order), over
/// `items` items in `categories` categories with Zipf(1) popularity; next items in a session are often
/// "related" (the next few item ids), so co-occurrence has structure. Sessions are 1...9 events:
/// views, sometimes an add-to-cart, and for one session in ten an order of the carted or last item.
/// Event time advances 5 ms per event.
struct SyntheticShop {
    let customers: Int
    let items: Int
    let categories: Int
    let sessionsPerCustomer: Int
    let start: EventTime
    let prefix: String
    private var cdf: [Double] = []
    private var rng: FastRandom
    private var order: [Int32] = []
    private var nextSession = 0
    private var ts: EventTime
    private var serial = 0

    init(customers: Int, items: Int, categories: Int = 1000, sessionsPerCustomer: Int = 1, seed: UInt64 = 7,
         start: EventTime = 1_780_272_000_000, prefix: String = "") {
        self.start = start; self.prefix = prefix
        self.customers = customers; self.items = items; self.categories = categories
        self.sessionsPerCustomer = sessionsPerCustomer
        rng = FastRandom(seed: seed)
        ts = start
        var acc = 0.0
        cdf.reserveCapacity(items)
        for i in 0..<items { acc += 1 / Double(i + 1); cdf.append(acc) }
        for i in 0..<items { cdf[i] /= acc }
        order = (0..<Int32(customers)).map { $0 }
        shuffle()
    }

    var totalSessions: Int { customers * sessionsPerCustomer }
    var isDone: Bool { nextSession >= totalSessions }

    private mutating func shuffle() {
        var i = order.count - 1
        while i > 0 { order.swapAt(i, rng.below(i + 1)); i -= 1 }
    }

    private mutating func zipfItem() -> Int {
        let u = rng.unit()
        var lo = 0, hi = items - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cdf[mid] < u { lo = mid + 1 } else { hi = mid }
        }
        // Scatter popularity ranks over ids so related ids are not all popular.
        return (lo &* 7919) % items
    }

    static func itemID(_ i: Int) -> String { "i\(i)" }
    func category(of i: Int) -> String { "c\(i % categories)" }

    /// Appends the next sessions' events to `batch` until it holds at least `limit` events.
    mutating func fill(_ batch: inout EncodedBatch, limit: Int, keepKeys: Bool = false) {
        let encoder = EventEncoder()
        batch.removeAll()
        while batch.count < limit && !isDone {
            if nextSession > 0 && nextSession % customers == 0 { shuffle() }
            let customer = Int(order[nextSession % customers])
            nextSession += 1
            let user = prefix + "u\(customer)"
            let length = 1 + rng.below(9)
            var item = zipfItem()
            var carted: Int?
            for step in 0..<length {
                serial += 1
                ts += 5
                let cartNow = step == length - 1 && rng.below(4) == 0
                let type: ClickType = cartNow ? .addToCart : .view
                if cartNow { carted = item }
                batch.append(.click(ClickEvent(eventID: prefix + "e\(serial)", type: type, userID: user,
                                               itemID: Self.itemID(item), category: category(of: item),
                                               price: Double(5 + item % 200), ts: ts)), encoder: encoder, keepKeys: keepKeys)
                item = rng.below(2) == 0 ? (item + 1 + rng.below(5)) % items : zipfItem()
            }
            if rng.below(10) == 0 {
                serial += 1
                ts += 5
                let bought = carted ?? item
                let line = OrderLine(itemID: Self.itemID(bought), quantity: 1, price: Double(5 + bought % 200))
                batch.append(.order(OrderEvent(eventID: prefix + "e\(serial)", type: .order, orderID: prefix + "o\(serial)", userID: user,
                                               ts: ts, items: [line], currency: "EUR")), encoder: encoder, keepKeys: keepKeys)
            }
        }
    }
}

/// Replays synthetic traffic through one processor; returns the result and the resident-memory
/// growth of the run (bytes).
func replaySynthetic(shop: inout SyntheticShop, chunk: Int, progress: Bool, label: String,
                     keepProcessor: ((EventProcessor) -> Void)? = nil) throws -> (ReplayResult, rssGrowth: Int) {
    let topics = TopicNames()
    var batch = EncodedBatch()
    // Size the chunk buffers before the baseline reading.
    shop.fill(&batch, limit: chunk)
    batch.bytes.reserveCapacity(batch.bytes.count * 2)
    trimHeap()
    let rss0 = residentBytes()
    let processor = EventProcessor(engine: CRMEngine(), topics: topics)
    var sink = DiscardingSink()
    var result = ReplayResult()
    var chunks = 0
    while batch.count > 0 {
        let t = try process(batch, with: processor, topics: topics, firstOffset: Int64(result.events), sink: &sink)
        result.events += batch.count
        result.wallNs += t.wall
        result.cpuNs += t.cpu
        // The daemon's checkpoints (every 50 000 events by default) drain the set of changed
        // customers; do the same, untimed, so the memory figure is the daemon's steady state.
        _ = processor.engine.takeDirtyCustomers()
        chunks += 1
        if progress && chunks % 8 == 0 {
            say("  \(label): \(grouped(result.events)) events, \(grouped(processor.engine.customers.count)) customers, \(grouped(Int(result.eventsPerSecondWall))) events/s so far")
        }
        shop.fill(&batch, limit: chunk)
    }
    let rss1 = residentBytes()
    result.outputs = sink.records
    result.outputBytes = sink.bytes
    result.customers = processor.engine.customers.count
    result.items = processor.engine.similarity.itemCount
    result.counts = processor.counts
    keepProcessor?(processor)
    return (result, rss1 - rss0)
}
