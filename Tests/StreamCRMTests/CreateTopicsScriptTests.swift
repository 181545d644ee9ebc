import Foundation
import XCTest

/// deploy/create-topics.sh names the topics as the daemon would: environment over CONFIG's keys
/// over the defaults; the changelog is `<group.id>.changelog`. kafka-topics.sh is replaced by a
/// script that prints the topic it was asked for.
final class CreateTopicsScriptTests: XCTestCase {
    func testTopicNamesComeFromEnvironmentThenConfigThenDefaults() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("create-topics-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fake = dir.appendingPathComponent("kafka-topics.sh")
        try "#!/bin/sh\nwhile [ $# -gt 0 ]; do [ \"$1\" = --topic ] && echo \"$2\"; shift; done\n"
            .write(to: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        let config = dir.appendingPathComponent("streamcrm.properties")
        try "group.id = shop-a\ntopic.orders=orders.v1\ntopic.orders: orders.v2\n# topic.catalog=ignored\n"
            .write(to: config, atomically: true, encoding: .utf8)

        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = [root.appendingPathComponent("deploy/create-topics.sh").path]
        p.environment = ["PATH": "/usr/bin:/bin", "KAFKA_TOPICS": fake.path, "CONFIG": config.path,
                         "STREAMCRM_TOPIC_SEGMENTS": "segments.from-env"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let topics = text.split(separator: "\n").filter { !$0.hasPrefix("create-topics:") }.map(String.init)
        XCTAssertEqual(topics, ["shop.clickstream", "orders.v2", "shop.catalog", "streamcrm.control",
                                "streamcrm.recommendations", "streamcrm.churn-alerts", "segments.from-env",
                                "streamcrm.dead-letter", "shop-a.changelog"])
    }
}
