import Foundation
import Synchronization

/// Turns SIGTERM/SIGINT into a stop request and SIGHUP into a reload request, read by the
/// processing loop between messages. The signal handler only stores to a lock-free atomic
/// (async-signal-safe); all work happens on the loop's thread.
public final class StopSignal: Sendable {
    private static let signalledStop = Atomic<Bool>(false)
    private static let signalledReload = Atomic<Bool>(false)

    private let stop = Atomic<Bool>(false)
    private let reload = Atomic<Bool>(false)
    private let listensToSignals = Atomic<Bool>(false)

    public init() {}

    /// Installs handlers for SIGTERM, SIGINT and SIGHUP (process-wide) and makes this instance
    /// follow them.
    public func install() {
        listensToSignals.store(true, ordering: .releasing)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { sig in
            if sig == SIGHUP {
                StopSignal.signalledReload.store(true, ordering: .releasing)
            } else {
                StopSignal.signalledStop.store(true, ordering: .releasing)
            }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        for sig in [SIGTERM, SIGINT, SIGHUP] { sigaction(sig, &action, nil) }
    }

    /// Whether a stop was requested.
    public var isStopRequested: Bool {
        stop.load(ordering: .acquiring)
            || (listensToSignals.load(ordering: .acquiring) && Self.signalledStop.load(ordering: .acquiring))
    }

    /// Requests a stop (tests, the demo).
    public func requestStop() { stop.store(true, ordering: .releasing) }

    /// Requests a configuration reload, as SIGHUP does (tests).
    public func requestReload() { reload.store(true, ordering: .releasing) }

    /// Takes a pending reload request.
    public func takeReloadRequest() -> Bool {
        if reload.exchange(false, ordering: .acquiringAndReleasing) { return true }
        guard listensToSignals.load(ordering: .acquiring) else { return false }
        return Self.signalledReload.exchange(false, ordering: .acquiringAndReleasing)
    }
}
