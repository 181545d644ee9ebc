import CRMModel
import Foundation

/// `streamcrm convert --from FORMAT FILE`: a public data set → input events as JSON lines on stdout.
enum ConvertCommand {
    static func main(_ args: [String]) throws -> Int32 {
        let parsed = try Arguments(args, command: "convert")
        guard let file = parsed.positional.first, parsed.positional.count == 1 else {
            throw UsageError("convert needs exactly one FILE")
        }
        guard let name = parsed.value("from") ?? DatasetFormat.guess(fileName: file)?.rawValue else {
            throw UsageError("convert needs --from \(DatasetFormat.allCases.map(\.rawValue).joined(separator: "|"))")
        }
        guard let format = DatasetFormat(rawValue: name) else {
            throw UsageError("--from '\(name)': expected one of \(DatasetFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let encoder = EventEncoder()
        let out = BufferedOutput(fd: 1)
        var line: [UInt8] = []
        let progress = ProgressLine(label: "convert")
        let summary = try DatasetConverter(format: format).convert(fileAt: file) { event in
            line.removeAll(keepingCapacity: true)
            encoder.encode(event, into: &line)
            line.append(0x0A)
            try out.write(line)
            progress.tick()
        }
        try out.flush()
        progress.finish()
        for rejected in summary.rejected.prefix(20) {
            StandardError.write("convert: \(file):\(rejected.line): skipped: \(rejected.reason)\n")
        }
        if summary.rejectedCount > 20 {
            StandardError.write("convert: ... and \(summary.rejectedCount - 20) more skipped lines\n")
        }
        StandardError.write("convert: \(summary.eventsEmitted) events from \(summary.linesRead) lines of \(file) (\(format.rawValue)); \(summary.rejectedCount) lines skipped\n")
        return 0
    }
}
