#if canImport(Glibc)
import Glibc
#endif
import CRMModel
import StreamCRM

/// Monotonic wall clock in nanoseconds.
func wallNanos() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}

/// CPU time of the calling thread in nanoseconds.
func threadCPUNanos() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}

/// Wall-clock milliseconds since the Unix epoch (comparable across threads).
func epochMillisDouble() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_REALTIME, &t)
    return Double(t.tv_sec) * 1000 + Double(t.tv_nsec) / 1_000_000
}

/// Resident set size of this process in bytes, from /proc/self/statm (second field, in pages).
func residentBytes() -> Int {
    guard let f = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(f) }
    var size = 0, resident = 0
    withUnsafeMutablePointer(to: &size) { s in
        withUnsafeMutablePointer(to: &resident) { r in
            _ = withVaList([s, r]) { vfscanf(f, "%ld %ld", $0) }
        }
    }
    return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// Gives freed heap pages back to the kernel so that a following RSS reading is not inflated by
/// an earlier phase's garbage.
func trimHeap() { _ = benchMallocTrim(0) }

@_silgen_name("malloc_trim")
func benchMallocTrim(_ pad: Int) -> Int32

/// Writes a line to standard output at once (progress lines interleave with stderr otherwise).
func say(_ s: String) {
    print(s)
    fflush(nil)
}

/// Formats a number with a fixed count of decimals.
func fmt(_ x: Double, _ decimals: Int = 2) -> String {
    var s = String(Int64((x * pow(10, Double(decimals))).rounded()))
    let neg = s.hasPrefix("-")
    if neg { s.removeFirst() }
    guard decimals > 0 else { return (neg ? "-" : "") + s }
    while s.count <= decimals { s = "0" + s }
    let i = s.index(s.endIndex, offsetBy: -decimals)
    return (neg ? "-" : "") + s[..<i] + "." + s[i...]
}

/// Groups thousands: 1234567 -> "1 234 567".
func grouped(_ x: Int) -> String {
    let s = String(x)
    var out = ""
    for (i, c) in s.reversed().enumerated() {
        if i > 0 && i % 3 == 0 { out.append(" ") }
        out.append(c)
    }
    return String(out.reversed())
}

/// The value of percentile `p` (0...100) of sorted samples (nearest rank).
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
    return sorted[min(max(rank - 1, 0), sorted.count - 1)]
}

/// An output sink that discards records after touching their bytes (so encoding is not elided).
struct DiscardingSink: OutputSink {
    var records = 0
    var bytes = 0
    var checksum: UInt64 = 0
    mutating func emit(topic: String, key: String, value: UnsafeRawBufferPointer?) throws {
        records += 1
        if let value {
            bytes += value.count
            if let last = value.last { checksum &+= UInt64(last) }
        }
    }
}

/// Events already encoded as Kafka message bodies, back to back in one buffer.
struct EncodedBatch {
    var bytes: [UInt8] = []
    /// Start offset in `bytes` of each message; `ends[i]` its end.
    var starts: [Int] = []
    var ends: [Int] = []
    /// Whether message i goes to the orders topic (else clickstream).
    var isOrder: [Bool] = []
    /// User id (message key) of each message.
    var keys: [String] = []

    var count: Int { starts.count }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        isOrder.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
    }

    mutating func append(_ event: ShopEvent, encoder: EventEncoder, keepKeys: Bool = false) {
        starts.append(bytes.count)
        encoder.encode(event, into: &bytes)
        ends.append(bytes.count)
        if case .order = event { isOrder.append(true) } else { isOrder.append(false) }
        if keepKeys { keys.append(event.userID ?? "") }
    }
}

/// Runs `batch` through `processor` on this thread; returns (wall ns, thread CPU ns).
func process(_ batch: EncodedBatch, with processor: EventProcessor, topics: TopicNames, firstOffset: Int64,
             limit: Int = .max, sink: inout DiscardingSink) throws -> (wall: UInt64, cpu: UInt64) {
    let clicks = SourcePosition(topic: topics.clickstream, partition: 0, offset: 0)
    let orders = SourcePosition(topic: topics.orders, partition: 0, offset: 0)
    let w0 = wallNanos(), c0 = threadCPUNanos()
    try batch.bytes.withUnsafeBytes { all in
        for i in 0..<min(batch.count, limit) {
            var position = batch.isOrder[i] ? orders : clicks
            position.offset = firstOffset + Int64(i)
            let body = UnsafeRawBufferPointer(rebasing: all[batch.starts[i]..<batch.ends[i]])
            try processor.handle(body, at: position, sink: &sink)
        }
    }
    return (wallNanos() - w0, threadCPUNanos() - c0)
}

/// Small, fast, seeded generator (SplitMix64) for the synthetic traffic.
struct FastRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in 0..<n.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }
}
