import Crdkafka

#if canImport(Glibc)
import Glibc
#endif

/// Syslog-style severity of a librdkafka log line (librdkafka uses syslog levels 0...7).
public enum KafkaLogLevel: Int32, Sendable, Comparable, CaseIterable {
    case emergency = 0, alert, critical, error, warning, notice, info, debug

    public static func < (a: KafkaLogLevel, b: KafkaLogLevel) -> Bool { a.rawValue < b.rawValue }

    /// Short lower-case name suitable for logfmt (`level=warning`).
    public var name: String {
        switch self {
        case .emergency: "emergency"
        case .alert: "alert"
        case .critical: "critical"
        case .error: "error"
        case .warning: "warning"
        case .notice: "notice"
        case .info: "info"
        case .debug: "debug"
        }
    }
}

/// One log line from librdkafka, as handed to a `KafkaLogHandler`.
public struct KafkaLogRecord: Sendable {
    /// Severity.
    public let level: KafkaLogLevel
    /// librdkafka's facility string (e.g. `FAIL`, `BROKER`, `CGRPOP`).
    public let facility: String
    /// The message text.
    public let message: String
    /// The client instance name (`client.id` plus a serial, e.g. `rdkafka#consumer-2`).
    public let client: String
}

/// Receives librdkafka log lines.
///
/// Threading: librdkafka calls it from its own internal threads (broker threads, the main
/// thread) as well as from the thread calling poll, possibly concurrently, hence `@Sendable`.
/// It must not call back into the client that logged.
public typealias KafkaLogHandler = @Sendable (KafkaLogRecord) -> Void

/// The log sink a client's callback context carries: immutable, so librdkafka's threads may read
/// it concurrently.
struct KafkaLogSink: Sendable {
    let minimumLevel: KafkaLogLevel
    let handler: KafkaLogHandler

    /// Default: errors and worse to stderr, one line each.
    static let defaultHandler: KafkaLogHandler = { record in
        var line = "librdkafka level=\(record.level.name) facility=\(record.facility) client=\(record.client) msg=\"\(record.message)\"\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    func emit(level: Int32, facility: UnsafePointer<CChar>?, message: UnsafePointer<CChar>?,
              client: UnsafePointer<CChar>?) {
        let lvl = KafkaLogLevel(rawValue: max(0, min(7, level))) ?? .debug
        guard lvl <= minimumLevel else { return }
        handler(KafkaLogRecord(level: lvl,
                               facility: facility.map { String(cString: $0) } ?? "",
                               message: message.map { String(cString: $0) } ?? "",
                               client: client.map { String(cString: $0) } ?? ""))
    }
}
