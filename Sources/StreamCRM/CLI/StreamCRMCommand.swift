import Foundation
import Kafka

/// The `streamcrm` command line: dispatches to the subcommands.
public enum StreamCRMCommand {
    static let usage = """
    usage: streamcrm <command> [options]

    commands:
      run --config FILE [--set key=value]...   the daemon: consume, update models, publish
      replay [--config FILE] [--set k=v]... [--then-silence-days N] FILE...|-
                                           the same pipeline over JSON-lines files, no broker
      demo [--seed N] [--customers N] [--days N]        embedded broker + generated shop traffic + the daemon
      dev-broker [--brokers N] [--partitions N] [--bootstrap-file FILE]   a local Kafka for other processes
      produce --bootstrap B [--partitions N] [--max-ahead N --group G]... FILE|-   publish JSON-lines events keyed by user
      read-topics --bootstrap B --topics a,b [--ids] [--follow]   print a topic's messages (or output event ids)
      state-summary --state-dir DIR [--config FILE]   a comparable JSON summary of a state store
      export-model --state-dir DIR OUT_DIR     the global models of a state directory, as a new one (for model.seed)
      convert --from taobao|otto|cdnow|diginetica FILE   public data set → input events (JSON lines)
      eval-churn FILE [--cutoff YYYY-MM-DD] [--holdout-weeks N] [--set k=v]...   churn AUC and alert quality
      eval [--from taobao|otto|cdnow|diginetica] FILE [--export DIR] [--customer user|session] [--segments-only]
                                           recommendation and segment quality (issue 5's protocol), one JSON line
      check-config FILE [--set key=value]...    validate a configuration without starting
      inspect [--config FILE] USER_ID          one customer's segment, churn risk, affinities, recommendations (from the running daemon)
      print-config [--markdown]                every configuration key with its default
      version                                  print the version
    """

    /// Runs the command line and returns the process exit status.
    public static func main(_ argv: [String]) -> Int32 {
        let args = Array(argv.dropFirst())
        guard let command = args.first else {
            FileHandle.standardError.write(Data((usage + "\n").utf8))
            return 2
        }
        let rest = Array(args.dropFirst())
        if rest.contains("--help") || rest.contains("-h") {
            print(usage)
            return 0
        }
        do {
            switch command {
            case "run": return try RunCommand.main(rest)
            case "replay": return try ReplayCommand.main(rest)
            case "demo": return try DemoCommand.main(rest)
            case "dev-broker": return try DevBrokerCommand.main(rest)
            case "convert": return try ConvertCommand.main(rest)
            case "eval": return try EvalCommand.main(rest)
            case "produce": return try ProduceCommand.main(rest)
            case "read-topics": return try ReadTopicsCommand.main(rest)
            case "state-summary": return try StateSummaryCommand.main(rest)
            case "export-model": return try ExportModelCommand.main(rest)
            case "check-config": return try CheckConfigCommand.main(rest)
            case "eval-churn": return try EvalChurnCommand.main(rest)
            case "inspect": return try InspectCommand.main(rest)
            case "print-config":
                if rest.contains("--markdown") { print(ConfigSchema.markdownTable(), terminator: "") } else {
                    print(ConfigSchema.exampleProperties(), terminator: "")
                }
                return 0
            case "version", "--version":
                print("streamcrm \(StreamCRMInfo.version) (librdkafka \(KafkaInfo.librdkafkaVersion))")
                return 0
            case "help", "--help", "-h":
                print(usage)
                return 0
            default:
                throw UsageError("unknown command '\(command)'")
            }
        } catch let error as UsageError {
            StandardError.write("streamcrm: \(error)\n\(usage)\n")
            return 2
        } catch let error as ConfigError {
            StandardError.write("streamcrm: \(error)\n")
            return 78 // EX_CONFIG
        } catch {
            StandardError.write("streamcrm: \(error)\n")
            return 1
        }
    }
}

/// Writes to standard error without buffering surprises.
public enum StandardError {
    public static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
