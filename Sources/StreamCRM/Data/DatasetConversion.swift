import CRMModel

/// A source line the converter refused, with the reason (for a warning on stderr).
public struct RejectedLine: Sendable, Equatable {
    /// 1-based physical line number in the file (the header, if any, is line 1).
    public var line: Int
    /// Why the line was refused, naming the field.
    public var reason: String
    /// The line's text (without its line terminator), cut to at most 200 characters.
    public var text: String

    public init(line: Int, reason: String, text: String) {
        self.line = line; self.reason = reason; self.text = text
    }
}

/// What a conversion did, without the events (returned by the sink-based API).
public struct DatasetConversionSummary: Sendable, Equatable {
    /// The format converted.
    public var format: DatasetFormat
    /// Physical lines read, header and blank lines included.
    public var linesRead: Int
    /// Events passed to the sink (or returned).
    public var eventsEmitted: Int
    /// Lines (or, for OTTO, single events of a line) refused; may exceed `rejected.count`.
    public var rejectedCount: Int
    /// The first rejections, at most `DatasetConverter.maxRejectedKept` of them, in file order.
    public var rejected: [RejectedLine]

    public init(format: DatasetFormat, linesRead: Int, eventsEmitted: Int, rejectedCount: Int,
                rejected: [RejectedLine]) {
        self.format = format; self.linesRead = linesRead; self.eventsEmitted = eventsEmitted
        self.rejectedCount = rejectedCount; self.rejected = rejected
    }
}

/// The result of converting a whole file into memory: the events in non-decreasing event-time
/// order (ties in file order) and what was refused.
public struct DatasetConversion: Sendable, Equatable {
    /// The converted events, sorted stably by `ts`.
    public var events: [ShopEvent]
    /// Counts and rejections.
    public var summary: DatasetConversionSummary

    public init(events: [ShopEvent], summary: DatasetConversionSummary) {
        self.events = events; self.summary = summary
    }
}

/// Errors that stop a conversion altogether (bad lines do not: they are rejected and counted).
public enum DatasetConverterError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened.
    case cannotOpen(path: String, reason: String)
    /// Reading the file failed part way.
    case readFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "cannot open \(path): \(reason)"
        case .readFailed(let path, let reason): return "cannot read \(path): \(reason)"
        }
    }
}
