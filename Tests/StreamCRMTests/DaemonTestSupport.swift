#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Kafka
import Synchronization
import XCTest
@testable import StreamCRM

/// A bound AF_UNIX datagram socket standing in for systemd's notification socket. A thread
/// reads it continuously, as systemd does (a full datagram queue would block `sd_notify`).
final class NotifyListener: @unchecked Sendable {
    let path: String
    let fd: Int32
    private let received = Mutex<[String]>([])
    private let receivedAt = Mutex<[Date]>([])
    private let stopping = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    init() throws {
        path = "/tmp/streamcrm-dnotify-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !stopping.load(ordering: .acquiring) {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 50) == 1 else { continue }
                let n = recv(fd, &buffer, buffer.count, 0)
                if n >= 0 {
                    received.withLock { $0.append(String(decoding: buffer[0..<n], as: UTF8.self)) }
                    receivedAt.withLock { $0.append(Date()) }
                }
            }
            done.signal()
        }.start()
    }

    /// Every message so far, in order.
    var messages: [String] { received.withLock { $0 } }
    /// When each message arrived (same order as `messages`).
    var arrivals: [Date] { receivedAt.withLock { $0 } }

    /// Waits until a message at index `from` or later satisfies `match`; returns its index (nil on timeout).
    func waitFor(from: Int = 0, timeout: Double = 10, _ match: (String) -> Bool) -> Int? {
        var found: Int?
        _ = eventually(timeout: timeout) {
            let all = messages
            found = all.indices.first { $0 >= from && match(all[$0]) }
            return found != nil
        }
        return found
    }

    deinit {
        stopping.store(true, ordering: .releasing)
        done.wait()
        close(fd)
        unlink(path)
    }
}

/// Polls `condition` until it holds or `timeout` seconds pass.
func eventually(timeout: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}

/// A daemon on a background thread against an in-process broker, with its log lines captured.
final class LiveDaemonHarness: @unchecked Sendable {
    static let fixedTime = Date(timeIntervalSince1970: 1_796_119_200) // 2026-12-01T10:00:00Z

    let broker: DevBroker
    let stateDir: String
    let lines = LineBox()
    let stop = StopSignal()
    private(set) var daemon: CRMDaemon!
    private let finished = DispatchSemaphore(value: 0)
    private let exitStatus = Mutex<Result<Int32, Error>?>(nil)

    convenience init(partitions: Int = 2) throws {
        self.init(broker: try DevBroker(brokers: 1, partitions: partitions))
    }

    /// A daemon on an existing broker (several daemons in one group share it).
    init(broker: DevBroker) {
        self.broker = broker
        stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("streamcrm-dtest-\(UUID().uuidString)").path
    }

    /// Overrides every daemon test needs, then `extra`.
    func overrides(_ extra: [String]) -> [String] {
        ["kafka.bootstrap.servers=\(broker.bootstrapServers)", "kafka.consumer.session.timeout.ms=6000",
         "group.id=dtest-\(UUID().uuidString)", "state.dir=\(stateDir)", "http.port=0", "health.max_stall.s=1"] + extra
    }

    /// Creates the daemon (reading NOTIFY_SOCKET / WATCHDOG_USEC now) and runs it on a thread.
    func start(file: String? = nil, overrides extra: [String] = [], options base: DaemonOptions = DaemonOptions(),
               fixedClock: Bool = true) throws {
        var options = base
        options.configFile = file
        options.overrides = overrides(extra)
        options.environment = [:]
        options.telemetryIntervals = .init(publish: .milliseconds(100), lag: .milliseconds(200), status: .milliseconds(200))
        let config = try Configuration.load(file: file, environment: [:], overrides: options.overrides)
        try broker.ensure(topics: TopicNames(config).all)
        var clock: Logger.Clock = { Date() }
        if fixedClock { clock = { LiveDaemonHarness.fixedTime } }
        let captured = lines
        let sink: Logger.Sink = { line in captured.withLock { $0.append(line) } }
        let logger = Logger(level: LogLevel(name: config.string("log.level")) ?? .info, clock: clock, sink: sink)
        daemon = try CRMDaemon(configuration: config, logger: logger, stopSignal: stop, options: options)
        let thread = Thread { [self] in
            let result = Result { try self.daemon.run() }
            exitStatus.withLock { $0 = result }
            finished.signal()
        }
        thread.start()
    }

    var port: UInt16? { daemon.status.httpPort }

    func get(_ path: String, token: String? = nil) throws -> TestHTTPClient.Reply {
        guard let port else { throw POSIXError(.ENOTCONN) }
        return try TestHTTPClient.request(port: port, path: path, headers: token.map { ["Authorization": "Bearer \($0)"] } ?? [:])
    }

    /// The daemon's metrics as series → value.
    func metrics(token: String? = nil) throws -> [String: Double] {
        var out: [String: Double] = [:]
        for line in try get("/metrics", token: token).body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            out[String(line[..<space])] = Double(line[line.index(after: space)...])
        }
        return out
    }

    /// Produces JSON records (key = user id) and waits for the broker's acknowledgements.
    func produce(_ records: [(topic: String, key: String, json: String)]) throws {
        let producer = try KafkaProducer(config: KafkaConfig([("bootstrap.servers", broker.bootstrapServers), ("linger.ms", "1")]))
        for r in records { try producer.produce(topic: r.topic, key: Array(r.key.utf8), value: Array(r.json.utf8)) }
        try producer.flush(timeoutMs: 10_000)
    }

    /// Requests a stop and waits for `run()` to return (nil on timeout).
    func stopAndWait(timeout: Double = 30) -> Result<Int32, Error>? {
        stop.requestStop()
        guard finished.wait(timeout: .now() + timeout) == .success else { return nil }
        return exitStatus.withLock { $0 }
    }

    func logLines() -> [String] { lines.withLock { $0 } }


    deinit {
        if daemon != nil, exitStatus.withLock({ $0 }) == nil { _ = stopAndWait() }
        try? FileManager.default.removeItem(atPath: stateDir)
    }
}

/// Captured log lines, shared with the logger's sink.
final class LineBox: Sendable {
    private let lines = Mutex<[String]>([])
    func withLock<R>(_ body: (inout [String]) -> R) -> R { lines.withLock { body(&$0) } }
}
