#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// A thread-safe structured logger writing one logfmt line per record.
///
/// A record reads `ts=2026-12-03T10:00:00.123Z level=info msg="partition assigned" topic=shop.orders partition=3`:
/// the timestamp, the level and the message come first, then the fields in the order given.
/// Records below `level` are dropped before their message is built. Repeated records sharing a
/// `rateLimitKey` are written at most once per `rateLimitInterval`; the first one written after
/// some were dropped carries `suppressed=N` as its last field.
///
/// The sink receives each line without a trailing newline; the default sink writes it plus
/// `\n` to standard error with one `write(2)`, so lines from different threads never interleave.
public final class Logger: Sendable {
    /// Receives each finished line (no trailing newline).
    public typealias Sink = @Sendable (String) -> Void
    /// Supplies the wall-clock time of a record.
    public typealias Clock = @Sendable () -> Date

    /// Writes `line + "\n"` to file descriptor 2 in one call.
    public static let standardErrorSink: Sink = { line in
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return  // stderr gone: nothing sensible left to report to.
                }
                offset += n
            }
        }
    }

    private struct RateLimitEntry {
        var lastWritten: Date
        var suppressed: Int
    }

    private struct RateLimitState {
        var interval: Duration
        var entries: [String: RateLimitEntry] = [:]
    }

    /// Most keys a rate limiter tracks before forgetting the ones that are idle.
    private static let maxRateLimitKeys = 4096

    private let minimumLevel: Atomic<Int>
    private let rateLimits: Mutex<RateLimitState>
    private let clock: Clock
    private let sink: Sink

    /// Creates a logger.
    /// - Parameters:
    ///   - level: the minimum level written; changeable later through `level`.
    ///   - rateLimitInterval: how often a record with a given `rateLimitKey` may be written.
    ///   - clock: the time source for timestamps and rate limiting.
    ///   - sink: where lines go; standard error by default.
    public init(level: LogLevel = .info,
                rateLimitInterval: Duration = .seconds(10),
                clock: @escaping Clock = { Date() },
                sink: @escaping Sink = Logger.standardErrorSink) {
        self.minimumLevel = Atomic(level.rawValue)
        self.rateLimits = Mutex(RateLimitState(interval: rateLimitInterval))
        self.clock = clock
        self.sink = sink
    }

    /// The minimum level written. Safe to change at run time from any thread (e.g. on SIGHUP).
    public var level: LogLevel {
        get { LogLevel(rawValue: minimumLevel.load(ordering: .relaxed)) ?? .info }
        set { minimumLevel.store(newValue.rawValue, ordering: .relaxed) }
    }

    /// The interval within which records sharing a rate-limit key are written at most once.
    public var rateLimitInterval: Duration {
        get { rateLimits.withLock { $0.interval } }
        set { rateLimits.withLock { $0.interval = newValue } }
    }

    /// Whether a record at `level` would be written.
    public func isEnabled(_ level: LogLevel) -> Bool {
        level.rawValue >= minimumLevel.load(ordering: .relaxed)
    }

    /// Writes a record if `level` is enabled and, when `rateLimitKey` is given, the key's interval has passed.
    public func log(_ level: LogLevel,
                    _ message: @autoclosure () -> String,
                    _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:],
                    rateLimitKey: String? = nil) {
        guard isEnabled(level) else { return }
        let now = clock()
        var suppressed = 0
        if let key = rateLimitKey {
            guard let dropped = admit(key: key, now: now) else { return }
            suppressed = dropped
        }
        var line = ""
        line.reserveCapacity(96)
        Logfmt.append(key: "ts", value: Logfmt.timestamp(now), to: &line)
        Logfmt.append(key: "level", value: level.name, to: &line)
        Logfmt.append(key: "msg", value: message(), to: &line)
        for (key, value) in fields {
            Logfmt.append(key: key, value: value.description, to: &line)
        }
        if suppressed > 0 {
            Logfmt.append(key: "suppressed", value: String(suppressed), to: &line)
        }
        sink(line)
    }

    /// Writes a `debug` record.
    public func debug(_ message: @autoclosure () -> String,
                      _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:],
                      rateLimitKey: String? = nil) {
        log(.debug, message(), fields, rateLimitKey: rateLimitKey)
    }

    /// Writes an `info` record.
    public func info(_ message: @autoclosure () -> String,
                     _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:],
                     rateLimitKey: String? = nil) {
        log(.info, message(), fields, rateLimitKey: rateLimitKey)
    }

    /// Writes a `warn` record; pass `rateLimitKey` for warnings that may repeat per event.
    public func warn(_ message: @autoclosure () -> String,
                     _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:],
                     rateLimitKey: String? = nil) {
        log(.warn, message(), fields, rateLimitKey: rateLimitKey)
    }

    /// Writes an `error` record.
    public func error(_ message: @autoclosure () -> String,
                      _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:],
                      rateLimitKey: String? = nil) {
        log(.error, message(), fields, rateLimitKey: rateLimitKey)
    }

    /// Returns nil to drop the record, else how many records with `key` were dropped since the last one written.
    private func admit(key: String, now: Date) -> Int? {
        rateLimits.withLock { state -> Int? in
            let interval = Self.seconds(state.interval)
            if var entry = state.entries[key] {
                let elapsed = now.timeIntervalSince(entry.lastWritten)
                // A clock that went backwards re-opens the key rather than muting it for long.
                if elapsed >= 0 && elapsed < interval {
                    entry.suppressed += 1
                    state.entries[key] = entry
                    return nil
                }
                state.entries[key] = RateLimitEntry(lastWritten: now, suppressed: 0)
                return entry.suppressed
            }
            if state.entries.count >= Self.maxRateLimitKeys {
                // Forget idle keys; their suppressed counts are lost, which only shortens a later line.
                state.entries = state.entries.filter { now.timeIntervalSince($0.value.lastWritten) < interval }
            }
            state.entries[key] = RateLimitEntry(lastWritten: now, suppressed: 0)
            return 0
        }
    }

    private static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
