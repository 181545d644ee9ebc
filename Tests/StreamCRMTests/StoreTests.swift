import Foundation
import XCTest
import CRMModel
@testable import StreamCRM

/// A fresh, empty temporary directory removed after the test.
func makeStoreTempDirectory(_ test: XCTestCase) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("streamcrm-store-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

final class StoreTests: XCTestCase {
    private func sampleBatch() -> CheckpointBatch {
        var batch = CheckpointBatch()
        batch.upsertCustomer(partition: 0, userID: "alice", state: [1, 2, 3])
        batch.upsertCustomer(partition: 1, userID: "bob", state: [])
        batch.upsertCustomer(partition: 1, userID: "zoë", state: [0xFF, 0x00, 0x7F])
        batch.setGlobal("cooccurrence", state: [9, 8, 7, 6])
        batch.setGlobal("centroids", state: [42])
        batch.setOffset(topic: "events", partition: 0, nextOffset: 17)
        batch.setOffset(topic: "events", partition: 1, nextOffset: 4)
        batch.setOffset(topic: "control", partition: 0, nextOffset: 2)
        return batch
    }

    private func allCustomers(_ store: StateStore, _ partitions: [Int32]) throws -> [String] {
        var rows: [String] = []
        try store.loadCustomers(partitions: partitions) { partition, userID, state in
            rows.append("\(partition)/\(userID)/\(Array(state))")
        }
        return rows
    }

    func testFreshStoreIsEmptyAndCreatesDirectory() throws {
        let parent = try makeStoreTempDirectory(self)
        let dir = parent + "/state"
        let store = try StateStore(directory: dir)
        XCTAssertEqual(store.databasePath, dir + "/state.sqlite")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/state.sqlite"))
        XCTAssertEqual(try store.offsets(), [:])
        XCTAssertEqual(try store.customerCount(), 0)
        XCTAssertNil(try store.loadGlobal("cooccurrence"))
        XCTAssertEqual(try store.meta("open_count"), "1")
    }

    func testBatchRoundTripsAcrossReopen() throws {
        let dir = try makeStoreTempDirectory(self)
        do {
            let store = try StateStore(directory: dir)
            try store.write(sampleBatch())
        }
        let store = try StateStore(directory: dir)
        XCTAssertEqual(try store.meta("open_count"), "2")
        XCTAssertEqual(try store.offsets(), [
            TopicPartitionKey(topic: "events", partition: 0): 17,
            TopicPartitionKey(topic: "events", partition: 1): 4,
            TopicPartitionKey(topic: "control", partition: 0): 2,
        ])
        XCTAssertEqual(try store.customerCount(), 3)
        XCTAssertEqual(try allCustomers(store, [0]), ["0/alice/[1, 2, 3]"])
        XCTAssertEqual(try allCustomers(store, [1]).sorted(), ["1/bob/[]", "1/zoë/[255, 0, 127]"])
        XCTAssertEqual(try allCustomers(store, [2]), [])
        XCTAssertEqual(try store.loadGlobal("cooccurrence"), [9, 8, 7, 6])
        XCTAssertEqual(try store.loadGlobal("centroids"), [42])
        XCTAssertEqual(try store.loadCustomer("alice")?.partition, 0)
        XCTAssertEqual(try store.loadCustomer("alice")?.state, [1, 2, 3])
        XCTAssertNil(try store.loadCustomer("carol"))
    }

    func testSecondCheckpointUpdatesDeletesAndAdvancesOffsets() throws {
        let dir = try makeStoreTempDirectory(self)
        let store = try StateStore(directory: dir)
        try store.write(sampleBatch())
        var next = CheckpointBatch()
        next.upsertCustomer(partition: 0, userID: "alice", state: [4])
        next.deleteCustomer("bob")
        next.deleteCustomer("never-stored")
        next.setGlobal("centroids", state: [43, 44])
        next.deletedGlobals = ["cooccurrence"]
        next.setOffset(topic: "events", partition: 1, nextOffset: 9)
        try store.write(next)
        XCTAssertEqual(try store.customerCount(), 2)
        XCTAssertEqual(try store.loadCustomer("alice")?.state, [4])
        XCTAssertNil(try store.loadCustomer("bob"))
        XCTAssertEqual(try store.loadGlobal("centroids"), [43, 44])
        XCTAssertNil(try store.loadGlobal("cooccurrence"))
        XCTAssertEqual(try store.offsets()[TopicPartitionKey(topic: "events", partition: 1)], 9)
        XCTAssertEqual(try store.offsets()[TopicPartitionKey(topic: "events", partition: 0)], 17)
    }

    func testDeleteThenUpsertInOneBatchKeepsTheUpsert() throws {
        let dir = try makeStoreTempDirectory(self)
        let store = try StateStore(directory: dir)
        try store.write(sampleBatch())
        var batch = CheckpointBatch()
        batch.deleteCustomer("alice")
        batch.upsertCustomer(partition: 0, userID: "alice", state: [7])
        try store.write(batch)
        XCTAssertEqual(try store.loadCustomer("alice")?.state, [7])
    }

    func testDeleteCustomerAndDropPartitions() throws {
        let dir = try makeStoreTempDirectory(self)
        let store = try StateStore(directory: dir)
        try store.write(sampleBatch())
        XCTAssertTrue(try store.deleteCustomer("alice"))
        XCTAssertFalse(try store.deleteCustomer("alice"))
        XCTAssertEqual(try store.customerCount(), 2)
        var catalog = CheckpointBatch()
        catalog.setOffset(topic: "catalog", partition: 1, nextOffset: 40)
        try store.write(catalog)
        XCTAssertEqual(try store.dropPartitions([1], offsetsOf: ["events", "control"]), 2)
        XCTAssertEqual(try store.customerCount(), 0)
        // The catalog's offset stays (found by an attack round: a handover made the next start
        // read the whole catalog again).
        XCTAssertEqual(try store.offsets(), [TopicPartitionKey(topic: "events", partition: 0): 17,
                                             TopicPartitionKey(topic: "control", partition: 0): 2,
                                             TopicPartitionKey(topic: "catalog", partition: 1): 40])
    }

    func testStateCodableValuesSurviveTheStore() throws {
        let dir = try makeStoreTempDirectory(self)
        let store = try StateStore(directory: dir)
        let value: [String?] = ["naïve", nil, "🛒"]
        var batch = CheckpointBatch()
        batch.upsertCustomer(partition: 3, userID: "u1", state: value.encodedBytes())
        try store.write(batch)
        var decoded: [[String?]] = []
        try store.loadCustomers(partitions: [3]) { _, _, state in
            var reader = BinaryReader(state)
            decoded.append(try [String?](from: &reader))
        }
        XCTAssertEqual(decoded, [value])
    }

    func testManyRowsStreamPerPartition() throws {
        let dir = try makeStoreTempDirectory(self)
        let store = try StateStore(directory: dir)
        var batch = CheckpointBatch()
        for i in 0..<10_000 {
            batch.upsertCustomer(partition: Int32(i % 4), userID: "user-\(i)", state: [UInt8(i % 256)])
        }
        try store.write(batch)
        XCTAssertEqual(try store.customerCount(), 10_000)
        var perPartition: [Int32: Int] = [:]
        var checksum = 0
        try store.loadCustomers(partitions: [0, 2]) { partition, _, state in
            perPartition[partition, default: 0] += 1
            checksum += Int(state[0])
        }
        XCTAssertEqual(perPartition, [0: 2_500, 2: 2_500])
        let expected = (0..<10_000).filter { $0 % 4 == 0 || $0 % 4 == 2 }.reduce(0) { $0 + $1 % 256 }
        XCTAssertEqual(checksum, expected)
    }

    func testErrorInLoadBodyPropagatesAndStoreStaysUsable() throws {
        struct Stop: Error {}
        let dir = try makeStoreTempDirectory(self)
        let store = try StateStore(directory: dir)
        try store.write(sampleBatch())
        XCTAssertThrowsError(try store.loadCustomers(partitions: [1]) { _, _, _ in throw Stop() }) { error in
            XCTAssertTrue(error is Stop)
        }
        var batch = CheckpointBatch()
        batch.setOffset(topic: "events", partition: 0, nextOffset: 18)
        try store.write(batch)
        XCTAssertEqual(try store.offsets()[TopicPartitionKey(topic: "events", partition: 0)], 18)
    }

    func testWALAndSynchronousSettings() throws {
        let dir = try makeStoreTempDirectory(self)
        let store = try StateStore(directory: dir)
        let journal = try store.connection.prepare("PRAGMA journal_mode")
        XCTAssertTrue(try journal.step("test"))
        XCTAssertEqual(journal.string(0), "wal")
        let sync = try store.connection.prepare("PRAGMA synchronous")
        XCTAssertTrue(try sync.step("test"))
        XCTAssertEqual(sync.int64(0), 1) // NORMAL
        let full = try StateStore(directory: try makeStoreTempDirectory(self), durability: .powerLoss)
        let fullSync = try full.connection.prepare("PRAGMA synchronous")
        XCTAssertTrue(try fullSync.step("test"))
        XCTAssertEqual(fullSync.int64(0), 2) // FULL
    }

    func testSecondWriterOnSameDirectoryIsRefused() throws {
        let dir = try makeStoreTempDirectory(self)
        let first = try StateStore(directory: dir)
        XCTAssertThrowsError(try StateStore(directory: dir)) { error in
            let storeError = error as? StoreError
            XCTAssertEqual(storeError?.kind, .locked)
            XCTAssertEqual(storeError?.message, "state directory \(dir) is in use by another StreamCRM process "
                + "(\(dir)/state.lock is locked: Resource temporarily unavailable)")
        }
        // A read-only inspector may open it alongside the writer.
        try first.write(sampleBatch())
        let reader = try StateStore(directory: dir, mode: .readOnly)
        XCTAssertEqual(try reader.customerCount(), 3)
    }
}
