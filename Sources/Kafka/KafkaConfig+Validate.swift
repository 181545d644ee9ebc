import Crdkafka

extension KafkaConfig {
    /// Checks every property against librdkafka without creating a client; throws naming the
    /// first key or value librdkafka refuses (`check-config`, and `run` before it starts).
    public func validate() throws(KafkaError) {
        let conf = try makeConf()
        rd_kafka_conf_destroy(conf)   // ownership: makeConf hands us the conf; nobody else takes it
    }

    /// Also creates, and at once destroys, a client with these properties, with no brokers and no
    /// logging: librdkafka checks some properties against each other only then
    /// (`max.poll.interval.ms` ≥ `session.timeout.ms`, `fetch.max.bytes` ≥ `message.max.bytes`,
    /// values in hex or octal read as such, …). Throws with librdkafka's reason.
    ///
    /// Skipped for Kerberos (`sasl.mechanism(s)=GSSAPI`): creating the client runs the kinit
    /// command, which a check must not do.
    public func validateByCreatingClient(consumer: Bool) throws(KafkaError) {
        if (self["sasl.mechanisms"] ?? self["sasl.mechanism"])?.uppercased() == "GSSAPI" { return }
        var quiet = self
        quiet.set("bootstrap.servers", "")   // nothing to connect to
        quiet.set("log_level", "0")
        quiet["debug"] = nil                 // no debug lines from a client that does nothing
        let conf = try quiet.makeConf()
        let size = 512
        let failure: KafkaError? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: size) { buf in
            buf[0] = 0
            // Ownership: rd_kafka_new takes the conf on success (destroyed with the handle), not on failure.
            if let rk = rd_kafka_new(consumer ? RD_KAFKA_CONSUMER : RD_KAFKA_PRODUCER, conf, buf.baseAddress, size) {
                rd_kafka_destroy_flags(rk, Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE))
                return nil
            }
            rd_kafka_conf_destroy(conf)
            return KafkaError(code: .invalidArgument, message: String(cString: buf.baseAddress!), retriable: false)
        }
        if let failure { throw failure }
    }
}
