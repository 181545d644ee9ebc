import Dispatch
import Foundation
import Synchronization

/// Turns SIGTERM/SIGINT into a stop request and SIGHUP into a reload request, read by the
/// processing loop between messages (no work happens in a signal handler).
public final class StopSignal: Sendable {
    private let stop = Atomic<Bool>(false)
    private let reload = Atomic<Bool>(false)
    private let sources: Mutex<[DispatchSourceSignal]> = Mutex([])

    public init() {}

    /// Installs handlers for SIGTERM, SIGINT and SIGHUP.
    public func install() {
        let queue = DispatchQueue(label: "streamcrm.signals")
        var made: [DispatchSourceSignal] = []
        for (sig, isStop) in [(SIGTERM, true), (SIGINT, true), (SIGHUP, false)] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [self] in
                if isStop { stop.store(true, ordering: .releasing) } else { reload.store(true, ordering: .releasing) }
            }
            source.resume()
            made.append(source)
        }
        sources.withLock { $0 = made }
    }

    /// Whether a stop was requested.
    public var isStopRequested: Bool { stop.load(ordering: .acquiring) }
    /// Requests a stop (tests, the demo).
    public func requestStop() { stop.store(true, ordering: .releasing) }
    /// Takes a pending reload request.
    public func takeReloadRequest() -> Bool { reload.exchange(false, ordering: .acquiringAndReleasing) }
}
