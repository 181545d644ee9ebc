import CRMModel
import Foundation
import XCTest
@testable import StreamCRM

/// A checkpoint-and-restore every N events, as kill -9 and restart do, changes nothing: the same
/// outputs and the same state as one uninterrupted engine (the engine-level half of
/// scripts/fault-test's kill scenario, on real data when it is there).
final class RestoreEverywhereTests: XCTestCase {
    func engineConfig() throws -> EngineConfig {
        EngineConfig(try Configuration.load(file: nil, environment: [:], overrides: [
            "time.allowed_lateness.ms=86400000", "time.max_jump.ms=315360000000",
        ]))
    }

    /// CDNOW's orders in time order (as scripts/fault-test feeds them: 18 months, so churn
    /// timers fire and the churn parameters are re-estimated between checkpoints), or the JSON
    /// lines of STREAMCRM_RESTORE_INPUT.
    func events() throws -> [ShopEvent] {
        if let path = ProcessInfo.processInfo.environment["STREAMCRM_RESTORE_INPUT"] {
            let decoder = EventDecoder()
            return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
                try Array(line.utf8).withUnsafeBytes { try decoder.decodeLine($0) }
            }
        }
        let events = try DatasetConverter(format: .cdnow).convert(fileAt: try SharedData.file(.cdnow)).events
        return events.enumerated().sorted { ($0.element.ts ?? 0, $0.offset) < ($1.element.ts ?? 0, $1.offset) }.map(\.element)
    }

    /// An output's id and what matters of it, cheaply (String(describing:) is slow in debug builds).
    func digest(_ o: ModelOutput) -> String {
        switch o {
        case .recommendation(let r): return "\(r.eventID) \(r.items.map(\.itemID)) \(r.segment)"
        case .churnAlert(let a): return "\(a.eventID) \(a.ts) \(a.risk) \(a.segment)"
        case .segmentChange(let c): return "\(c.eventID) \(c.segment) \(c.previousSegment ?? "-")"
        case .tombstone(let u): return "tombstone \(u)"
        }
    }

    func testRestoringAtEveryCheckpointChangesNothing() throws {
        let events = try events()
        let config = try engineConfig()
        func run(every: Int?) throws -> (outputs: [String], engine: CRMEngine) {
            var engine = CRMEngine(config: config)
            var stored: [String: (Int32, [UInt8])] = [:]
            var outputs: [ModelOutput] = []
            var texts: [String] = []
            for (i, e) in events.enumerated() {
                outputs.removeAll(keepingCapacity: true)
                engine.process(e, at: SourcePosition(topic: "t", partition: 0, offset: Int64(i)), into: &outputs)
                texts += outputs.map(digest)
                if let every, (i + 1) % every == 0 {
                    let dirty = engine.takeDirtyCustomers()
                    for u in dirty.changed { stored[u] = engine.encodeCustomer(u) }
                    for u in dirty.erased { stored[u.userID] = nil }
                    let globals = Dictionary(uniqueKeysWithValues: engine.encodeGlobals().map { ($0.key, $0.state) })
                    let fresh = CRMEngine(config: config)
                    try fresh.restoreGlobals { globals[$0] }
                    for (u, (p, blob)) in stored.sorted(by: { $0.key < $1.key }) {
                        try blob.withUnsafeBytes { try fresh.restoreCustomer(userID: u, partition: p, from: $0) }
                    }
                    engine = fresh
                }
            }
            return (texts, engine)
        }
        let a = try run(every: nil)
        let b = try run(every: 10_000)
        let firstDiff = zip(a.outputs, b.outputs).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        XCTAssertNil(firstDiff, firstDiff.map { "output \($0): \(a.outputs[$0]) vs \(b.outputs[$0])" } ?? "")
        XCTAssertEqual(a.outputs.count, b.outputs.count)
        XCTAssertGreaterThan(a.outputs.filter { $0.hasPrefix("churn/") }.count, 1_000, "churn alerts fired")
        XCTAssertEqual(EngineStateTestsBridge.customerBlobs(a.engine), EngineStateTestsBridge.customerBlobs(b.engine))
    }
}

/// Every customer's encoding, by id.
enum EngineStateTestsBridge {
    static func customerBlobs(_ engine: CRMEngine) -> [String: [UInt8]] {
        var blobs: [String: [UInt8]] = [:]
        for id in engine.customers.keys { blobs[id] = engine.encodeCustomer(id)!.state }
        return blobs
    }
}
