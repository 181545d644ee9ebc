/// A JSON syntax error: where in the input it was found (byte offset) and why.
///
/// `reason` is always a static literal, so throwing one does not allocate.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset in the input where the problem was detected.
    public var offset: Int
    /// A short human-readable reason, e.g. "trailing comma".
    public var reason: String

    /// Creates an error at `offset` with `reason`.
    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// The type of a JSON value, as seen by `JSONScanner`.
public enum JSONValueKind: UInt8, Sendable {
    case string, number, object, array, `true`, `false`, null

    /// A name for error messages ("a string", "null", ...).
    public var articleName: String {
        switch self {
        case .string: return "a string"
        case .number: return "a number"
        case .object: return "an object"
        case .array: return "an array"
        case .true, .false: return "a boolean"
        case .null: return "null"
        }
    }
}

/// One scanned JSON value: its kind and the byte range it occupies in the scanner's input.
///
/// For strings the range excludes the quotes. The value has already been fully validated when a
/// token is handed out; materialise it with `JSONScanner.string(_:)`, `double(_:)` and friends.
public struct JSONToken: Sendable, Equatable {
    /// What kind of value this is.
    public var kind: JSONValueKind
    /// First byte of the value (after the opening quote for strings).
    public var start: Int
    /// One past the last byte of the value (the closing quote for strings).
    public var end: Int
    /// Strings: contains at least one backslash escape. Numbers: has a fraction or exponent.
    public var flag: Bool

    /// Creates a token.
    public init(kind: JSONValueKind, start: Int, end: Int, flag: Bool) {
        self.kind = kind
        self.start = start
        self.end = end
        self.flag = flag
    }
}
