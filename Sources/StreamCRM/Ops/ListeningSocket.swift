#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Creates bound, listening TCP sockets and reports the port actually bound.
///
/// The HTTP server binds its own socket and hands it to libmicrohttpd (MHD_OPTION_LISTEN_SOCKET)
/// because MHD_get_daemon_info, which would report the port, is a C variadic function that
/// Swift cannot call; `getsockname` on our own socket gives the same answer.
enum ListeningSocket {
    /// A listening, non-blocking, close-on-exec socket and the port it is bound to. The caller owns `fd`.
    static func open(address: String, port: UInt16, backlog: Int32 = 128) throws(HTTPServerError) -> (fd: Int32, port: UInt16) {
        var v4 = sockaddr_in()
        var v6 = sockaddr_in6()
        let family: Int32
        if inet_pton(AF_INET, address, &v4.sin_addr) == 1 {
            family = AF_INET
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
        } else if inet_pton(AF_INET6, address, &v6.sin6_addr) == 1 {
            family = AF_INET6
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
        } else {
            throw .invalidAddress(address)
        }
        func failure(_ op: String) -> HTTPServerError { .socket(operation: op, address: address, port: port, errno: errno) }

        #if canImport(Glibc)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        #else
        let fd = socket(family, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw failure("socket") }
        var one: Int32 = 1
        var error: HTTPServerError?
        if setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            error = failure("setsockopt(SO_REUSEADDR)")
        } else if family == AF_INET6, setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            error = failure("setsockopt(IPV6_V6ONLY)")
        } else {
            let bound: Int32 = family == AF_INET
                ? withUnsafePointer(to: &v4) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
                : withUnsafePointer(to: &v6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
            if bound != 0 {
                error = failure("bind")
            } else if listen(fd, backlog) != 0 {
                error = failure("listen")
            }
        }
        var actualPort: UInt16 = 0
        if error == nil {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let rc = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            if rc != 0 {
                error = failure("getsockname")
            } else {
                actualPort = withUnsafePointer(to: &storage) { raw in
                    family == AF_INET
                        ? raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
                        : raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
                }
            }
        }
        if let error {
            close(fd)
            throw error
        }
        return (fd, actualPort)
    }
}
