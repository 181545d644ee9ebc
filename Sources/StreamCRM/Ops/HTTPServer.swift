#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CMicroHTTPD
import Synchronization

/// Settings of an `HTTPServer`.
public struct HTTPServerConfiguration: Sendable {
    /// The IPv4 or IPv6 literal to bind; loopback by default.
    public var address: String = "127.0.0.1"
    /// The TCP port; 0 picks a free one (read it back from `HTTPServer.port`).
    public var port: UInt16 = 0
    /// When set, every path outside `publicPaths` needs `Authorization: Bearer <token>`.
    public var bearerToken: String?
    /// Paths served without the bearer token.
    public var publicPaths: Set<String> = ["/health"]
    /// Worker threads in libmicrohttpd's pool (each polls and runs the handler); 1 means a single polling thread.
    public var threads: Int = 2
    /// Most simultaneous connections.
    public var connectionLimit: Int = 64
    /// Idle connections are closed after this many seconds.
    public var connectionTimeoutSeconds: Int = 10

    /// The defaults: 127.0.0.1, an ephemeral port, no token, `/health` public.
    public init() {}

    /// Creates a configuration.
    public init(address: String = "127.0.0.1", port: UInt16 = 0, bearerToken: String? = nil,
                publicPaths: Set<String> = ["/health"]) {
        self.address = address
        self.port = port
        self.bearerToken = bearerToken
        self.publicPaths = publicPaths
    }
}

/// A small HTTP/1.1 server on libmicrohttpd for metrics, health and queries.
///
/// The handler runs on libmicrohttpd's threads, several at once, so it must be thread-safe;
/// returning nil answers 404. Before the handler, the server answers 401 (with
/// `WWW-Authenticate: Bearer`) when a token is configured and missing or wrong, except for
/// `publicPaths`, and 405 (with `Allow: GET, HEAD`) for methods other than GET and HEAD.
/// `stop()` and deinit stop the daemon and wait for its threads; do not call `stop()` from the handler.
public final class HTTPServer: Sendable {
    /// Produces the response to a request; nil means 404.
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse?

    /// The configuration given at init.
    public let configuration: HTTPServerConfiguration
    private let context: HTTPServerContext
    private let running = Mutex<(handle: MHDDaemonHandle, port: UInt16)?>(nil)

    /// Creates a stopped server; libmicrohttpd's own error messages go to `logger` at warn level when given.
    public init(configuration: HTTPServerConfiguration = HTTPServerConfiguration(), logger: Logger? = nil,
                handler: @escaping Handler) {
        self.configuration = configuration
        self.context = HTTPServerContext(configuration: configuration, logger: logger, handler: handler)
    }

    deinit { stop() }

    /// The bound port while running, else nil.
    public var port: UInt16? { running.withLock { $0?.port } }

    /// Whether the daemon is running.
    public var isRunning: Bool { running.withLock { $0 != nil } }

    /// Binds the socket and starts libmicrohttpd's threads; returns the bound port.
    @discardableResult
    public func start() throws(HTTPServerError) -> UInt16 {
        if isRunning { throw .alreadyRunning }
        let config = configuration
        let (fd, boundPort) = try ListeningSocket.open(address: config.address, port: config.port)

        // One retain for the access handler's cls, one for the logger's: the daemon handle releases
        // both after MHD_stop_daemon, when no callback can run any more.
        let handlerContext = Unmanaged.passRetained(context)
        let logContext = context.logger == nil ? nil : Unmanaged.passRetained(context)

        var flags = UInt32(MHD_USE_INTERNAL_POLLING_THREAD.rawValue) | UInt32(MHD_USE_AUTO.rawValue)
        var options: [MHD_OptionItem] = []
        if let logContext {
            flags |= UInt32(MHD_USE_ERROR_LOG.rawValue)
            // MHD_OPTION_ARRAY carries a two-argument option as (value: first, ptr_value: second).
            options.append(MHD_OptionItem(option: MHD_OPTION.EXTERNAL_LOGGER,
                                          value: unsafeBitCast(mhdLogCallback, to: Int.self),
                                          ptr_value: logContext.toOpaque()))
        }
        // Ownership of `fd` passes to the daemon here (MHD_stop_daemon closes it).
        options.append(MHD_OptionItem(option: MHD_OPTION.LISTEN_SOCKET, value: Int(fd), ptr_value: nil))
        if config.threads > 1 { // one thread: the internal polling thread alone, no pool
            options.append(MHD_OptionItem(option: MHD_OPTION.THREAD_POOL_SIZE, value: config.threads, ptr_value: nil))
        }
        options.append(MHD_OptionItem(option: MHD_OPTION.CONNECTION_LIMIT, value: max(1, config.connectionLimit), ptr_value: nil))
        options.append(MHD_OptionItem(option: MHD_OPTION.CONNECTION_TIMEOUT, value: max(0, config.connectionTimeoutSeconds), ptr_value: nil))
        options.append(MHD_OptionItem(option: MHD_OPTION.END, value: 0, ptr_value: nil))

        // MHD_start_daemon is variadic and not callable from Swift; the va_list form is.
        let daemon: OpaquePointer? = options.withUnsafeMutableBufferPointer { items in
            withVaList([MHD_OPTION.ARRAY.rawValue, items.baseAddress!, MHD_OPTION.END.rawValue]) { args in
                MHD_start_daemon_va(flags, boundPort, nil, nil, mhdAccessHandler, handlerContext.toOpaque(), args)
            }
        }
        guard let daemon else {
            handlerContext.release()
            logContext?.release()
            // MHD may or may not have closed a socket it was given when failing; closing it again could
            // close an unrelated descriptor, so a failed start may leak this one descriptor instead.
            throw .daemonStartFailed(address: config.address, port: boundPort)
        }
        let handle = MHDDaemonHandle(daemon: daemon, context: handlerContext, logContext: logContext)
        let raced = running.withLock { state -> MHDDaemonHandle? in
            if state != nil { return handle }
            state = (handle, boundPort)
            return nil
        }
        if raced != nil { throw .alreadyRunning } // the extra daemon stops as `raced` goes away
        return boundPort
    }

    /// Stops the daemon (closing the socket and joining its threads); does nothing when stopped.
    public func stop() {
        // Take the handle out under the lock, let it deinit (which blocks) outside the lock.
        let handle = running.withLock { state -> MHDDaemonHandle? in
            defer { state = nil }
            return state?.handle
        }
        _ = handle
    }
}

/// What the C callbacks need, reached through their `cls` pointer. Immutable, so shareable across MHD's threads.
final class HTTPServerContext: Sendable {
    let handler: HTTPServer.Handler
    let expectedAuthorization: [UInt8]?
    let publicPaths: Set<String>
    let logger: Logger?

    init(configuration: HTTPServerConfiguration, logger: Logger?, handler: @escaping HTTPServer.Handler) {
        self.handler = handler
        self.expectedAuthorization = configuration.bearerToken.map { Array("Bearer \($0)".utf8) }
        self.publicPaths = configuration.publicPaths
        self.logger = logger
    }

    /// The response for a request, applying the token and method rules before the handler.
    func respond(to request: HTTPRequest) -> HTTPResponse {
        if let expected = expectedAuthorization, !publicPaths.contains(request.path) {
            let given = Array((request.header("authorization") ?? "").utf8)
            if !Self.constantTimeEqual(given, expected) {
                return HTTPResponse(status: 401, body: "Unauthorized\n", headers: [("WWW-Authenticate", "Bearer")])
            }
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return HTTPResponse(status: 405, body: "Method Not Allowed\n", headers: [("Allow", "GET, HEAD")])
        }
        return handler(request) ?? HTTPResponse(status: 404, body: "Not Found\n")
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<b.count { diff |= (i < a.count ? a[i] : 0) ^ b[i] }
        return diff == 0
    }
}

/// Accumulates name/value pairs from `MHD_get_connection_values`.
private final class ValueCollector {
    var values: [String: String] = [:]
    let lowercaseKeys: Bool
    init(lowercaseKeys: Bool) { self.lowercaseKeys = lowercaseKeys }
}

private let mhdCollectValue: MHD_KeyValueIterator = { cls, _, key, value in
    guard let cls, let key else { return .YES }
    let collector = Unmanaged<ValueCollector>.fromOpaque(cls).takeUnretainedValue()
    let name = String(cString: key)
    collector.values[collector.lowercaseKeys ? name.lowercased() : name] = value.map { String(cString: $0) } ?? ""
    return .YES
}

private func connectionValues(_ connection: OpaquePointer, kind: MHD_ValueKind, lowercaseKeys: Bool) -> [String: String] {
    let collector = ValueCollector(lowercaseKeys: lowercaseKeys)
    // Unretained: `collector` outlives the synchronous iteration.
    withExtendedLifetime(collector) {
        _ = MHD_get_connection_values(connection, kind, mhdCollectValue, Unmanaged.passUnretained(collector).toOpaque())
    }
    return collector.values
}

/// The access handler: captures nothing; the server's context arrives through `cls`.
/// It answers on the first call for a request (MHD permits that; an unread upload body is then
/// discarded and the connection closed), so `req_cls` is never used.
private let mhdAccessHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, _, _, _, _ in
    guard let cls, let connection else { return .NO }
    let context = Unmanaged<HTTPServerContext>.fromOpaque(cls).takeUnretainedValue()
    let request = HTTPRequest(method: method.map { String(cString: $0) } ?? "",
                              path: url.map { String(cString: $0) } ?? "/",
                              headers: connectionValues(connection, kind: .HEADER_KIND, lowercaseKeys: true),
                              query: connectionValues(connection, kind: .GET_ARGUMENT_KIND, lowercaseKeys: false))
    let reply = context.respond(to: request)
    guard let response = MHDResponseHandle(body: reply.body) else { return .NO }
    response.addHeader("Content-Type", reply.contentType)
    for header in reply.headers where !response.addHeader(header.name, header.value) {
        context.logger?.warn("http header rejected", ["name": header.name, "path": request.path], rateLimitKey: "http-header")
    }
    // MHD_queue_response takes its own reference; ours is dropped when `response` goes out of scope.
    return MHD_queue_response(connection, UInt32(reply.status), response.pointer)
}

/// libmicrohttpd's error logger: formats the message and writes it through the server's Logger.
private let mhdLogCallback: MHD_LogCallback = { cls, format, args in
    guard let cls, let format, let args else { return }
    let context = Unmanaged<HTTPServerContext>.fromOpaque(cls).takeUnretainedValue()
    var buffer = [CChar](repeating: 0, count: 512)
    let written = Int(vsnprintf(&buffer, buffer.count, format, args))
    var text = String(decoding: buffer.prefix(min(max(0, written), buffer.count - 1)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    while text.last == "\n" { text.removeLast() }
    context.logger?.warn("libmicrohttpd", ["detail": text], rateLimitKey: "mhd:" + String(text.prefix(40)))
}
