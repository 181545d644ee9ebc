#if canImport(Glibc)
import Glibc
#endif
import Foundation
import CRMModel
import StreamCRM

/// Command-line front of the benchmarks.
enum BenchmarkCommand {
    static let usage = """
    usage: Benchmarks all [options]          every part; last line is the JSON summary
           Benchmarks PART[,PART...] [options]  parts: replay synthetic items checkpoint e2e latency
           Benchmarks export-taobao --taobao CSV --out FILE   the converted slice as JSON lines (River peer)
    options:
      --taobao PATH          the Taobao CSV (default ../shared/data/taobao_userbehavior_sample_96k.csv)
      --events N             Taobao replay: at least N events (default 5000000)
      --customers N          synthetic traffic: customers (default 1000000)
      --items N              synthetic traffic: items (default 100000)
      --e2e-events N         end to end: events produced (default 300000)
      --partitions N         end to end: input partitions (default 64)
      --rate N               latency: events/s (default 20000)
      --latency-seconds S    latency: duration (default 15)
      --river-eps X          the River peer's events/s (from scripts/bench_river.py), for the ratio
      --river-events N       how many Taobao events the River peer processed (for the report)
      --daemon-set key=value an extra daemon setting for the e2e and latency runs (repeatable)
    """

    static func run(_ args: [String]) throws -> Int32 {
        guard let first = args.first, first != "help", first != "--help" else { print(usage); return 0 }
        var options: [String: String] = [:]
        var daemonSets: [String] = []
        var i = 1
        while i < args.count {
            let a = args[i]
            guard a.hasPrefix("--"), i + 1 < args.count else { throw BenchError("bad argument '\(a)'\n\(usage)") }
            if a == "--daemon-set" { daemonSets.append(args[i + 1]) } else { options[String(a.dropFirst(2))] = args[i + 1] }
            i += 2
        }
        func int(_ k: String, _ d: Int) throws -> Int {
            guard let v = options[k] else { return d }
            guard let n = Int(v.replacingOccurrences(of: "_", with: "")) else { throw BenchError("--\(k) expects an integer") }
            return n
        }
        let taobao = options["taobao"] ?? "../shared/data/taobao_userbehavior_sample_96k.csv"
        if first == "export-taobao" {
            guard let out = options["out"] else { throw BenchError("export-taobao needs --out") }
            let slice = try TaobaoSlice(path: taobao)
            var batch = EncodedBatch()
            slice.encode(repetition: 0, into: &batch)
            var text: [UInt8] = []
            for i in 0..<batch.count { text += batch.bytes[batch.starts[i]..<batch.ends[i]]; text.append(10) }
            guard FileManager.default.createFile(atPath: out, contents: Data(text)) else { throw BenchError("cannot write \(out)") }
            say("exported \(batch.count) events to \(out)")
            return 0
        }
        let parts = first == "all" ? ["replay", "synthetic", "items", "checkpoint", "e2e", "latency"]
                                   : first.split(separator: ",").map(String.init)
        var summary = Summary()
        let machine = Machine.describe()
        say("machine: \(machine)")

        var taobaoEPS: Double?
        if parts.contains("replay") {
            let minEvents = try int("events", 5_000_000)
            say("== replay: Taobao slice repeated to ≥ \(grouped(minEvents)) events, one thread, discarding sink")
            let slice = try TaobaoSlice(path: taobao)
            say("  slice: \(grouped(slice.events.count)) events over \(fmt(Double(slice.span) / 86_400_000, 2)) days; repetitions shift time by that span and suffix user, event and order ids")
            let r = try replayTaobao(slice: slice, minEvents: minEvents, progress: true)
            report(r, label: "taobao")
            taobaoEPS = r.eventsPerSecondWall
            summary.replay = r.eventsPerSecondWall
        }
        var syntheticEngine: CRMEngine?
        if parts.contains("synthetic") || parts.contains("checkpoint") {
            let customers = try int("customers", 1_000_000), items = try int("items", 100_000)
            say("== synthetic traffic: \(grouped(customers)) customers (one session each, 1–9 events), \(grouped(items)) items, Zipf(1)")
            var shop = SyntheticShop(customers: customers, items: items)
            let (r, growth) = try replaySynthetic(shop: &shop, chunk: 262_144, progress: true, label: "synthetic") {
                syntheticEngine = $0.engine
            }
            report(r, label: "synthetic")
            let perCustomer = Double(growth) / Double(max(r.customers, 1))
            say("  memory: resident +\(grouped(growth)) bytes for \(grouped(r.customers)) customers and \(grouped(r.items)) items = \(fmt(perCustomer, 0)) bytes per customer (all state, items' share included)")
            summary.bytesPerCustomer = perCustomer
            summary.synthetic = r.eventsPerSecondWall
        }
        if parts.contains("checkpoint"), let engine = syntheticEngine {
            say("== checkpoint and restore of \(grouped(engine.customers.count)) customers (StateStore, one transaction)")
            let (blobs, real, encodeSeconds) = collectBlobs(engine, partitions: 64)
            syntheticEngine = nil
            let r = try checkpointAndRestore(blobs: blobs, real: real, encodeSeconds: encodeSeconds, partitions: 64)
            let kind = r.real ? "engine codec + store" : "STORE ONLY (this build has no customer codec): blobs of the estimated encoded size"
            say("  \(kind); average blob \(fmt(r.averageBlob, 0)) bytes; database \(grouped(r.databaseBytes)) bytes")
            say("  checkpoint \(fmt(r.writeSeconds, 2)) s, restore \(fmt(r.restoreSeconds, 2)) s")
            summary.restore = r.restoreSeconds
            summary.restoreStoreOnly = !r.real
        }
        syntheticEngine = nil
        if parts.contains("items") {
            let items = try int("items", 100_000)
            let customers = 10_000
            say("== item memory: \(grouped(items)) items, \(grouped(customers)) customers with 20 sessions each")
            trimHeap()
            var shop = SyntheticShop(customers: customers, items: items, sessionsPerCustomer: 20, seed: 5)
            let (r, growth) = try replaySynthetic(shop: &shop, chunk: 262_144, progress: false, label: "items")
            let customerShare = (summary.bytesPerCustomer ?? 0) * Double(r.customers)
            let perItem = (Double(growth) - customerShare) / Double(max(r.items, 1))
            say("  \(grouped(r.events)) events; resident +\(grouped(growth)) bytes; \(grouped(r.items)) items in the similarity cache")
            say("  ≈ \(fmt(perItem, 0)) bytes per item (growth less \(grouped(r.customers)) customers × bytes per customer)")
            summary.bytesPerItem = perItem
        }
        let brokers = try int("brokers", 1)
        if parts.contains("e2e") {
            let n = try int("e2e-events", 300_000), p = try int("partitions", 64)
            say("== end to end: \(grouped(n)) events into the mock cluster (\(brokers) broker(s), \(p) input partitions) while the daemon consumes")
            let r = try endToEnd(events: n, customers: 1_000_000, items: 100_000, brokers: brokers, inputPartitions: p,
                                 outputPartitions: 16, extra: daemonSets)
            say("  \(grouped(r.events)) events, \(grouped(Int(r.outputs))) outputs on the output topics after \(fmt(r.seconds, 2)) s (producing took \(fmt(r.produceSeconds, 2)) s)")
            say("  end to end: \(grouped(Int(r.eventsPerSecond))) events/s")
            summary.e2e = r.eventsPerSecond
        }
        if parts.contains("latency") {
            let rate = try int("rate", 20_000)
            let seconds = Double(try int("latency-seconds", 15))
            let settings = daemonSets.isEmpty ? "daemon defaults" : daemonSets.joined(separator: " ")
            say("== latency: steady \(grouped(rate)) events/s for \(fmt(seconds, 0)) s, produce → recommendation at a consumer (\(settings))")
            let r = try latency(rate: rate, seconds: seconds, customers: 1_000_000, items: 100_000, brokers: brokers,
                                partitions: 16, extra: daemonSets)
            say("  \(grouped(r.events)) events at \(grouped(Int(r.achievedRate))) events/s; \(grouped(r.samples)) recommendations timed")
            say("  p50 \(fmt(r.p50, 2)) ms, p99 \(fmt(r.p99, 2)) ms, p99.9 \(fmt(r.p999, 2)) ms, max \(fmt(r.max, 2)) ms")
            summary.p99 = r.p99
        }
        if let river = options["river-eps"].flatMap(Double.init), river > 0 {
            let events = options["river-events"] ?? "?"
            say("== River peer: \(fmt(river, 0)) events/s over \(events) Taobao events (scripts/bench_river.py)")
            if let t = taobaoEPS {
                summary.vsRiver = t / river
                say("  StreamCRM replay / River = \(fmt(t / river, 1))×")
            }
        }
        say(summary.json)
        return 0
    }

    static func report(_ r: ReplayResult, label: String) {
        say("  \(label): \(grouped(r.events)) events in \(fmt(Double(r.wallNs) / 1e9, 2)) s wall (\(fmt(Double(r.cpuNs) / 1e9, 2)) s thread CPU)")
        say("  \(label): \(grouped(Int(r.eventsPerSecondWall))) events/s wall, \(grouped(Int(r.eventsPerSecondCPU))) events/s per CPU-second")
        let c = r.counts
        say("  \(label): \(grouped(r.customers)) customers, \(grouped(r.items)) items; outputs \(grouped(r.outputs)) (\(grouped(c.recommendations)) recommendations, \(grouped(c.segmentChanges)) segment changes, \(grouped(c.churnAlerts)) churn alerts, \(grouped(c.deadLetters)) dead letters), \(fmt(Double(r.outputBytes) / Double(max(r.outputs, 1)), 0)) bytes each")
    }
}

/// The headline figures.
struct Summary {
    var replay: Double?
    var synthetic: Double?
    var e2e: Double?
    var p99: Double?
    var bytesPerCustomer: Double?
    var bytesPerItem: Double?
    var restore: Double?
    var restoreStoreOnly = false
    var vsRiver: Double?

    var json: String {
        func v(_ x: Double?, _ d: Int) -> String { x.map { fmt($0, d) } ?? "null" }
        return "{\"replay_events_per_s\":\(v(replay, 0)),\"e2e_events_per_s\":\(v(e2e, 0)),\"p99_ms\":\(v(p99, 2)),"
            + "\"bytes_per_customer\":\(v(bytesPerCustomer, 0)),\"restore_1m_s\":\(v(restore, 2)),\"vs_river\":\(v(vsRiver, 1))"
            + (restoreStoreOnly ? ",\"restore_store_only\":true" : "") + "}"
    }
}

/// What the machine is.
enum Machine {
    static func describe() -> String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "?"
        let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        let memKB = meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal") }
            .flatMap { $0.split(separator: " ").dropFirst().first.flatMap { Int($0) } } ?? 0
        return "\(sysconf(Int32(_SC_NPROCESSORS_ONLN))) CPUs (\(model ?? "?")), \(fmt(Double(memKB) / 1_048_576, 1)) GiB memory"
    }
}
