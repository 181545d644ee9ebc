import CRMModel
import Foundation

/// `streamcrm replay FILE...`: the daemon's pipeline over JSON-lines input files, no broker.
/// Outputs go to stdout as JSON lines `{"topic":…,"key":…,"value":…}` (value null = tombstone);
/// a summary goes to stderr. The same input gives the same bytes.
enum ReplayCommand {
    static func main(_ args: [String]) throws -> Int32 {
        let parsed = try Arguments(args, command: "replay")
        guard !parsed.positional.isEmpty else { throw UsageError("replay needs FILE... (- for stdin)") }
        let config = try Configuration.load(file: parsed.value("config"), overrides: parsed.values("set"))
        let topics = TopicNames(config)
        let engine = CRMEngine(config: EngineConfig(config))
        let seed = config.string("model.seed")
        if !seed.isEmpty {
            let blobs = try ModelSeed.load(from: seed, config: engine.config)
            try engine.restoreGlobals { blobs[$0] }
        }
        let processor = EventProcessor(engine: engine, topics: topics)
        processor.configurePrivacy(config)
        var sink = JSONLinesSink(out: BufferedOutput(fd: 1), quiet: parsed.flag("quiet"))
        let progress = ProgressLine(label: "replay")
        let started = Date()
        for (fileIndex, file) in parsed.positional.enumerated() {
            let reader = try LineReader(path: file)
            var lineNumber: Int64 = 0
            // Each file is one "partition" of a pseudo topic named after the file, so dead letters
            // and output ids point at the line: topic = "replay", partition = file index, offset = line - 1.
            try reader.forEachLine { line in
                let position = SourcePosition(topic: "replay", partition: Int32(fileIndex), offset: lineNumber)
                lineNumber += 1
                if line.isEmpty { return }
                try processor.handleLine(line, at: position, sink: &sink)
                progress.tick()
            }
        }
        // End of input: event time moves to the last event (and, with --then-silence-days, that
        // many days further, as if the shop went quiet: the churn timers that silence fires).
        guard let silenceDays = Double(parsed.value("then-silence-days") ?? "0"), silenceDays >= 0, silenceDays <= 3650 else {
            throw UsageError("--then-silence-days expects a number of days in 0...3650")
        }
        if let last = processor.engine.watermark.maxEventTime {
            try processor.advance(to: last, sink: &sink)
            if silenceDays > 0 {
                // Step a day at a time so that no single move exceeds the far-future bound.
                var t = last
                let end = last + Int64(silenceDays * Double(millisecondsPerDay))
                while t < end {
                    t = min(end, t + millisecondsPerDay)
                    try processor.advance(to: t, sink: &sink)
                }
            }
        }
        try sink.out.flush()
        progress.finish()
        let c = processor.counts, s = processor.engine.stats
        let seconds = Date().timeIntervalSince(started)
        StandardError.write("""
            replay: \(c.events) events (\(s.clicks) clicks, \(s.orders) orders, \(s.cancels) cancels, \(s.refunds) refunds) \
            in \(String(format: "%.2f", seconds)) s; \(c.deadLetters) dead letters (\(c.decodeErrors) undecodable, \(c.refused) refused), \
            \(c.duplicates) duplicates, \(s.lateEvents) late\n\
            replay: outputs: \(c.recommendations) recommendations, \(c.segmentChanges) segment changes, \
            \(c.churnAlerts) churn alerts, \(c.tombstones) tombstones; \(processor.engine.customers.count) customers, \
            \(processor.engine.similarity.itemCount) items in the similarity cache\n
            """)
        return 0
    }
}

/// Writes each output as one JSON line with its topic and key.
struct JSONLinesSink: OutputSink {
    let out: BufferedOutput
    let quiet: Bool
    private var line: [UInt8] = []

    init(out: BufferedOutput, quiet: Bool) {
        self.out = out
        self.quiet = quiet
    }

    mutating func emit(topic: String, key: String, value: UnsafeRawBufferPointer?) throws {
        if quiet { return }
        line.removeAll(keepingCapacity: true)
        JSONWriter.appendRaw("{\"topic\":", to: &line)
        JSONWriter.appendString(topic, to: &line)
        JSONWriter.appendRaw(",\"key\":", to: &line)
        JSONWriter.appendString(key, to: &line)
        JSONWriter.appendRaw(",\"value\":", to: &line)
        if let value { line.append(contentsOf: value) } else { JSONWriter.appendRaw("null", to: &line) }
        JSONWriter.appendRaw("}\n", to: &line)
        try out.write(line)
    }
}
