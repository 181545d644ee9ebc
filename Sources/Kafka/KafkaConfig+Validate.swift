import Crdkafka

extension KafkaConfig {
    /// Checks every property against librdkafka without creating a client; throws naming the
    /// first key or value librdkafka refuses (`check-config`, and `run` before it starts).
    public func validate() throws(KafkaError) {
        let conf = try makeConf()
        rd_kafka_conf_destroy(conf)   // ownership: makeConf hands us the conf; nobody else takes it
    }
}
