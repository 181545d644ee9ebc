#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSystemd

/// A failure reported by libsystemd.
public enum SystemdError: Error, Equatable, CustomStringConvertible {
    /// `sd_notify` failed to send `state`; `errno` is the C error number.
    case notifyFailed(state: String, errno: Int32)
    /// `sd_watchdog_enabled` rejected the watchdog environment (e.g. a malformed `WATCHDOG_USEC`).
    case watchdogQueryFailed(errno: Int32)

    public var description: String {
        switch self {
        case let .notifyFailed(state, code):
            return "systemd: sd_notify(\(state.replacingOccurrences(of: "\n", with: " "))) failed: \(String(cString: strerror(code)))"
        case let .watchdogQueryFailed(code):
            return "systemd: sd_watchdog_enabled failed: \(String(cString: strerror(code)))"
        }
    }
}

/// Tells the service manager about the daemon's state through libsystemd's `sd_notify`.
///
/// Every message goes to the datagram socket named by `NOTIFY_SOCKET`; when that variable is unset
/// (not started by systemd with `Type=notify`) each call does nothing and returns false. Calls return
/// true when the message was sent and throw `SystemdError` when sending failed; a daemon will usually
/// log such a failure and carry on. Safe to use from any thread.
public struct SystemdNotifier: Sendable {
    /// Creates a notifier; it reads `NOTIFY_SOCKET` at every call.
    public init() {}

    /// Whether `NOTIFY_SOCKET` is set, i.e. whether messages go anywhere.
    public var isEnabled: Bool { getenv("NOTIFY_SOCKET") != nil }

    /// `READY=1`: start-up is complete (partitions assigned, state restored).
    @discardableResult
    public func ready() throws(SystemdError) -> Bool { try send("READY=1") }

    /// `STATUS=<text>`: a one-line status shown by `systemctl status`; newlines become spaces.
    @discardableResult
    public func status(_ text: String) throws(SystemdError) -> Bool {
        let oneLine = text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
        return try send("STATUS=" + oneLine)
    }

    /// `WATCHDOG=1`: the keep-alive ping; send it only while the processing loop makes progress.
    @discardableResult
    public func watchdog() throws(SystemdError) -> Bool { try send("WATCHDOG=1") }

    /// `STOPPING=1`: graceful shutdown has begun.
    @discardableResult
    public func stopping() throws(SystemdError) -> Bool { try send("STOPPING=1") }

    /// `RELOADING=1` with `MONOTONIC_USEC=`: a configuration reload has begun; send `ready()` when done.
    @discardableResult
    public func reloading() throws(SystemdError) -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let usec = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
        return try send("RELOADING=1\nMONOTONIC_USEC=\(usec)")
    }

    /// `EXTEND_TIMEOUT_USEC=`: asks for more time for the current start-up, reload or shutdown phase.
    @discardableResult
    public func extendTimeout(by duration: Duration) throws(SystemdError) -> Bool {
        try send("EXTEND_TIMEOUT_USEC=\(Self.microseconds(duration))")
    }

    /// Sends raw `KEY=value` assignments separated by newlines.
    @discardableResult
    public func send(_ state: String) throws(SystemdError) -> Bool {
        let rc = sd_notify(0, state)
        if rc < 0 { throw .notifyFailed(state: state, errno: -rc) }
        return rc > 0
    }

    /// The watchdog timeout systemd expects pings within (`WatchdogSec=`), or nil when the watchdog is
    /// off for this process (`WATCHDOG_USEC` unset, or `WATCHDOG_PID` naming another process).
    /// Ping at least every half of it.
    public func watchdogTimeout() throws(SystemdError) -> Duration? {
        var usec: UInt64 = 0
        let rc = sd_watchdog_enabled(0, &usec)
        if rc < 0 { throw .watchdogQueryFailed(errno: -rc) }
        return rc > 0 ? .microseconds(Int64(clamping: usec)) : nil
    }

    private static func microseconds(_ d: Duration) -> Int64 {
        let c = d.components
        return max(0, c.seconds * 1_000_000 + c.attoseconds / 1_000_000_000_000)
    }
}
