#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// `streamcrm inspect [--config FILE] [--set k=v]... USER_ID`: asks the running daemon (its
/// `GET /customers/{id}`, at `http.address:http.port` with `http.token`) for one customer's
/// segment, churn risk, affinities and recommendations, and prints the JSON.
enum InspectCommand {
    static func main(_ args: [String]) throws -> Int32 {
        let parsed = try Arguments(args, command: "inspect")
        guard parsed.positional.count == 1, let userID = parsed.positional.first else {
            throw UsageError("inspect needs one USER_ID")
        }
        let config = try Configuration.load(file: parsed.value("config"), overrides: parsed.values("set"))
        let reply = try fetch(config: config, userID: userID)
        if reply.status == 200 {
            print(reply.body, terminator: reply.body.hasSuffix("\n") ? "" : "\n")
            return 0
        }
        StandardError.write("streamcrm inspect: HTTP \(reply.status): \(reply.body)\(reply.body.hasSuffix("\n") ? "" : "\n")")
        return 1
    }

    /// GET /customers/{percent-encoded id} from the daemon the configuration describes.
    static func fetch(config: Configuration, userID: String) throws -> (status: Int, body: String) {
        let port = config.int("http.port")
        guard port > 0 else {
            throw DaemonError("the daemon's HTTP endpoint is \(port < 0 ? "off" : "on an ephemeral port") (http.port=\(port)); set http.port")
        }
        var address = config.string("http.address")
        if address == "0.0.0.0" { address = "127.0.0.1" }
        if address == "::" { address = "::1" }
        let token = config.string("http.token")
        return try get(address: address, port: UInt16(port), path: "/customers/" + percentEncode(userID),
                       token: token.isEmpty ? nil : token)
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    static func percentEncode(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// One HTTP/1.1 GET over a fresh connection (`Connection: close`), reading until EOF.
    static func get(address: String, port: UInt16, path: String, token: String?) throws -> (status: Int, body: String) {
        var v4 = sockaddr_in(), v6 = sockaddr_in6()
        let family: Int32
        if inet_pton(AF_INET, address, &v4.sin_addr) == 1 {
            family = AF_INET; v4.sin_family = sa_family_t(AF_INET); v4.sin_port = port.bigEndian
        } else if inet_pton(AF_INET6, address, &v6.sin6_addr) == 1 {
            family = AF_INET6; v6.sin6_family = sa_family_t(AF_INET6); v6.sin6_port = port.bigEndian
        } else {
            throw DaemonError("http.address '\(address)' is not an IPv4 or IPv6 literal")
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DaemonError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let rc: Int32 = family == AF_INET
            ? withUnsafePointer(to: &v4) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            : withUnsafePointer(to: &v6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        guard rc == 0 else {
            throw DaemonError("cannot connect to the daemon at \(address):\(port): \(String(cString: strerror(errno))) (is it running?)")
        }
        let host = family == AF_INET6 ? "[\(address)]" : address
        var request = "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\nAccept: application/json\r\n"
        if let token { request += "Authorization: Bearer \(token)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw DaemonError("send: \(String(cString: strerror(errno)))") }
            sent += n
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw DaemonError("recv: \(String(cString: strerror(errno)))")
            }
            received.append(contentsOf: chunk[0..<n])
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw DaemonError("malformed HTTP response") }
        let statusLine = text[..<split.lowerBound].prefix { $0 != "\r" }
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw DaemonError("malformed status line '\(statusLine)'") }
        return (status, String(text[split.upperBound...]))
    }
}
