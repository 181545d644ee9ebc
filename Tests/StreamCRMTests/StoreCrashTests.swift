import Foundation
import XCTest
@testable import StreamCRM

/// A real `kill -9` of a process in the middle of (and just after) a checkpoint.
///
/// The test re-runs its own test binary as a child, selecting only `testChildCheckpointWriter`, with
/// the state directory and the crash point in the environment. The child commits checkpoint A, then
/// starts checkpoint B (50 000 customers); at the chosen point inside `write(_:)` it prints a marker and
/// blocks reading stdin. The parent waits for the marker, sends SIGKILL, and reopens the store.
/// Linux only: on macOS the test binary is a bundle loaded by `xctest`.
final class StoreCrashTests: XCTestCase {
    private static let directoryVariable = "STREAMCRM_STORE_CRASH_DIR"
    private static let phaseVariable = "STREAMCRM_STORE_CRASH_PHASE"
    private static let marker = "STORE-CHILD-READY"

    private static func checkpointA() -> CheckpointBatch {
        var batch = CheckpointBatch()
        for i in 0..<100 { batch.upsertCustomer(partition: Int32(i % 2), userID: "a-\(i)", state: [UInt8(i)]) }
        batch.setGlobal("centroids", state: [1])
        batch.setOffset(topic: "events", partition: 0, nextOffset: 50)
        batch.setOffset(topic: "events", partition: 1, nextOffset: 50)
        return batch
    }

    private static func checkpointB() -> CheckpointBatch {
        var batch = CheckpointBatch()
        for i in 0..<50_000 {
            batch.upsertCustomer(partition: Int32(i % 2), userID: "b-\(i)", state: [UInt8](repeating: 3, count: 100))
        }
        for i in 0..<10 { batch.deleteCustomer("a-\(i)") }
        batch.setGlobal("centroids", state: [2])
        batch.setOffset(topic: "events", partition: 0, nextOffset: 25_050)
        batch.setOffset(topic: "events", partition: 1, nextOffset: 25_050)
        return batch
    }

    /// The child's body; a no-op unless launched by `runChild(phase:)`.
    func testChildCheckpointWriter() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let dir = environment[Self.directoryVariable], let phaseName = environment[Self.phaseVariable] else {
            return
        }
        let phase: StateStore.CheckpointPhase = phaseName == "afterCommit" ? .afterCommit : .afterCustomers
        let store = try StateStore(directory: dir)
        try store.write(Self.checkpointA())
        store.checkpointHook = { current in
            guard current == phase else { return }
            FileHandle.standardOutput.write(Data("\n\(Self.marker)\n".utf8))
            var byte: UInt8 = 0
            _ = read(0, &byte, 1) // Blocks until the parent kills us.
        }
        try store.write(Self.checkpointB())
        XCTFail("child was not killed")
    }

    /// Runs the child up to `phase`, kills it with SIGKILL, and returns the state directory.
    private func runChild(phase: String) throws -> String {
        #if !os(Linux)
        throw XCTSkip("needs the Linux test binary")
        #else
        let dir = try makeStoreTempDirectory(self)
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["StreamCRMTests.StoreCrashTests/testChildCheckpointWriter"]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.directoryVariable] = dir
        environment[Self.phaseVariable] = phase
        child.environment = environment
        let input = Pipe(), output = Pipe()
        child.standardInput = input
        child.standardOutput = output
        child.standardError = FileHandle.nullDevice
        try child.run()
        var seen = ""
        while !seen.contains(Self.marker) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        let reachedPoint = seen.contains(Self.marker)
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        XCTAssertTrue(reachedPoint, "child never reached \(phase); output:\n\(seen)")
        XCTAssertEqual(child.terminationReason, .uncaughtSignal)
        XCTAssertEqual(child.terminationStatus, SIGKILL)
        return dir
        #endif
    }

    func testKillMidCheckpointLeavesPreviousCheckpoint() throws {
        let dir = try runChild(phase: "afterCustomers")
        let store = try StateStore(directory: dir)
        XCTAssertEqual(try store.customerCount(), 100)
        XCTAssertNil(try store.loadCustomer("b-0"))
        XCTAssertEqual(try store.loadCustomer("a-5")?.state, [5])
        XCTAssertEqual(try store.loadGlobal("centroids"), [1])
        XCTAssertEqual(try store.offsets(), [TopicPartitionKey(topic: "events", partition: 0): 50,
                                             TopicPartitionKey(topic: "events", partition: 1): 50])
    }

    func testKillJustAfterCommitKeepsTheCheckpoint() throws {
        let dir = try runChild(phase: "afterCommit")
        let store = try StateStore(directory: dir)
        XCTAssertEqual(try store.customerCount(), 50_090)
        XCTAssertNil(try store.loadCustomer("a-5"))
        XCTAssertEqual(try store.loadCustomer("a-10")?.state, [10])
        XCTAssertEqual(try store.loadCustomer("b-49999")?.state, [UInt8](repeating: 3, count: 100))
        XCTAssertEqual(try store.loadGlobal("centroids"), [2])
        XCTAssertEqual(try store.offsets(), [TopicPartitionKey(topic: "events", partition: 0): 25_050,
                                             TopicPartitionKey(topic: "events", partition: 1): 25_050])
    }
}
