import Foundation
import XCTest
@testable import StreamCRM

/// Failure paths: aborted and failed checkpoints, bad state directories, foreign and future files.
final class StoreFaultTests: XCTestCase {
    private struct InjectedFailure: Error {}

    private func firstCheckpoint() -> CheckpointBatch {
        var batch = CheckpointBatch()
        batch.upsertCustomer(partition: 0, userID: "alice", state: [1])
        batch.upsertCustomer(partition: 1, userID: "bob", state: [2])
        batch.setGlobal("centroids", state: [10])
        batch.setOffset(topic: "events", partition: 0, nextOffset: 100)
        batch.setOffset(topic: "events", partition: 1, nextOffset: 50)
        return batch
    }

    private func secondCheckpoint(rows: Int = 1_000) -> CheckpointBatch {
        var batch = CheckpointBatch()
        batch.upsertCustomer(partition: 0, userID: "alice", state: [99])
        batch.deleteCustomer("bob")
        for i in 0..<rows {
            batch.upsertCustomer(partition: Int32(i % 2), userID: "new-\(i)", state: [UInt8](repeating: 7, count: 64))
        }
        batch.setGlobal("centroids", state: [11])
        batch.setOffset(topic: "events", partition: 0, nextOffset: 200)
        batch.setOffset(topic: "events", partition: 1, nextOffset: 150)
        return batch
    }

    /// Asserts that exactly `firstCheckpoint()` is stored.
    private func assertFirstCheckpointIntact(_ store: StateStore, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try store.customerCount(), 2, file: file, line: line)
        XCTAssertEqual(try store.loadCustomer("alice")?.state, [1], file: file, line: line)
        XCTAssertEqual(try store.loadCustomer("bob")?.state, [2], file: file, line: line)
        XCTAssertEqual(try store.loadGlobal("centroids"), [10], file: file, line: line)
        XCTAssertEqual(try store.offsets(), [TopicPartitionKey(topic: "events", partition: 0): 100,
                                             TopicPartitionKey(topic: "events", partition: 1): 50],
                       file: file, line: line)
    }

    func testFailureBetweenStatementsRollsBackWholeCheckpoint() throws {
        for phase in [StateStore.CheckpointPhase.afterCustomers, .beforeCommit] {
            let dir = try makeStoreTempDirectory(self)
            let store = try StateStore(directory: dir)
            try store.write(firstCheckpoint())
            store.checkpointHook = { if $0 == phase { throw InjectedFailure() } }
            XCTAssertThrowsError(try store.write(secondCheckpoint())) { XCTAssertTrue($0 is InjectedFailure) }
            try assertFirstCheckpointIntact(store)
            // The store stays usable, and the same batch commits once the fault is gone.
            store.checkpointHook = nil
            try store.write(secondCheckpoint())
            XCTAssertEqual(try store.customerCount(), 1_001)
            XCTAssertEqual(try store.offsets()[TopicPartitionKey(topic: "events", partition: 1)], 150)
        }
    }

    func testADeletedOrReplacedStateDirectoryIsFatalAtTheNextCheckpoint() throws {
        // Deleted while running: the open database is unlinked; writing on would be lost at restart.
        let dir = try makeStoreTempDirectory(self)
        let store = try StateStore(directory: dir)
        try store.write(firstCheckpoint())
        try FileManager.default.removeItem(atPath: dir)
        XCTAssertThrowsError(try store.write(secondCheckpoint())) { error in
            let e = error as? StoreError
            XCTAssertEqual(e?.kind, .replaced)
            XCTAssertTrue(e?.message.contains("\(dir)/") ?? false, e?.message ?? "")
            XCTAssertTrue(e?.message.contains("removed or replaced while running") ?? false, e?.message ?? "")
        }
        // Replaced by another directory with a store of its own: also refused.
        let other = try makeStoreTempDirectory(self)
        let first = try StateStore(directory: other)
        try first.write(firstCheckpoint())
        let moved = other + ".old"
        try FileManager.default.moveItem(atPath: other, toPath: moved)
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: moved + "/" + StateStore.databaseFileName,
                                         toPath: other + "/" + StateStore.databaseFileName)
        XCTAssertThrowsError(try first.write(secondCheckpoint())) { XCTAssertEqual(($0 as? StoreError)?.kind, .replaced) }
        try? FileManager.default.removeItem(atPath: moved)
    }

    func testUncommittedTransactionIsGoneAfterConnectionDies() throws {
        // In-process stand-in for a crash: open a transaction, write, drop the connection unfinished.
        let dir = try makeStoreTempDirectory(self)
        do {
            let store = try StateStore(directory: dir)
            try store.write(firstCheckpoint())
            try store.connection.execute("""
                BEGIN IMMEDIATE;
                DELETE FROM customers;
                UPDATE offsets SET next_offset = 999;
                """, "test")
        }
        try assertFirstCheckpointIntact(try StateStore(directory: dir))
    }

    func testDiskFullIsAClearErrorAndKeepsPreviousCheckpoint() throws {
        let dir = try makeStoreTempDirectory(self)
        let store = try StateStore(directory: dir)
        try store.write(firstCheckpoint())
        let pages = try store.connection.prepare("PRAGMA page_count")
        XCTAssertTrue(try pages.step("test"))
        let current = Int(pages.int64(0))
        pages.reset()
        try store.connection.setMaxPageCount(current + 2)
        XCTAssertThrowsError(try store.write(secondCheckpoint(rows: 5_000))) { error in
            let storeError = error as? StoreError
            XCTAssertEqual(storeError?.kind, .diskFull)
            XCTAssertEqual(storeError?.path, "\(dir)/state.sqlite")
            XCTAssertEqual(storeError?.message, "disk full while checkpointing to \(dir)/state.sqlite: "
                + "database or disk is full")
        }
        try assertFirstCheckpointIntact(store)
    }

    func testMissingParentIsRefusedWithPath() {
        let path = "/nonexistent-streamcrm-parent/a/state"
        XCTAssertThrowsError(try StateStore(directory: path)) { error in
            XCTAssertEqual((error as? StoreError)?.kind, .missingParent)
            XCTAssertEqual((error as? StoreError)?.message,
                           "cannot create state directory \(path): parent directory /nonexistent-streamcrm-parent/a "
                               + "does not exist (No such file or directory)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/nonexistent-streamcrm-parent"))
    }

    func testParentThatIsARegularFileIsRefused() throws {
        // Fails for root too: no permission bit is involved.
        let dir = try makeStoreTempDirectory(self)
        let file = dir + "/plain-file"
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data([1])))
        XCTAssertThrowsError(try StateStore(directory: file + "/state")) { error in
            XCTAssertEqual((error as? StoreError)?.kind, .missingParent)
            XCTAssertEqual((error as? StoreError)?.message, "state directory \(file)/state cannot be used: "
                + "a parent path component is not a directory")
        }
        XCTAssertThrowsError(try StateStore(directory: file)) { error in
            XCTAssertEqual((error as? StoreError)?.kind, .notADirectory)
            XCTAssertEqual((error as? StoreError)?.message, "state directory \(file) exists but is not a directory")
        }
    }

    func testUnwritableDirectoryIsRefusedEvenForRoot() throws {
        // sysfs refuses new files to root as well (EACCES), so this holds in CI, which runs as root.
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: "/sys", isDirectory: &isDirectory), isDirectory.boolValue,
              !FileManager.default.createFile(atPath: "/sys/streamcrm-probe", contents: nil) else {
            throw XCTSkip("/sys is missing or writable here")
        }
        XCTAssertThrowsError(try StateStore(directory: "/sys")) { error in
            XCTAssertEqual((error as? StoreError)?.kind, .notWritable)
            let expected = geteuid() == 0
                ? "state directory /sys is not writable: cannot create /sys/state.lock: Permission denied"
                : "state directory /sys is not writable: Permission denied"
            XCTAssertEqual((error as? StoreError)?.message, expected)
        }
    }

    func testChmodReadOnlyDirectoryIsRefusedForNonRoot() throws {
        guard geteuid() != 0 else { throw XCTSkip("root ignores directory permissions; see the /sys test") }
        let dir = try makeStoreTempDirectory(self)
        XCTAssertEqual(chmod(dir, 0o555), 0)
        addTeardownBlock { chmod(dir, 0o755) }
        XCTAssertThrowsError(try StateStore(directory: dir)) { error in
            XCTAssertEqual((error as? StoreError)?.kind, .notWritable)
            XCTAssertEqual((error as? StoreError)?.message, "state directory \(dir) is not writable: Permission denied")
        }
    }

    func testWriteThroughReadOnlyStoreNamesTheDirectory() throws {
        let dir = try makeStoreTempDirectory(self)
        do { try StateStore(directory: dir).write(firstCheckpoint()) }
        let store = try StateStore(directory: dir, mode: .readOnly)
        try assertFirstCheckpointIntact(store)
        XCTAssertThrowsError(try store.write(secondCheckpoint())) { error in
            XCTAssertEqual((error as? StoreError)?.kind, .notWritable)
            XCTAssertEqual((error as? StoreError)?.path, dir)
            XCTAssertEqual((error as? StoreError)?.message,
                           "state directory \(dir) is not writable: attempt to write a readonly database")
        }
        try assertFirstCheckpointIntact(store)
    }

    func testReadOnlyOpenOfMissingStoreFails() throws {
        let dir = try makeStoreTempDirectory(self)
        XCTAssertThrowsError(try StateStore(directory: dir + "/absent", mode: .readOnly)) { error in
            XCTAssertEqual((error as? StoreError)?.message, "state directory \(dir)/absent does not exist")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/absent"))
    }

    func testFutureSchemaVersionIsRefused() throws {
        let dir = try makeStoreTempDirectory(self)
        do {
            let store = try StateStore(directory: dir)
            try store.write(firstCheckpoint())
            try store.connection.execute("UPDATE schema_version SET version = 99", "test")
        }
        let expected = "state database \(dir)/state.sqlite has schema version 99, newer than this build supports (1); "
            + "upgrade streamcrm or use another state directory"
        for mode in [StateStore.Mode.readWrite, .readOnly] {
            XCTAssertThrowsError(try StateStore(directory: dir, mode: mode)) { error in
                XCTAssertEqual((error as? StoreError)?.kind, .unsupportedSchema)
                XCTAssertEqual((error as? StoreError)?.message, expected)
            }
        }
        // The refusal changed nothing and released the directory lock: back at version 1 it opens.
        do {
            let connection = try SQLiteConnection(path: dir + "/state.sqlite", directory: dir, readOnly: false)
            try connection.execute("UPDATE schema_version SET version = 1", "test")
        }
        try assertFirstCheckpointIntact(try StateStore(directory: dir))
    }

    func testForeignFileIsRefused() throws {
        let dir = try makeStoreTempDirectory(self)
        let garbage = Data(String(repeating: "not a database ", count: 100).utf8)
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/state.sqlite", contents: garbage))
        XCTAssertThrowsError(try StateStore(directory: dir)) { error in
            XCTAssertEqual((error as? StoreError)?.kind, .corrupt)
            XCTAssertEqual((error as? StoreError)?.message,
                           "state database \(dir)/state.sqlite is corrupt or not a StreamCRM store: file is not a database")
        }
    }

    func testOtherSQLiteDatabaseIsRefused() throws {
        let dir = try makeStoreTempDirectory(self)
        do {
            let connection = try SQLiteConnection(path: dir + "/state.sqlite", directory: dir, readOnly: false)
            try connection.execute("CREATE TABLE unrelated(x)", "test")
        }
        XCTAssertThrowsError(try StateStore(directory: dir)) { error in
            XCTAssertEqual((error as? StoreError)?.kind, .corrupt)
            XCTAssertEqual((error as? StoreError)?.message, "\(dir)/state.sqlite is not a StreamCRM state database "
                + "(it has 1 table(s) but no schema_version)")
        }
    }
}
