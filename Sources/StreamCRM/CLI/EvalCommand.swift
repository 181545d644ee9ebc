import CRMModel
import Foundation

/// `streamcrm eval [--from FORMAT] FILE`: recommendation and segment quality under issue 5's
/// protocol (see ``QualityEvaluator``). Prints a summary on stderr and one JSON line on stdout;
/// `--export DIR` writes the events, the split and the customers' final features for the
/// baselines of `scripts/eval-quality`.
enum EvalCommand {
    static func main(_ args: [String]) throws -> Int32 {
        let parsed = try Arguments(args, command: "eval")
        guard let file = parsed.positional.first, parsed.positional.count == 1 else {
            throw UsageError("eval needs exactly one FILE (a data set with --from, or JSON-lines events)")
        }
        let config = try Configuration.load(file: parsed.value("config"), overrides: parsed.values("set"))
        var events = try load(file: file, from: parsed.value("from"))
        let format = parsed.value("from")
        let bySession = (parsed.value("customer") ?? (format == "diginetica" ? "session" : "user")) == "session"
        if bySession { events = events.map(sessionAsCustomer) }
        let name = parsed.value("name") ?? format ?? "events"
        let evaluator = QualityEvaluator(events: events, engineConfig: EngineConfig(config))
        let segmentsOnly = parsed.flag("segments-only")
        let started = Date()
        let progress = ProgressLine(label: "eval", total: events.count)
        let (report, engine) = evaluator.run(scoring: !segmentsOnly, progress: { progress.tick() })
        progress.finish()
        let seg = SegmentEvaluation(engine: engine, order: report.customerOrder,
                                    configuration: engine.kmeans.configuration)
        if let dir = parsed.value("export") {
            try EvalExport.write(events: events, split: evaluator.splitIndex, weights: evaluator.engineConfig.weights,
                                 segments: seg, to: dir)
        }
        let json = EvalJSON.line(name: name, report: report, segments: seg, scored: !segmentsOnly)
        print(json)
        StandardError.write(EvalJSON.summary(name: name, report: report, segments: seg, scored: !segmentsOnly,
                                             seconds: Date().timeIntervalSince(started)))
        return 0
    }

    /// Reads a data set through its converter, or JSON-lines input events; sorts stably by time.
    static func load(file: String, from format: String?) throws -> [ShopEvent] {
        if let format {
            guard let f = DatasetFormat(rawValue: format) else {
                throw UsageError("--from '\(format)': expected one of \(DatasetFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return try DatasetConverter(format: f).convert(fileAt: file).events
        }
        var events: [ShopEvent] = []
        let decoder = EventDecoder()
        try LineReader(path: file).forEachLine { line in
            if line.isEmpty { return }
            if let e = try? decoder.decodeLine(line) { events.append(e) }
        }
        var keyed = Array(events.enumerated())
        keyed.sort { ($0.element.ts ?? .min, $0.offset) < ($1.element.ts ?? .min, $1.offset) }
        return keyed.map(\.element)
    }

    /// A click whose session is known becomes the session's (Diginetica: the customer is the session).
    static func sessionAsCustomer(_ event: ShopEvent) -> ShopEvent {
        guard case .click(var c) = event, let s = c.sessionID else { return event }
        c.userID = s
        return .click(c)
    }
}
