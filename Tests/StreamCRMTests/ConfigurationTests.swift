import XCTest
@testable import StreamCRM
import CRMModel

final class ConfigurationTests: XCTestCase {
    func testPropertiesSyntax() throws {
        let text = "# comment\n! also comment\n\nkafka.bootstrap.servers = a:1,\\\n  b:2\r\nstate.dir: /tmp/x\nlog.level debug\ntopic.orders=caf\\u00e9\n"
        let entries = try PropertiesParser.parse(text, source: "t")
        XCTAssertEqual(entries.map(\.key), ["kafka.bootstrap.servers", "state.dir", "log.level", "topic.orders"])
        XCTAssertEqual(entries.map(\.value), ["a:1,b:2", "/tmp/x", "debug", "café"])
        XCTAssertEqual(entries.map(\.line), [4, 6, 7, 8])
    }

    func testDuplicateKeyInFileIsRefused() {
        XCTAssertThrowsError(try PropertiesParser.parse("a=1\na=2\n", source: "f")) { error in
            XCTAssertEqual((error as? ConfigError)?.description, "configuration key 'a' = '2': given twice in f (lines 1 and 2)")
        }
    }

    func testOverridesApplyInOrderFileThenEnvThenSet() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("s.properties").path
        try "kafka.bootstrap.servers=k:9092\nlog.level=warn\nrecommend.size=5\nkafka.consumer.fetch.min.bytes=10\n".write(toFile: file, atomically: true, encoding: .utf8)
        let config = try Configuration.load(file: file,
                                            environment: ["STREAMCRM_LOG_LEVEL": "debug", "STREAMCRM_KAFKA_SECURITY_PROTOCOL": "ssl", "PATH": "/bin"],
                                            overrides: ["recommend.size=7"])
        XCTAssertEqual(config.string("log.level"), "debug")
        XCTAssertEqual(config.int("recommend.size"), 7)
        XCTAssertEqual(config.string("topic.orders"), "shop.orders")
        XCTAssertEqual(config.kafkaCommon.map { "\($0.0)=\($0.1)" }, ["bootstrap.servers=k:9092", "security.protocol=ssl"])
        XCTAssertEqual(config.kafkaConsumer.map { "\($0.0)=\($0.1)" }, ["fetch.min.bytes=10"])
        XCTAssertEqual(config.origins["recommend.size"], "--set")
        XCTAssertEqual(config.origins["log.level"], "env STREAMCRM_LOG_LEVEL")
        XCTAssertNoThrow(try config.requireForDaemon())
    }

    func testBadValuesNameKeyValueAndWhatIsAllowed() {
        func problem(_ set: String) -> String? {
            do { _ = try Configuration.load(file: nil, environment: [:], overrides: [set]); return nil } catch { return "\(error)" }
        }
        XCTAssertEqual(problem("recommend.size=0"), "configuration key 'recommend.size' = '0': expected an integer in 1...100 (from --set)")
        XCTAssertEqual(problem("log.level=loud"), "configuration key 'log.level' = 'loud': expected one of debug, info, warn, error (from --set)")
        XCTAssertEqual(problem("recommend.exclude_bought=yes"), "configuration key 'recommend.exclude_bought' = 'yes': expected true or false (from --set)")
        XCTAssertEqual(problem("churn.horizon.days=nan"), "configuration key 'churn.horizon.days' = 'nan': expected a number in 1.0...3650.0 (from --set)")
        XCTAssertTrue(problem("recomend.size=3")!.hasPrefix("configuration key 'recomend.size' = '3': unknown key (from --set)"))
        XCTAssertEqual(problem("nokey"), "configuration key 'nokey': --set expects key=value")
    }

    func testUnknownEnvironmentVariableIsRefusedButDataDirIsNot() {
        XCTAssertThrowsError(try Configuration.load(file: nil, environment: ["STREAMCRM_NOPE": "1"]))
        XCTAssertNoThrow(try Configuration.load(file: nil, environment: ["STREAMCRM_DATA_DIR": "/x"]))
    }

    func testMissingBootstrapServersIsRefused() throws {
        let config = try Configuration.load(file: nil, environment: [:])
        XCTAssertThrowsError(try config.requireForDaemon()) { error in
            XCTAssertTrue("\(error)".contains("kafka.bootstrap.servers"))
        }
    }

    func testMissingFileNamesThePath() {
        XCTAssertThrowsError(try Configuration.load(file: "/nonexistent/x.properties", environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/x.properties"))
        }
    }

    func testEveryDefaultValidatesAgainstItsOwnKind() {
        for key in ConfigSchema.keys {
            XCTAssertNil(key.kind.validate(key.defaultValue), key.name)
        }
    }

    func testShippedExampleFileIsTheGeneratedOne() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let shipped = try String(contentsOf: root.appendingPathComponent("config/streamcrm.properties"), encoding: .utf8)
        XCTAssertEqual(shipped, ConfigSchema.exampleProperties(), "regenerate with: swift run streamcrm print-config > config/streamcrm.properties")
    }

    func testReadmeListsEveryKeyAsGenerated() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        XCTAssertTrue(readme.contains(ConfigSchema.markdownTable()), "regenerate README's table with: streamcrm print-config --markdown")
    }

    func testKafkaOverridesThatWouldBreakTheGuaranteesAreRefused() {
        func problem(_ set: String) -> String? {
            do { _ = try Configuration.load(file: nil, environment: [:], overrides: [set]); return nil } catch { return "\(error)" }
        }
        XCTAssertEqual(problem("kafka.enable.auto.commit=true"),
                       "configuration key 'kafka.enable.auto.commit' = 'true': not allowed: offsets are committed after each checkpoint; auto-commit would commit unprocessed events")
        XCTAssertNotNil(problem("kafka.consumer.group.id=other"))
        XCTAssertNotNil(problem("kafka.producer.enable.idempotence=false"))
        XCTAssertNotNil(problem("kafka.producer.acks=1"))
        XCTAssertNil(problem("kafka.producer.acks=all"))
        XCTAssertNil(problem("kafka.security.protocol=SASL_SSL"))
    }

    func testTwoStepAndConditionalSimilarityKeysReachTheRecommender() throws {
        let defaults = EngineConfig(try Configuration.load(file: nil, environment: [:])).recommender
        XCTAssertEqual(defaults.twoHopWeight, 0)
        XCTAssertEqual(defaults.twoHopExpand, 20)
        XCTAssertEqual(defaults.twoHopNeighbours, 20)
        XCTAssertEqual(defaults.similarityPopularityExponent, 0)
        let set = EngineConfig(try Configuration.load(file: nil, environment: [:], overrides: [
            "recommend.two_hop_weight=0.5", "recommend.two_hop_expand=7", "recommend.two_hop_neighbours=9",
            "recommend.similarity_popularity_exponent=0.5",
        ])).recommender
        XCTAssertEqual(set.twoHopWeight, 0.5)
        XCTAssertEqual(set.twoHopExpand, 7)
        XCTAssertEqual(set.twoHopNeighbours, 9)
        XCTAssertEqual(set.similarityPopularityExponent, 0.5)
    }
}
