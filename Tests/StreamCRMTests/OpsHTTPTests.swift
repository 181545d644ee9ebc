#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import XCTest
@testable import StreamCRM

/// A minimal blocking HTTP/1.1 client over a TCP socket: one request per connection.
enum TestHTTPClient {
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    enum Failure: Error { case connect(Int32), io(Int32), malformed(String) }

    static func request(port: UInt16, method: String = "GET", path: String, headers: [String: String] = [:],
                        body: String = "", includeHost: Bool = true) throws -> Reply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.connect(errno) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw Failure.connect(errno) }
        var text = "\(method) \(path) HTTP/1.1\r\n" + (includeHost ? "Host: 127.0.0.1:\(port)\r\n" : "") + "Connection: close\r\n"
        for (k, v) in headers { text += "\(k): \(v)\r\n" }
        if !body.isEmpty { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + body
        let out = Array(text.utf8)
        var sent = 0
        while sent < out.count {
            let n = out.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure.io(errno) }
            sent += n
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == ECONNRESET, !received.isEmpty { break }
                throw Failure.io(errno)
            }
            received.append(contentsOf: chunk[0..<n])
        }
        let raw = String(decoding: received, as: UTF8.self)
        guard let split = raw.range(of: "\r\n\r\n") else { throw Failure.malformed(raw) }
        let head = raw[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure.malformed(head[0]) }
        var replyHeaders: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            replyHeaders[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Reply(status: status, headers: replyHeaders, body: String(raw[split.upperBound...]))
    }
}

final class OpsHTTPTests: XCTestCase {
    private func makeServer(token: String? = nil, handler: HTTPServer.Handler? = nil) throws -> (HTTPServer, UInt16) {
        let server = HTTPServer(configuration: HTTPServerConfiguration(bearerToken: token), handler: handler ?? { request in
            switch request.path {
            case "/health": return .ok("ok\n")
            case "/metrics": return .ok("m 1\n", contentType: PrometheusText.contentType)
            default: return nil
            }
        })
        let port = try server.start()
        return (server, port)
    }

    func testHealthOnEphemeralPort() throws {
        let (server, port) = try makeServer()
        XCTAssertNotEqual(port, 0)
        XCTAssertEqual(server.port, port)
        let reply = try TestHTTPClient.request(port: port, path: "/health")
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.body, "ok\n")
        XCTAssertEqual(reply.headers["content-type"], "text/plain; charset=utf-8")
        XCTAssertEqual(reply.headers["content-length"], "3")
        let metrics = try TestHTTPClient.request(port: port, path: "/metrics")
        XCTAssertEqual(metrics.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
    }

    func testUnknownPathIs404() throws {
        let (server, port) = try makeServer()
        defer { server.stop() }
        let reply = try TestHTTPClient.request(port: port, path: "/nope")
        XCTAssertEqual(reply.status, 404)
        XCTAssertEqual(reply.body, "Not Found\n")
    }

    func testNonGetIs405() throws {
        let (server, port) = try makeServer()
        defer { server.stop() }
        let post = try TestHTTPClient.request(port: port, method: "POST", path: "/health", body: "x=1")
        XCTAssertEqual(post.status, 405)
        XCTAssertEqual(post.headers["allow"], "GET, HEAD")
        let delete = try TestHTTPClient.request(port: port, method: "DELETE", path: "/metrics")
        XCTAssertEqual(delete.status, 405)
        let head = try TestHTTPClient.request(port: port, method: "HEAD", path: "/health")
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.body, "")
    }

    func testBearerToken() throws {
        let (server, port) = try makeServer(token: "s3cret")
        defer { server.stop() }
        let open = try TestHTTPClient.request(port: port, path: "/health")
        XCTAssertEqual(open.status, 200, "/health is public")
        let missing = try TestHTTPClient.request(port: port, path: "/metrics")
        XCTAssertEqual(missing.status, 401)
        XCTAssertEqual(missing.headers["www-authenticate"], "Bearer")
        let wrong = try TestHTTPClient.request(port: port, path: "/metrics", headers: ["Authorization": "Bearer s3cre"])
        XCTAssertEqual(wrong.status, 401)
        let right = try TestHTTPClient.request(port: port, path: "/metrics", headers: ["Authorization": "Bearer s3cret"])
        XCTAssertEqual(right.status, 200)
        XCTAssertEqual(right.body, "m 1\n")
        let unknown = try TestHTTPClient.request(port: port, path: "/nope")
        XCTAssertEqual(unknown.status, 401, "unknown paths are not revealed without the token")
    }

    func testHandlerSeesRequestDetails() throws {
        let seen = Mutex<HTTPRequest?>(nil)
        let (server, port) = try makeServer { request in
            seen.withLock { $0 = request }
            return HTTPResponse(status: 201, contentType: "application/json", body: "{}", headers: [("X-Test", "yes")])
        }
        defer { server.stop() }
        let reply = try TestHTTPClient.request(port: port, path: "/customers/42?limit=3", headers: ["X-Trace": "abc"])
        XCTAssertEqual(reply.status, 201)
        XCTAssertEqual(reply.headers["x-test"], "yes")
        XCTAssertEqual(reply.headers["content-type"], "application/json")
        let request = try XCTUnwrap(seen.withLock { $0 })
        XCTAssertEqual(request.method, "GET")
        XCTAssertEqual(request.path, "/customers/42")
        XCTAssertEqual(request.query, ["limit": "3"])
        XCTAssertEqual(request.header("X-TRACE"), "abc")
    }

    func testConcurrentRequests() throws {
        let (server, port) = try makeServer { request in .ok("echo \(request.path)\n") }
        defer { server.stop() }
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 16) { worker in
            for i in 0..<10 {
                do {
                    let reply = try TestHTTPClient.request(port: port, path: "/w\(worker)/\(i)")
                    if reply.status != 200 || reply.body != "echo /w\(worker)/\(i)\n" {
                        failures.withLock { $0.append("\(worker)/\(i): \(reply.status) \(reply.body)") }
                    }
                } catch {
                    failures.withLock { $0.append("\(worker)/\(i): \(error)") }
                }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
    }

    func testStopClosesTheSocketAndAllowsRestart() throws {
        let (server, port) = try makeServer()
        XCTAssertThrowsError(try server.start()) { XCTAssertEqual($0 as? HTTPServerError, .alreadyRunning) }
        server.stop()
        XCTAssertFalse(server.isRunning)
        XCTAssertNil(server.port)
        XCTAssertThrowsError(try TestHTTPClient.request(port: port, path: "/health"))
        server.stop() // idempotent
        let again = try server.start()
        XCTAssertEqual(try TestHTTPClient.request(port: again, path: "/health").status, 200)
    }

    func testDeinitStopsTheDaemon() throws {
        var server: HTTPServer? = HTTPServer { _ in .ok("x") }
        let port = try XCTUnwrap(server).start()
        XCTAssertEqual(try TestHTTPClient.request(port: port, path: "/").status, 200)
        server = nil
        XCTAssertThrowsError(try TestHTTPClient.request(port: port, path: "/"))
    }

    func testStartErrors() throws {
        let bad = HTTPServer(configuration: HTTPServerConfiguration(address: "localhost")) { _ in nil }
        XCTAssertThrowsError(try bad.start()) { XCTAssertEqual($0 as? HTTPServerError, .invalidAddress("localhost")) }

        let (server, port) = try makeServer()
        defer { server.stop() }
        let clash = HTTPServer(configuration: HTTPServerConfiguration(port: port)) { _ in nil }
        XCTAssertThrowsError(try clash.start()) { error in
            guard case .socket(operation: "bind", address: "127.0.0.1", port: port, errno: EADDRINUSE)? = error as? HTTPServerError else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertTrue("\(error)".contains("Address already in use"))
        }
    }

    func testSingleThreadWithoutPoolLogsNothing() throws {
        let lines = Mutex<[String]>([])
        var config = HTTPServerConfiguration()
        config.threads = 1
        let server = HTTPServer(configuration: config, logger: Logger(sink: { l in lines.withLock { $0.append(l) } })) { _ in .ok("one\n") }
        let port = try server.start()
        defer { server.stop() }
        XCTAssertEqual(try TestHTTPClient.request(port: port, path: "/").body, "one\n")
        XCTAssertEqual(lines.withLock { $0 }, [])
    }
}
