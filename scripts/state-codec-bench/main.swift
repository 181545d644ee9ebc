import CRMModel
#if canImport(Glibc)
import Glibc
#endif

func f3(_ x: Double) -> String { let m = Int((x * 1000).rounded()); return "\(m / 1000).\(String(1000 + m % 1000).dropFirst())" }
func now() -> Double { var ts = timespec(); clock_gettime(CLOCK_MONOTONIC, &ts); return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9 }

let n = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 1_000_000
let shape = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : "typical"
let t0: EventTime = 1_700_000_000_000
let engineConfig = EngineConfig()

/// Builds customers through the real event path (UserProfile.apply) so that the shapes are real.
func makeCustomer(_ u: Int) -> CustomerState {
    var p = UserProfile(config: engineConfig.profile)
    let c = CustomerState(profile: p, partition: Int32(u % 12))
    let clicks = shape == "full" ? 120 : 10
    let orders = shape == "full" ? 70 : 2
    var ts = t0 + Int64(u % 1000) * 60_000
    for k in 0..<clicks {
        let item = "item-\((u &* 31 &+ k &* 17) % 5000)"
        p.apply(click: ClickEvent(eventID: "evt-\(u)-\(k)-abcdefgh", type: k % 3 == 0 ? .addToCart : .view,
                                  userID: "u\(u)", itemID: item, category: "cat-\(k % 25)", ts: ts))
        c.recentEventIDs = Array((c.recentEventIDs + ["evt-\(u)-\(k)-abcdefgh"]).suffix(16))
        ts += 3_600_000
    }
    for k in 0..<orders {
        let lines = (0..<2).map { OrderLine(itemID: "item-\((u &* 7 &+ k &* 13 &+ $0) % 5000)", quantity: 1, price: 9.5) }
        p.apply(order: OrderEvent(eventID: "evt-o-\(u)-\(k)-abcdefgh", type: .order, orderID: "order-\(u)-\(k)",
                                  userID: "u\(u)", ts: ts, items: lines))
        c.recentEventIDs = Array((c.recentEventIDs + ["evt-o-\(u)-\(k)-abcdefgh"]).suffix(16))
        ts += 86_400_000 * 3
    }
    c.profile = p
    c.segment = u % 5
    c.segmentEvaluatedAt = ts
    c.lastRecommendation = (0..<5).map { RecommendedItem(itemID: "item-\($0)", score: 1 / Double($0 + 1), reason: "similar to item-\($0 + 1)") }
    c.lastRecommendationAt = ts
    return c
}

var customers: [(String, CustomerState)] = []
customers.reserveCapacity(n)
for u in 0..<n { customers.append(("user-\(u)", makeCustomer(u))) }
print("shape \(shape): \(n) customers; items \(customers[0].1.profile.itemAffinityCount), recent \(customers[0].1.profile.recent.count), orders \(customers[0].1.profile.appliedOrders.count), bought \(customers[0].1.profile.bought.count), event ids \(customers[0].1.recentEventIDs.count)")

var t = now()
var blobs: [[UInt8]] = []
blobs.reserveCapacity(n)
var w = BinaryWriter(capacity: 4096)
for (_, c) in customers { blobs.append(CustomerStateCodec.encode(c)) }
var dt = now() - t
let total = blobs.reduce(0) { $0 + $1.count }
print("encode: \(f3(dt)) s, \(Int(Double(n) / dt)) customers/s, \(total / n) bytes/customer")

t = now()
var checksum = 0
for _ in 0..<(CommandLine.arguments.count > 3 ? Int(CommandLine.arguments[3])! : 0) { for b in blobs { checksum &+= try CustomerStateCodec.decode(b, profileConfig: engineConfig.profile, partition: 0).profile.orderCount } }
for b in blobs {
    let c = try CustomerStateCodec.decode(b, profileConfig: engineConfig.profile, partition: 0)
    checksum &+= c.profile.orderCount
}
dt = now() - t
let passes = 1 + (CommandLine.arguments.count > 3 ? Int(CommandLine.arguments[3])! : 0)
print("decode (codec only): \(passes) pass(es) of \(n) in \(f3(dt)) s, \(Int(Double(n * passes) / dt)) customers/s (\(checksum))")

// Full restore through the engine API: decode + insert + churn summary + timer.
var globals: [String: [UInt8]] = [:]
do {
    let e = CRMEngine()
    for (k, v) in e.encodeGlobals() { globals[k] = v }
}
let engine = CRMEngine()
try engine.restoreGlobals { globals[$0] }
t = now()
for (i, b) in blobs.enumerated() {
    try b.withUnsafeBytes { try engine.restoreCustomer(userID: customers[i].0, partition: Int32(i % 12), from: $0) }
}
dt = now() - t
print("restoreCustomer (engine): \(f3(dt)) s, \(Int(Double(n) / dt)) customers/s; customers \(engine.customers.count), timers \(engine.timers.count)")
