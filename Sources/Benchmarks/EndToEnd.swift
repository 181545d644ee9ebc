#if canImport(Glibc)
import Glibc
#endif
import Foundation
import CRMModel
import Kafka
import StreamCRM

/// A value handed between threads whose accesses the benchmark orders itself (join, or a
/// happens-before through Kafka for the latency samples).
final class Shared<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

/// A thread that can be joined.
final class Joinable: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    init(_ body: @escaping @Sendable () -> Void) {
        let t = Thread { [done] in
            body()
            done.signal()
        }
        t.stackSize = 8 << 20
        t.start()
    }
    func join() { done.wait() }
}

/// The mock cluster with StreamCRM's topics: inputs with `inputPartitions`, outputs with
/// `outputPartitions` partitions, and the state changelog of consumer group `group`
/// (`<group>.changelog`, the daemon's default name) co-partitioned with the inputs.
func makeCluster(brokers: Int, inputPartitions: Int, outputPartitions: Int, topics: TopicNames,
                 group: String) throws -> MockCluster {
    let cluster = try MockCluster(brokers: brokers)
    for t in topics.inputs { try cluster.createTopic(name: t, partitions: inputPartitions, replicationFactor: 1) }
    try cluster.createTopic(name: group + ".changelog", partitions: inputPartitions, replicationFactor: 1)
    for t in topics.outputs { try cluster.createTopic(name: t, partitions: outputPartitions, replicationFactor: 1) }
    return cluster
}

/// Starts `streamcrm run`'s daemon on its own thread against `bootstrap`; it stops once caught up
/// (every partition at its end and nothing new for `idleSeconds`). The box holds its counts once
/// joined.
func startDaemon(bootstrap: String, stateDir: String, group: String, overrides extra: [String],
                 idleSeconds: Double) -> (Joinable, Shared<ProcessorCounts?>) {
    let counts = Shared<ProcessorCounts?>(nil)
    let thread = Joinable {
        do {
            let overrides = ["kafka.bootstrap.servers=\(bootstrap)", "state.dir=\(stateDir)", "group.id=\(group)",
                             "log.level=warn", "kafka.consumer.session.timeout.ms=6000"] + extra
            let config = try Configuration.load(file: nil, environment: [:], overrides: overrides)
            var options = DaemonOptions()
            options.stopWhenCaughtUp = true
            options.caughtUpIdleSeconds = idleSeconds
            let daemon = try CRMDaemon(configuration: config, logger: Logger(level: .warn), stopSignal: StopSignal(),
                                       options: options)
            _ = try daemon.run()
            counts.value = daemon.processor.counts
        } catch {
            FileHandleErr.write("benchmarks: daemon failed: \(error)\n")
        }
    }
    return (thread, counts)
}

/// Sum of the high watermarks of the output topics.
func outputHighWatermarks(_ reader: KafkaConsumer, topics: TopicNames, partitions: Int) -> Int64 {
    var sum: Int64 = 0
    for t in topics.outputs {
        for p in 0..<partitions {
            if let w = try? reader.watermarks(for: TopicPartition(t, Int32(p)), timeoutMs: 2000) { sum += w.high }
        }
    }
    return sum
}

func makeProducer(_ bootstrap: String, linger: String) throws -> KafkaProducer {
    try KafkaProducer(config: KafkaConfig([
        ("bootstrap.servers", bootstrap), ("linger.ms", linger), ("batch.num.messages", "10000"),
        ("queue.buffering.max.messages", "2000000"), ("queue.buffering.max.kbytes", "2000000"),
        ("enable.idempotence", "false"), ("acks", "1"),
    ]))
}

func produce(_ producer: KafkaProducer, _ batch: EncodedBatch, _ i: Int, topics: TopicNames) throws {
    var key = batch.keys[i]
    try batch.bytes.withUnsafeBytes { all in
        try key.withUTF8 { k in
            try producer.produce(topic: batch.isOrder[i] ? topics.orders : topics.clickstream,
                                 keyBuffer: UnsafeRawBufferPointer(k),
                                 valueBuffer: UnsafeRawBufferPointer(rebasing: all[batch.starts[i]..<batch.ends[i]]))
        }
    }
}

/// Produces 500 warm-up events (their own customers, event time before the measured stream) and
/// waits until `ready` (the daemon joined the group, got its partitions and produced outputs).
func warmUp(_ producer: KafkaProducer, topics: TopicNames, ready: () throws -> Bool) throws {
    var shop = SyntheticShop(customers: 100, items: 50, seed: 3, start: 1_780_271_000_000, prefix: "w")
    var warm = EncodedBatch()
    shop.fill(&warm, limit: 500, keepKeys: true)
    for i in 0..<warm.count {
        try produce(producer, warm, i, topics: topics)
    }
    try producer.flush(timeoutMs: 10_000)
    let start = wallNanos()
    while try !ready() {
        if wallNanos() - start > 60_000_000_000 { throw BenchError("the daemon produced nothing within 60 s") }
        usleep(20_000)
    }
}

struct EndToEndResult {
    var events = 0
    var seconds = 0.0
    var outputs: Int64 = 0
    var produceSeconds = 0.0
    var eventsPerSecond: Double { Double(events) / seconds }
}

/// Produces `events` synthetic events into the mock cluster while the daemon consumes them; the
/// clock runs from the first produce until the output topics hold every output the daemon made.
func endToEnd(events: Int, customers: Int, items: Int, brokers: Int, inputPartitions: Int, outputPartitions: Int,
              extra: [String]) throws -> EndToEndResult {
    let topics = TopicNames()
    var shop = SyntheticShop(customers: customers, items: items, seed: 11)
    var batch = EncodedBatch()
    shop.fill(&batch, limit: events, keepKeys: true)
    let cluster = try makeCluster(brokers: brokers, inputPartitions: inputPartitions,
                                  outputPartitions: outputPartitions, topics: topics, group: "bench-e2e")
    let bootstrap = cluster.bootstrapServers
    let stateDir = "/tmp/streamcrm-bench-e2e-\(getpid())"
    _ = try? FileManager.default.removeItem(atPath: stateDir)
    defer { _ = try? FileManager.default.removeItem(atPath: stateDir) }
    let reader = try KafkaConsumer(config: KafkaConfig([("bootstrap.servers", bootstrap), ("group.id", "bench-reader")]))
    let producer = try makeProducer(bootstrap, linger: "5")

    // Warm-up: one event, so the daemon has joined the group and been assigned every partition.
    let (daemon, counts) = startDaemon(bootstrap: bootstrap, stateDir: stateDir, group: "bench-e2e",
                                       overrides: extra, idleSeconds: 2)
    try warmUp(producer, topics: topics) {
        outputHighWatermarks(reader, topics: topics, partitions: outputPartitions) > 0
    }
    var base = outputHighWatermarks(reader, topics: topics, partitions: outputPartitions)
    while true {  // until the warm-up's outputs are all out
        usleep(300_000)
        let now = outputHighWatermarks(reader, topics: topics, partitions: outputPartitions)
        if now == base { break }
        base = now
    }

    // Produce everything on another thread while this one watches the output topics.
    let producedAt = Shared<UInt64>(0)
    let t0 = wallNanos()
    let sharedBatch = Shared(batch)
    let producerBox = Shared(producer)
    let producing = Joinable {
        do {
            for i in 0..<sharedBatch.value.count {
                try produce(producerBox.value, sharedBatch.value, i, topics: topics)
                if i & 1023 == 0 { producerBox.value.poll(timeoutMs: 0) }
            }
            try producerBox.value.flush(timeoutMs: 120_000)
        } catch {
            FileHandleErr.write("benchmarks: producer failed: \(error)\n")
        }
        producedAt.value = wallNanos()
    }
    var samples: [(UInt64, Int64)] = []
    let daemonDone = Shared(false)
    _ = Joinable {
        daemon.join()
        daemonDone.value = true
    }
    while true {
        let h = outputHighWatermarks(reader, topics: topics, partitions: outputPartitions)
        samples.append((wallNanos(), h))
        if daemonDone.value { break }
        usleep(20_000)
    }
    producing.join()
    guard let c = counts.value else { throw BenchError("the daemon did not finish") }
    let expected = Int64(c.recommendations + c.segmentChanges + c.churnAlerts + c.deadLetters
                         + c.tombstones * topics.compactedOutputs.count)
    let end = samples.first { $0.1 >= expected }?.0 ?? samples.last!.0
    var r = EndToEndResult()
    r.events = batch.count
    r.seconds = Double(end - t0) / 1e9
    r.outputs = expected - base
    r.produceSeconds = Double(producedAt.value - t0) / 1e9
    if c.events < batch.count { FileHandleErr.write("benchmarks: e2e daemon saw \(c.events) events, expected at least \(batch.count)\n") }
    return r
}

struct LatencyResult {
    var events = 0
    var samples = 0
    var achievedRate = 0.0
    var p50 = 0.0, p99 = 0.0, p999 = 0.0, max = 0.0
}

/// Produces at a steady `rate` events/s for `seconds`; for every recommendation on the output topic,
/// the time from its trigger event's produce call to its arrival at a consumer here.
func latency(rate: Int, seconds: Double, customers: Int, items: Int, brokers: Int, partitions: Int,
             extra: [String]) throws -> LatencyResult {
    let topics = TopicNames()
    let total = Int(Double(rate) * seconds)
    var shop = SyntheticShop(customers: customers, items: items, seed: 13)
    var batch = EncodedBatch()
    shop.fill(&batch, limit: total, keepKeys: true)
    let cluster = try makeCluster(brokers: brokers, inputPartitions: partitions, outputPartitions: partitions, topics: topics,
                                  group: "bench-latency")
    let bootstrap = cluster.bootstrapServers
    let stateDir = "/tmp/streamcrm-bench-lat-\(getpid())"
    _ = try? FileManager.default.removeItem(atPath: stateDir)
    defer { _ = try? FileManager.default.removeItem(atPath: stateDir) }
    let producer = try makeProducer(bootstrap, linger: "0")
    let (daemon, counts) = startDaemon(bootstrap: bootstrap, stateDir: stateDir, group: "bench-latency",
                                       overrides: extra, idleSeconds: 2)
    // The reader: every recommendation partition from the beginning, no consumer group.
    let reader = try KafkaConsumer(config: KafkaConfig([
        ("bootstrap.servers", bootstrap), ("group.id", "bench-latency-reader"), ("enable.auto.commit", "false"),
        ("fetch.wait.max.ms", "1"), ("fetch.error.backoff.ms", "1"), ("enable.partition.eof", "false"),
    ]))
    try reader.assign((0..<partitions).map { TopicPartitionOffset(topics.recommendations, Int32($0), TopicPartitionOffset.beginning) })

    // Warm-up as for the throughput run: wait for the first recommendation.
    var seen = false
    try warmUp(producer, topics: topics) {
        if case .message? = try? reader.poll(timeoutMs: 100) { seen = true }
        return seen
    }
    while case .message? = try reader.poll(timeoutMs: 500) {}  // drain the warm-up's lists

    let sent = UnsafeMutablePointer<UInt64>.allocate(capacity: batch.count)
    sent.initialize(repeating: 0, count: batch.count)
    defer { sent.deallocate() }
    let sentBox = Shared(sent)
    let sharedBatch = Shared(batch)
    let producerBox = Shared(producer)
    let finished = Shared<(UInt64, UInt64)>((0, 0))
    let producing = Joinable {
        let interval = 1_000_000_000 / UInt64(rate)
        let start = wallNanos()
        do {
            for i in 0..<sharedBatch.value.count {
                let due = start + UInt64(i) * interval
                var now = wallNanos()
                while now < due {
                    if due - now > 200_000 { usleep(UInt32((due - now) / 2000)) }
                    now = wallNanos()
                }
                sentBox.value[i] = wallNanos()
                try produce(producerBox.value, sharedBatch.value, i, topics: topics)
                producerBox.value.poll(timeoutMs: 0)
            }
            try producerBox.value.flush(timeoutMs: 60_000)
        } catch {
            FileHandleErr.write("benchmarks: producer failed: \(error)\n")
        }
        finished.value = (start, wallNanos())
    }
    var latencies: [Double] = []
    latencies.reserveCapacity(total / 2)
    let needle = Array("\"trigger\":{\"event_id\":\"e".utf8)
    var idleSince: UInt64?
    while true {
        let event = try reader.poll(timeoutMs: 50) { (m: KafkaMessageView) -> Int? in
            let arrived = wallNanos()
            guard let v = m.value, let index = parseSerial(v, after: needle) else { return nil }
            let i = index - 1
            guard i >= 0 && i < sharedBatch.value.count, sent[i] != 0 else { return nil }
            latencies.append(Double(arrived - sent[i]) / 1e6)
            return i
        }
        if event != nil { idleSince = nil; continue }
        if finished.value.1 != 0 {
            let now = wallNanos()
            if let s = idleSince { if now - s > 2_000_000_000 { break } } else { idleSince = now }
        }
    }
    producing.join()
    daemon.join()
    _ = counts
    latencies.sort()
    var r = LatencyResult()
    r.events = batch.count
    r.samples = latencies.count
    r.achievedRate = Double(batch.count) / (Double(finished.value.1 - finished.value.0) / 1e9)
    r.p50 = percentile(latencies, 50)
    r.p99 = percentile(latencies, 99)
    r.p999 = percentile(latencies, 99.9)
    r.max = latencies.last ?? .nan
    return r
}

/// The integer after `needle` in `bytes` (nil when absent).
func parseSerial(_ bytes: UnsafeRawBufferPointer, after needle: [UInt8]) -> Int? {
    let n = needle.count
    guard bytes.count > n else { return nil }
    var i = 0
    outer: while i + n < bytes.count {
        for j in 0..<n where bytes[i + j] != needle[j] { i += 1; continue outer }
        var k = i + n, v = 0, digits = 0
        while k < bytes.count, bytes[k] >= 48, bytes[k] <= 57 { v = v * 10 + Int(bytes[k] - 48); k += 1; digits += 1 }
        return digits > 0 ? v : nil
    }
    return nil
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

enum FileHandleErr {
    static func write(_ s: String) {
        var s = s
        s.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
