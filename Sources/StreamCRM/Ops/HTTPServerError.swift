#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the HTTP server could not start.
public enum HTTPServerError: Error, Equatable, CustomStringConvertible {
    /// The bind address is not an IPv4 or IPv6 literal.
    case invalidAddress(String)
    /// A socket call failed while preparing the listening socket; `errno` is the C error number.
    case socket(operation: String, address: String, port: UInt16, errno: Int32)
    /// libmicrohttpd refused to start a daemon on the prepared socket.
    case daemonStartFailed(address: String, port: UInt16)
    /// `start()` was called while the server was running.
    case alreadyRunning

    public var description: String {
        switch self {
        case .invalidAddress(let a):
            return "http: invalid bind address \(a) (expected an IPv4 or IPv6 literal)"
        case let .socket(op, address, port, code):
            return "http: \(op) on \(address):\(port) failed: \(String(cString: strerror(code))) (errno \(code))"
        case let .daemonStartFailed(address, port):
            return "http: libmicrohttpd could not start on \(address):\(port)"
        case .alreadyRunning:
            return "http: server already running"
        }
    }
}
