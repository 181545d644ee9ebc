/// A request as the HTTP server's handler sees it.
///
/// `path` is the URL path without the query string; header names are lower-cased.
public struct HTTPRequest: Sendable, Equatable {
    /// The request method, e.g. `GET`.
    public var method: String
    /// The path, e.g. `/customers/42`.
    public var path: String
    /// Header values by lower-cased name; a repeated header keeps its last value.
    public var headers: [String: String]
    /// Query arguments by name.
    public var query: [String: String]

    /// Creates a request.
    public init(method: String, path: String, headers: [String: String] = [:], query: [String: String] = [:]) {
        self.method = method
        self.path = path
        self.headers = headers
        self.query = query
    }

    /// The value of header `name`, case-insensitively.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// A response from the HTTP server's handler.
public struct HTTPResponse: Sendable, Equatable {
    /// The status code, e.g. 200.
    public var status: Int
    /// The `Content-Type` header value.
    public var contentType: String
    /// The body bytes.
    public var body: [UInt8]
    /// Further headers, written in order.
    public var headers: [(name: String, value: String)]

    /// Creates a response with a byte body.
    public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: [UInt8],
                headers: [(name: String, value: String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    /// Creates a response with a UTF-8 text body.
    public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: String,
                headers: [(name: String, value: String)] = []) {
        self.init(status: status, contentType: contentType, body: Array(body.utf8), headers: headers)
    }

    /// A 200 response with a text body.
    public static func ok(_ body: String, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: 200, contentType: contentType, body: body)
    }

    /// A plain-text error response whose body is the status line's reason.
    public static func status(_ code: Int, _ reason: String) -> HTTPResponse {
        HTTPResponse(status: code, body: reason + "\n")
    }

    public static func == (lhs: HTTPResponse, rhs: HTTPResponse) -> Bool {
        lhs.status == rhs.status && lhs.contentType == rhs.contentType && lhs.body == rhs.body
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}
