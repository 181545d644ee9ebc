import Foundation
import Kafka

/// The `streamcrm` command line: dispatches to the subcommands.
public enum StreamCRMCommand {
    static var usage: String { CommandHelp.usage }

    /// Runs the command line and returns the process exit status.
    public static func main(_ argv: [String]) -> Int32 {
        let args = Array(argv.dropFirst())
        guard let command = args.first else {
            FileHandle.standardError.write(Data((usage + "\n").utf8))
            return 2
        }
        let rest = Array(args.dropFirst())
        if rest.contains("--help") || rest.contains("-h") {
            if let help = CommandHelp.of(command) { print(help.text, terminator: "") } else { print(usage) }
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
                let parsed = try Arguments(rest, command: "print-config")
                guard parsed.positional.isEmpty else { throw UsageError("print-config takes no arguments") }
                if parsed.flag("markdown") { print(ConfigSchema.markdownTable(), terminator: "") } else {
                    print(ConfigSchema.exampleProperties(), terminator: "")
                }
                return 0
            case "version", "--version":
                print("streamcrm \(StreamCRMInfo.version) (librdkafka \(KafkaInfo.librdkafkaVersion))")
                return 0
            case "help", "--help", "-h":
                if let name = rest.first, let help = CommandHelp.of(name) { print(help.text, terminator: "") } else { print(usage) }
                return 0
            default:
                throw UsageError("unknown command '\(command)'")
            }
        } catch let error as UsageError {
            StandardError.write("streamcrm: \(error)\n\(CommandHelp.of(command)?.text ?? usage + "\n")")
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
