import Kafka
import XCTest

/// Broker states read from a librdkafka statistics document (shape of STATISTICS.md, trimmed).
final class BrokerStatesTests: XCTestCase {
    func testCountsLearnedBrokersAndThoseUp() {
        let json = #"""
        {"name":"rdkafka#consumer-1","type":"consumer","ts":1,"brokers":{
         ":0/internal":{"name":":0/internal","nodeid":-1,"nodename":"","source":"internal","state":"UP","int_latency":{"min":0}},
         "GroupCoordinator":{"name":"GroupCoordinator","nodeid":1,"nodename":"127.0.0.1:9092","source":"logical","state":"UP"},
         "127.0.0.1:9092/bootstrap":{"name":"127.0.0.1:9092/bootstrap","nodeid":-1,"source":"configured","state":"UP"},
         "127.0.0.1:9092/1": { "name":"127.0.0.1:9092/1", "nodeid":1, "nodename":"127.0.0.1:9092", "source":"configured", "state":"UP", "toppars":{"t-0":{"topic":"t","partition":0}}},
         "127.0.0.1:9093/2":{"name":"127.0.0.1:9093/2","nodeid":2,"nodename":"127.0.0.1:9093","source":"learned","state":"CONNECT","rtt":{"min":0}},
         "127.0.0.1:9094/3":{"name":"x \"UP\" y","nodeid":3,"source":"learned","state":"DOWN"}},
        "topics":{"t":{"partitions":{"0":{"fetch_state":"active","leader":1}}}},"cgrp":{"state":"up"}}
        """#
        XCTAssertEqual(KafkaBrokerStates.parse(statistics: Array(json.utf8)), KafkaBrokerStates(up: 1, known: 3))
    }

    func testNoBrokersObjectIsUnknown() {
        XCTAssertNil(KafkaBrokerStates.parse(statistics: Array(#"{"name":"x","ts":1}"#.utf8)))
        XCTAssertEqual(KafkaBrokerStates.parse(statistics: Array(#"{"brokers":{}}"#.utf8)), KafkaBrokerStates(up: 0, known: 0))
    }
}
