/// The stream's event-time clock: the largest event time seen minus an allowed lateness, with
/// protection against one broken clock dragging everything forward, and optional advancement by
/// the wall clock while the stream is idle (DESIGN.md §2, §4).
///
/// - An event later than the reference time (the largest event time seen, or the idle-advanced
///   clock if later) by more than `maxForwardJump`, and not within `maxForwardJump` of the wall
///   clock either (a live stream resuming after a pause), is `.tooFarInFuture` and does **not**
///   move the clock; the caller dead-letters or clamps it (`clamped(_:)`). If
///   `futureStreakToAccept` such events arrive in a row (no normal event in between), the whole
///   stream has evidently moved and the last one is accepted.
/// - An event older than the current watermark is `.late`: it does not move the clock, and the
///   caller still applies it to state (it is not dropped).
/// - `advanceIdle(wallNow:)`, when `idleAdvance` is on, moves the watermark by the wall time
///   elapsed since the last event once that exceeds `idleTimeout` (off in replay).
///
/// The watermark never decreases. All times are milliseconds.
public struct Watermark: Sendable, Codable, Equatable {
    /// Settings.
    public struct Configuration: Sendable, Codable, Equatable {
        /// Lateness allowed before an event counts as late, ms (default 5_000).
        public var allowedLateness: Int64
        /// Largest forward move one event may cause, ms (default 3_600_000 = 1 h). Replaying
        /// data with day-resolution timestamps needs at least one day.
        public var maxForwardJump: Int64
        /// Whether `advanceIdle` moves the clock (default false; true in `run`, false in `replay`).
        public var idleAdvance: Bool
        /// Wall time without events before idle advancement starts, ms (default 30_000).
        public var idleTimeout: Int64
        /// Consecutive too-far events after which the last is accepted (default 100; 0 = never).
        public var futureStreakToAccept: Int

        /// - Parameters:
        ///   - allowedLateness: ms (default 5_000).
        ///   - maxForwardJump: ms (default 3_600_000).
        ///   - idleAdvance: default false.
        ///   - idleTimeout: ms (default 30_000).
        ///   - futureStreakToAccept: default 100 (0 disables).
        public init(allowedLateness: Int64 = 5_000, maxForwardJump: Int64 = 3_600_000, idleAdvance: Bool = false,
                    idleTimeout: Int64 = 30_000, futureStreakToAccept: Int = 100) {
            self.allowedLateness = allowedLateness; self.maxForwardJump = maxForwardJump
            self.idleAdvance = idleAdvance; self.idleTimeout = idleTimeout
            self.futureStreakToAccept = futureStreakToAccept
        }
    }

    /// How an observed event relates to the clock.
    public enum Classification: Sendable, Equatable {
        /// At or after the watermark: applied, clock moved if it is the newest.
        case onTime
        /// Before the watermark by this many ms: apply it, but it did not move the clock.
        case late(by: Int64)
        /// After the reference time by this many ms (> maxForwardJump): not applied to the clock.
        case tooFarInFuture(by: Int64)
    }

    /// The configuration.
    public let configuration: Configuration
    /// Largest accepted event time, nil before the first event.
    public internal(set) var maxEventTime: EventTime?
    /// The watermark, nil before the first event.
    public internal(set) var current: EventTime?
    // Internal (not private) so that CRMEngine+State.swift can checkpoint and restore the clock.
    var lastEventWall: Int64?
    var futureStreak = 0

    /// - Parameters:
    ///   - configuration: settings (default `Configuration()`).
    ///   - start: an initial watermark, e.g. restored from a checkpoint (default nil).
    public init(configuration: Configuration = Configuration(), start: EventTime? = nil) {
        self.configuration = configuration
        self.current = start
        self.maxEventTime = start.map { $0 + configuration.allowedLateness }
    }

    /// The time a far-future event is measured against.
    public var referenceTime: EventTime? {
        guard let m = maxEventTime else { return nil }
        return Swift.max(m, (current ?? m) + configuration.allowedLateness)
    }

    /// Classifies an event time and advances the clock with it.
    /// - Parameters:
    ///   - t: the event's time.
    ///   - wallNow: the wall clock (ms) when it was received, for idle advancement (default nil).
    ///   - knownTime: a time the stream is known to have reached although this clock has not seen
    ///     it (state restored from another instance), also a reference for "far ahead" (default nil).
    ///   - knownTimeOnly: judge "far ahead" by `knownTime` (and the wall clock) alone, not by this
    ///     clock's progress: the first event of an input partition, which other partitions' progress
    ///     says nothing about (default false).
    public mutating func observe(_ t: EventTime, wallNow: Int64? = nil, knownTime: EventTime? = nil,
                                 knownTimeOnly: Bool = false) -> Classification {
        if isTooFarAhead(t, wallNow: wallNow, knownTime: knownTime, knownTimeOnly: knownTimeOnly) {
            futureStreak += 1
            let limit = configuration.futureStreakToAccept
            guard limit > 0, futureStreak >= limit else {
                return .tooFarInFuture(by: t - (farAheadReference(knownTime: knownTime, knownTimeOnly: knownTimeOnly) ?? wallNow ?? t))
            }
        }
        futureStreak = 0
        if let w = wallNow { lastEventWall = w }
        if let c = current, t < c { return .late(by: c - t) }
        maxEventTime = Swift.max(maxEventTime ?? t, t)
        let candidate = maxEventTime! - configuration.allowedLateness
        current = Swift.max(current ?? candidate, candidate)
        return .onTime
    }

    /// Whether `t` is further than `maxForwardJump` ahead of the stream's clock, and not excused
    /// by the wall clock. A live stream (`wallNow` given) whose event time jumps together with the
    /// wall clock — a restart after a long pause — is plausible: an event within `maxForwardJump`
    /// of the wall clock, either side, is accepted however far it is ahead of the stream. An event
    /// merely *behind* the wall clock is not excused: a historical stream (last year's data read
    /// live) is judged by its own clock, so that one stray timestamp months ahead of it cannot drag
    /// event time forward and fire every churn timer at once. Before the first event the wall clock
    /// is the only reference.
    func isTooFarAhead(_ t: EventTime, wallNow: Int64?, knownTime: EventTime? = nil, knownTimeOnly: Bool = false) -> Bool {
        let jump = configuration.maxForwardJump
        guard let ref = farAheadReference(knownTime: knownTime, knownTimeOnly: knownTimeOnly) else {
            if let w = wallNow { return t - w > jump }
            return false
        }
        guard t - ref > jump else { return false }
        if let w = wallNow, t - w <= jump, w - t <= jump { return false }
        return true
    }

    /// The later of the reference time and `knownTime` (per event: no array); `knownTime` alone
    /// when `knownTimeOnly`.
    private func farAheadReference(knownTime: EventTime?, knownTimeOnly: Bool) -> EventTime? {
        guard !knownTimeOnly, let r = referenceTime else { return knownTime }
        guard let k = knownTime else { return r }
        return Swift.max(r, k)
    }

    /// The time a far-future event should be clamped to: reference + maxForwardJump.
    public func clamped(_ t: EventTime) -> EventTime {
        guard let ref = referenceTime else { return t }
        return Swift.min(t, ref + configuration.maxForwardJump)
    }

    /// Advances the watermark by wall time while the stream is idle; returns whether it moved.
    /// No-op unless `idleAdvance` is configured and an event with `wallNow` has been observed.
    /// - Parameter wallNow: the wall clock, ms.
    @discardableResult
    public mutating func advanceIdle(wallNow: Int64) -> Bool {
        guard configuration.idleAdvance, let last = lastEventWall, let m = maxEventTime else { return false }
        let gap = wallNow - last
        guard gap >= configuration.idleTimeout else { return false }
        let candidate = m + gap - configuration.allowedLateness
        guard candidate > (current ?? .min) else { return false }
        current = candidate
        return true
    }
}
