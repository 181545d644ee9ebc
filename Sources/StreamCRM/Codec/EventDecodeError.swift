/// Why an input message was refused: the field at fault (nil for syntax errors or problems of the
/// message as a whole) and a reason a person can read. It becomes the dead letter's reason.
public struct EventDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field at fault, e.g. `ts` or `items[1].quantity`; nil when the message is not JSON.
    public var field: String?
    /// Why, e.g. "seconds mistaken for milliseconds".
    public var reason: String

    /// Creates an error.
    public init(field: String?, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// Wraps a syntax error (field nil, reason "invalid JSON at byte N: ...").
    public init(_ syntax: JSONSyntaxError) {
        self.field = nil
        self.reason = syntax.description
    }

    /// "field 'ts': seconds mistaken for milliseconds", or the bare reason when no field applies.
    public var description: String {
        if let field { return "field '\(field)': \(reason)" }
        return reason
    }
}
