import Crdkafka

/// librdkafka configuration: an ordered list of key/value properties (see librdkafka's
/// CONFIGURATION.md), plus the log hook.
///
/// Properties are applied in order, so a later value for the same key wins. Nothing is checked
/// until a client is created from the configuration; then an unknown key or a bad value throws a
/// `KafkaError` (`CONF_UNKNOWN` / `CONF_INVALID`) naming the key and value.
public struct KafkaConfig: Sendable {
    /// The properties in the order they were set.
    public private(set) var properties: [(key: String, value: String)]
    /// Log lines less severe than this are dropped (also passed to librdkafka as `log_level`
    /// unless `log_level` is set explicitly). Default: `.error`.
    public var logLevel: KafkaLogLevel = .error
    /// Where log lines go. Default (nil): one line per record on stderr.
    public var logHandler: KafkaLogHandler?

    /// An empty configuration, or one with the given properties in order.
    public init(_ properties: [(key: String, value: String)] = []) {
        self.properties = properties
    }

    /// An configuration from a dictionary literal, in literal order.
    public init(_ properties: KeyValuePairs<String, String>) {
        self.properties = properties.map { (key: $0.key, value: $0.value) }
    }

    /// Appends `key=value` (a later value for the same key wins when applied).
    public mutating func set(_ key: String, _ value: String) {
        properties.append((key: key, value: value))
    }

    /// The effective (last) value for `key`, or sets it. Setting nil removes every value for it.
    public subscript(key: String) -> String? {
        get { properties.last(where: { $0.key == key })?.value }
        set {
            if let newValue { set(key, newValue) } else { properties.removeAll { $0.key == key } }
        }
    }

    var logSink: KafkaLogSink {
        KafkaLogSink(minimumLevel: logLevel, handler: logHandler ?? KafkaLogSink.defaultHandler)
    }

    /// Creates an `rd_kafka_conf_t` with every property applied, or throws naming the first key
    /// librdkafka refused.
    ///
    /// Ownership: the returned conf belongs to the caller, who must hand it to `rd_kafka_new`
    /// (which takes it on success only) or `rd_kafka_conf_destroy` it. On a throw the conf has
    /// already been destroyed here.
    func makeConf() throws(KafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(code: .fail, message: "rd_kafka_conf_new failed")
        }
        do {
            if self["log_level"] == nil {
                try Self.apply(conf, "log_level", String(logLevel.rawValue))
            }
            for (key, value) in properties { try Self.apply(conf, key, value) }
        } catch {
            rd_kafka_conf_destroy(conf)
            throw error
        }
        return conf
    }

    /// Sets one property on `conf` (still owned by the caller).
    static func apply(_ conf: OpaquePointer, _ key: String, _ value: String) throws(KafkaError) {
        let size = 512
        // A temporary buffer with a constant size (passing an inout array trips exclusivity).
        let failure: KafkaError? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: size) { buf in
            buf[0] = 0
            let res = rd_kafka_conf_set(conf, key, value, buf.baseAddress, size)
            guard res != RD_KAFKA_CONF_OK else { return nil }
            return KafkaError(conf: res, key: key, value: value, errstr: String(cString: buf.baseAddress!))
        }
        if let failure { throw failure }
    }
}
