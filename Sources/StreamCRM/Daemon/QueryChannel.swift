import Dispatch
import Synchronization

/// Hands interactive queries from HTTP threads to the processing loop, which owns the engine.
///
/// Why a channel rather than a published snapshot: the engine is not thread-safe and a
/// consistent snapshot of every customer (plus the similarity cache recommendations need) would
/// cost a copy of the whole state per publication, paid whether or not anyone asks. A query
/// instead waits for the loop, which answers between two polls from the live state: exact and
/// current, and free when nobody asks. The loop checks one atomic per iteration; it polls Kafka
/// at most 100 ms at a time, so an idle daemon answers within about 100 ms and a busy one within
/// one message. A caller gives up after `timeout` (503); a bounded queue refuses (503) rather
/// than letting a burst of queries slow processing.
final class QueryChannel: Sendable {
    /// One waiting query.
    final class Pending: Sendable {
        let key: String
        let done = DispatchSemaphore(value: 0)
        let answer = Mutex<HTTPResponse?>(nil)
        let abandoned = Atomic<Bool>(false)
        init(key: String) { self.key = key }
    }

    enum Outcome: Equatable {
        case answered(HTTPResponse)
        case timedOut
        case busy
        case closed
    }

    let capacity: Int
    let timeout: Duration
    private let queue = Mutex<(items: [Pending], closed: Bool)>(([], false))
    private let waiting = Atomic<Int>(0)

    init(capacity: Int = 64, timeout: Duration = .seconds(2)) {
        self.capacity = capacity
        self.timeout = timeout
    }

    /// Called on an HTTP thread: queues `key` and waits for the loop's answer.
    func ask(_ key: String) -> Outcome {
        let pending = Pending(key: key)
        let refused: Outcome? = queue.withLock { q in
            if q.closed { return .closed }
            if q.items.count >= capacity { return .busy }
            q.items.append(pending)
            waiting.add(1, ordering: .releasing)
            return nil
        }
        if let refused { return refused }
        let c = timeout.components
        let nanos = Int(c.seconds) * 1_000_000_000 + Int(c.attoseconds / 1_000_000_000)
        if pending.done.wait(timeout: .now() + .nanoseconds(nanos)) == .timedOut {
            pending.abandoned.store(true, ordering: .relaxed)
            // The loop may have answered between the timeout and the flag: use that answer.
            if let late = pending.answer.withLock({ $0 }) { return .answered(late) }
            return .timedOut
        }
        return pending.answer.withLock { $0 }.map(Outcome.answered) ?? .closed
    }

    /// Whether queries wait (one relaxed atomic load; call every loop iteration).
    @inline(__always)
    var hasPending: Bool { waiting.load(ordering: .relaxed) > 0 }

    /// Called on the loop: answers every waiting query with `respond`.
    func serve(_ respond: (String) -> HTTPResponse) {
        let items = queue.withLock { q -> [Pending] in
            let taken = q.items
            q.items.removeAll()
            waiting.store(0, ordering: .relaxed)
            return taken
        }
        for item in items {
            if item.abandoned.load(ordering: .relaxed) { continue }
            let response = respond(item.key)
            item.answer.withLock { $0 = response }
            item.done.signal()
        }
    }

    /// Refuses new queries and releases the waiting ones (shutdown).
    func close() {
        let items = queue.withLock { q -> [Pending] in
            q.closed = true
            let taken = q.items
            q.items.removeAll()
            waiting.store(0, ordering: .relaxed)
            return taken
        }
        for item in items { item.done.signal() }
    }
}
