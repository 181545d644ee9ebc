import CRMModel
import Foundation
import Kafka
import XCTest
@testable import StreamCRM

/// The daemon end to end on the in-process mock cluster: real Kafka clients, real topics.
final class PipelineIntegrationTests: XCTestCase {
    func testOttoSessionsThroughKafkaGiveSchemaValidRecommendationsWithDerivedIds() throws {
        let events = try DatasetConverter(format: .otto).convert(fileAt: try SharedData.file(.otto)).events
        XCTAssertEqual(events.count, 862)
        let h = try DaemonHarness(partitions: 4)
        try h.produce(events: events)
        // (The sample's 10 orders span four weeks; see runDaemon on time.max_jump.ms.)
        let (daemon, status) = try h.runDaemon()
        XCTAssertEqual(status, 0)
        XCTAssertEqual(daemon.processor.counts.events, 862)
        XCTAssertEqual(daemon.processor.counts.deadLetters, 0)

        // What was produced, by position, to check that output ids name their cause.
        let inputs = try OutputReader(bootstrap: h.broker.bootstrapServers, partitions: 4).readAll(topics: h.topics.inputs)
        var eventIDAt: [String: String] = [:]
        for (_, messages) in inputs {
            for m in messages { eventIDAt["\(m.topic)/\(m.partition)/\(m.offset)"] = m.json?["event_id"] as? String }
        }
        XCTAssertEqual(eventIDAt.count, 862)

        let outputs = try h.outputs()
        let recs = outputs[h.topics.recommendations, default: []]
        XCTAssertGreaterThan(recs.count, 20)
        var ids = Set<String>()
        var users = Set<String>()
        for m in recs {
            let r = try XCTUnwrap(m.json, "recommendation is not JSON")
            let id = try XCTUnwrap(r["event_id"] as? String)
            XCTAssertTrue(ids.insert(id).inserted, "duplicate id \(id)")
            let user = try XCTUnwrap(r["user_id"] as? String)
            XCTAssertEqual(m.keyText, user)
            users.insert(user)
            XCTAssertNotNil(r["ts"] as? Int)
            XCTAssertNotNil(r["segment"] as? String)
            let trigger = try XCTUnwrap(r["trigger"] as? [String: Any])
            let triggerID = try XCTUnwrap(trigger["event_id"] as? String)
            XCTAssertTrue(["view", "add_to_cart", "order"].contains(trigger["type"] as? String ?? ""))
            // id = source topic / partition / offset / kind, and that position holds the trigger.
            XCTAssertTrue(id.hasSuffix("/recommendation"), id)
            let cause = String(id.dropLast("/recommendation".count))
            XCTAssertEqual(eventIDAt[cause], triggerID, "output \(id) does not name its trigger's position")
            let items = try XCTUnwrap(r["items"] as? [[String: Any]])
            XCTAssertFalse(items.isEmpty)
            for item in items {
                XCTAssertNotNil(item["item_id"] as? String)
                XCTAssertNotNil(item["score"] as? Double ?? (item["score"] as? Int).map(Double.init))
                XCTAssertFalse((item["reason"] as? String ?? "").isEmpty)
            }
        }
        // Every session that viewed or carted something got a recommendation.
        let active = Set(events.compactMap { e -> String? in
            if case .click(let c) = e, c.type == .view || c.type == .addToCart { return c.userID }
            return nil
        })
        XCTAssertEqual(users, active)
        // Some recommendation was driven by co-occurrence, not only popularity.
        let reasons = recs.compactMap { $0.json?["items"] as? [[String: Any]] }.flatMap { $0 }.compactMap { $0["reason"] as? String }
        XCTAssertTrue(reasons.contains { $0.contains("together with") }, "no co-occurrence reason among \(reasons.count)")
    }

    func testSameInputOnOnePartitionGivesByteIdenticalOutputs() throws {
        // One topic with one partition: the consumer sees one fixed order, so two daemons in two
        // groups with two state directories must publish the same bytes.
        let clicks = try DatasetConverter(format: .otto).convert(fileAt: try SharedData.file(.otto)).events.filter {
            if case .click = $0 { return true } else { return false }
        }
        let h = try DaemonHarness(partitions: 1)
        try h.produce(events: clicks)
        let dirA = h.stateDir + "-a", dirB = h.stateDir + "-b"
        defer { for d in [dirA, dirB] { try? FileManager.default.removeItem(atPath: d) } }
        XCTAssertEqual(try h.runDaemon(group: "first", stateDir: dirA).1, 0)
        XCTAssertEqual(try h.runDaemon(group: "second", stateDir: dirB).1, 0)
        let outputs = try h.outputs()
        // Outputs are at-least-once (a group rebalance under load re-processes from the last
        // checkpoint and re-emits the same ids), so the runs are compared by output id: every id
        // was published by both runs (at least twice in all), and every copy has the same bytes.
        for topic in [h.topics.recommendations, h.topics.segments] {
            var copies: [String: [String]] = [:]
            var order: [String] = []
            for m in outputs[topic, default: []] {
                let text = "\(m.keyText ?? "") \(String(decoding: m.value ?? [], as: UTF8.self))"
                let id = try XCTUnwrap(m.json?["event_id"] as? String, "\(topic): output without event_id: \(text)")
                if copies[id] == nil { order.append(id) }
                copies[id, default: []].append(text)
            }
            XCTAssertGreaterThan(order.count, 0, topic)
            for id in order {
                let texts = copies[id]!
                XCTAssertGreaterThanOrEqual(texts.count, 2, "\(topic) \(id) was published by one run only")
                if let other = texts.first(where: { $0 != texts[0] }) {
                    XCTFail("\(topic) \(id) differs between runs:\n\(texts[0])\n\(other)")
                }
            }
        }
    }

    func testMalformedMessagesGoToDeadLetterAndThePartitionMovesOn() throws {
        let h = try DaemonHarness(partitions: 1)
        let good1 = #"{"event_id":"c1","type":"view","user_id":"u1","item_id":"i1","ts":1764755200000}"#
        let broken = #"{"event_id":"c2","type":"view","user_id":"u2","item_id":"i1","ts":1764755201000"#
        let good2 = #"{"event_id":"c3","type":"view","user_id":"u2","item_id":"i1","ts":1764755202000}"#
        let missing = #"{"event_id":"c4","type":"view","user_id":"u3","ts":1764755203000}"#
        let good3 = #"{"event_id":"c5","type":"add_to_cart","user_id":"u3","item_id":"i2","ts":1764755204000}"#
        try h.produce([good1, broken, good2, missing, good3].map { (topic: h.topics.clickstream, key: "k", value: Array($0.utf8)) })
        let (daemon, status) = try h.runDaemon()
        XCTAssertEqual(status, 0)
        let outputs = try h.outputs()
        let dead = outputs[h.topics.deadLetter, default: []].compactMap(\.json)
        XCTAssertEqual(dead.count, 2)
        XCTAssertEqual(dead.map { ($0["source"] as? [String: Any])?["offset"] as? Int }, [1, 3])
        XCTAssertEqual(dead.map { ($0["source"] as? [String: Any])?["topic"] as? String }, [h.topics.clickstream, h.topics.clickstream])
        XCTAssertTrue((dead[0]["reason"] as? String ?? "").contains("invalid JSON"), "\(dead[0])")
        XCTAssertTrue((dead[1]["reason"] as? String ?? "").contains("item_id"), "\(dead[1])")
        XCTAssertEqual(dead[0]["original"] as? String, broken)
        // The good events around them were processed (u1 and u2 only saw the one popular item,
        // so their lists are empty and not emitted; u3, after carting i2, is offered i1).
        XCTAssertEqual(daemon.processor.counts.decodeErrors, 2)
        XCTAssertEqual(daemon.processor.engine.stats.clicks, 3)
        let recs = outputs[h.topics.recommendations, default: []].compactMap(\.json)
        XCTAssertEqual(recs.map { $0["user_id"] as? String }, ["u3"])
        XCTAssertEqual(((recs.first?["items"] as? [[String: Any]])?.first)?["item_id"] as? String, "i1")
    }
}
