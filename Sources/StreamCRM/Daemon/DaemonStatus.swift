import Synchronization

/// What the processing loop publishes for other threads (the HTTP handlers, tests): liveness,
/// assignment, restore and lag, as lock-free atomics the loop stores and readers load.
public final class DaemonStatus: Sendable {
    /// Longest time without a loop iteration before /health reports the loop stalled.
    public let maxStallNanos: UInt64
    /// `ready.max_lag`.
    public let maxLag: Int64

    private let heartbeat = Atomic<UInt64>(0)
    private let partitions = Atomic<Int>(0)
    private let restored = Atomic<Bool>(false)
    private let lag = Atomic<Int64>(-1)
    private let stopping = Atomic<Bool>(false)
    private let port = Atomic<Int>(-1)
    private let brokersUp = Atomic<Int>(-1)
    private let brokersKnown = Atomic<Int>(-1)

    public init(maxStallSeconds: Double, maxLag: Int64) {
        maxStallNanos = UInt64(max(0.001, maxStallSeconds) * 1e9)
        self.maxLag = maxLag
        heartbeat.store(LatencyRecorder.now(), ordering: .relaxed)
    }

    // MARK: written by the loop

    /// The loop made an iteration at `now` (monotonic nanoseconds).
    func beat(_ now: UInt64) { heartbeat.store(now, ordering: .relaxed) }
    func setAssigned(_ count: Int) { partitions.store(count, ordering: .relaxed) }
    func setRestored() { restored.store(true, ordering: .relaxed) }
    /// Total lag over the assigned partitions; -1 when not known for every one of them.
    func setLag(_ total: Int64) { lag.store(total, ordering: .relaxed) }
    func setStopping() { stopping.store(true, ordering: .relaxed) }
    func setHTTPPort(_ p: UInt16?) { port.store(p.map(Int.init) ?? -1, ordering: .relaxed) }
    /// Brokers up and known, from the consumer's last statistics (nil: not known yet).
    func setBrokers(up: Int?, known: Int?) {
        brokersUp.store(up ?? -1, ordering: .relaxed)
        brokersKnown.store(known ?? -1, ordering: .relaxed)
    }

    // MARK: read anywhere

    /// The port /metrics and friends are served on, once bound (nil when HTTP is off or not started).
    public var httpPort: UInt16? {
        let p = port.load(ordering: .relaxed)
        return p < 0 ? nil : UInt16(p)
    }
    public var assignedPartitions: Int { partitions.load(ordering: .relaxed) }
    public var isRestored: Bool { restored.load(ordering: .relaxed) }
    /// Total consumer lag, nil until known for every assigned partition.
    public var totalLag: Int64? {
        let l = lag.load(ordering: .relaxed)
        return l < 0 ? nil : l
    }
    public var isStopping: Bool { stopping.load(ordering: .relaxed) }
    /// (brokers up, brokers known) from the consumer's statistics; nil until the first.
    public var brokers: (up: Int, known: Int)? {
        let u = brokersUp.load(ordering: .relaxed), k = brokersKnown.load(ordering: .relaxed)
        return u < 0 || k < 0 ? nil : (u, k)
    }

    /// Seconds since the loop's last iteration.
    public func secondsSinceBeat(now: UInt64 = LatencyRecorder.now()) -> Double {
        let last = heartbeat.load(ordering: .relaxed)
        return now > last ? Double(now - last) / 1e9 : 0
    }

    /// Alive: the loop iterated within the stall limit.
    public func health(now: UInt64 = LatencyRecorder.now()) -> (alive: Bool, detail: String) {
        let idle = secondsSinceBeat(now: now)
        if idle * 1e9 > Double(maxStallNanos) {
            return (false, "processing loop stalled for \(Int(idle)) s")
        }
        return (true, "ok")
    }

    /// Ready: partitions assigned, their state restored, some broker reachable (when the
    /// statistics say), and total lag at most `maxLag` (the lag is librdkafka's cached view: during
    /// an outage it is the last one known, hence the broker check).
    public func readiness() -> (ready: Bool, detail: String) {
        if isStopping { return (false, "stopping") }
        // First: without brokers the assignment and the cached lag say nothing.
        if let b = brokers, b.known > 0, b.up == 0 { return (false, "brokers unreachable: 0 of \(b.known) up") }
        let n = assignedPartitions
        if n == 0 { return (false, "no partitions assigned") }
        if !isRestored { return (false, "restoring state") }
        guard let lag = totalLag else { return (false, "lag not known yet") }
        if lag > maxLag { return (false, "catching up: lag \(lag) > ready.max_lag \(maxLag)") }
        return (true, "ready: \(n) partitions, lag \(lag)")
    }
}
