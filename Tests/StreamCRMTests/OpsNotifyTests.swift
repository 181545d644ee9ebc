#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest
@testable import StreamCRM

/// A bound AF_UNIX datagram socket standing in for systemd's notification socket.
private final class NotifySocket {
    let path: String
    let fd: Int32

    init() throws {
        path = "/tmp/streamcrm-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0) // a missing message fails the test instead of hanging it
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
    }

    /// Blocks until the next datagram arrives.
    func receive() throws -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }

    /// Whether a datagram is waiting, without blocking.
    func hasPending() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT) | Int32(MSG_PEEK)) >= 0
    }

    deinit {
        close(fd)
        unlink(path)
    }
}

final class OpsNotifyTests: XCTestCase {
    override func tearDown() {
        unsetenv("NOTIFY_SOCKET")
        unsetenv("WATCHDOG_USEC")
        unsetenv("WATCHDOG_PID")
        super.tearDown()
    }

    func testMessagesArriveOnTheNotifySocket() throws {
        let socket = try NotifySocket()
        setenv("NOTIFY_SOCKET", socket.path, 1)
        let notifier = SystemdNotifier()
        XCTAssertTrue(notifier.isEnabled)

        XCTAssertTrue(try notifier.ready())
        XCTAssertEqual(try socket.receive(), "READY=1")
        XCTAssertTrue(try notifier.status("consuming 1200 ev/s, lag 3"))
        XCTAssertEqual(try socket.receive(), "STATUS=consuming 1200 ev/s, lag 3")
        try notifier.status("two\nlines")
        XCTAssertEqual(try socket.receive(), "STATUS=two lines")
        try notifier.watchdog()
        XCTAssertEqual(try socket.receive(), "WATCHDOG=1")
        try notifier.extendTimeout(by: .seconds(90))
        XCTAssertEqual(try socket.receive(), "EXTEND_TIMEOUT_USEC=90000000")
        try notifier.reloading()
        let reloading = try socket.receive()
        XCTAssertTrue(reloading.hasPrefix("RELOADING=1\nMONOTONIC_USEC="), reloading)
        XCTAssertNotNil(UInt64(reloading.dropFirst("RELOADING=1\nMONOTONIC_USEC=".count)), reloading)
        try notifier.stopping()
        XCTAssertEqual(try socket.receive(), "STOPPING=1")
        XCTAssertFalse(socket.hasPending())
    }

    func testNoOpWithoutNotifySocket() throws {
        unsetenv("NOTIFY_SOCKET")
        let notifier = SystemdNotifier()
        XCTAssertFalse(notifier.isEnabled)
        XCTAssertFalse(try notifier.ready())
        XCTAssertFalse(try notifier.watchdog())
        XCTAssertFalse(try notifier.stopping())
    }

    func testUnreachableSocketThrows() throws {
        setenv("NOTIFY_SOCKET", "/tmp/streamcrm-no-such-socket-\(getpid())", 1)
        XCTAssertThrowsError(try SystemdNotifier().ready()) { error in
            guard case .notifyFailed(state: "READY=1", errno: _)? = error as? SystemdError else {
                return XCTFail("unexpected \(error)")
            }
        }
    }

    func testWatchdogTimeout() throws {
        let notifier = SystemdNotifier()
        unsetenv("WATCHDOG_USEC")
        XCTAssertNil(try notifier.watchdogTimeout())
        setenv("WATCHDOG_USEC", "30000000", 1)
        setenv("WATCHDOG_PID", "\(getpid())", 1)
        XCTAssertEqual(try notifier.watchdogTimeout(), .seconds(30))
        setenv("WATCHDOG_PID", "\(getpid() + 1)", 1)
        XCTAssertNil(try notifier.watchdogTimeout(), "the watchdog belongs to another process")
        setenv("WATCHDOG_PID", "\(getpid())", 1)
        setenv("WATCHDOG_USEC", "soon", 1)
        XCTAssertThrowsError(try notifier.watchdogTimeout())
    }
}
