/// One subcommand's help: its synopsis, what it does and every option it takes. Each command
/// parses its arguments with these options (``Arguments/init(_:command:)``), so the help cannot
/// list an option the command refuses or miss one it takes. `streamcrm COMMAND --help` prints it;
/// the global usage is the synopses.
public struct CommandHelp: Sendable {
    /// One option: `--name VALUE` (takes a value) or `--name` (a flag).
    public struct Option: Sendable {
        /// The name without the dashes.
        public var name: String
        /// The value's placeholder, nil for a flag.
        public var value: String?
        /// What it does, with its default.
        public var text: String
        /// Whether the command needs it (shown without brackets in the synopsis).
        public var required = false
    }

    /// The command's name.
    public var name: String
    /// Positional arguments, e.g. `FILE...|-`.
    public var arguments: String
    /// One line on what the command does.
    public var summary: String
    /// The options.
    public var options: [Option]

    /// The options that take a value.
    public var valueOptions: Set<String> { Set(options.filter { $0.value != nil }.map(\.name)) }
    /// The flags.
    public var flagOptions: Set<String> { Set(options.filter { $0.value == nil }.map(\.name)) }

    /// `name [--a A] [--b] ARGS`, for the global usage.
    public var synopsis: String {
        let opts = options.map { o in
            let text = "--\(o.name)\(o.value.map { " " + $0 } ?? "")"
            return o.required ? text : "[\(text)]"
        }
        return ([name] + opts + (arguments.isEmpty ? [] : [arguments])).joined(separator: " ")
    }

    /// The command's whole help text.
    public var text: String {
        var out = "usage: streamcrm \(synopsis)\n\n\(Self.wrap(summary, width: 100))\n"
        if !options.isEmpty {
            out += "\noptions:\n"
            let width = options.map { 2 + $0.name.count + ($0.value.map { $0.count + 1 } ?? 0) }.max() ?? 0
            for o in options {
                let head = "--\(o.name)\(o.value.map { " " + $0 } ?? "")"
                out += "  \(head.padding(toLength: width, withPad: " ", startingAt: 0))  \(o.text)\n"
            }
        }
        return out
    }

    /// `text` broken at spaces into lines of at most `width` characters.
    static func wrap(_ text: String, width: Int) -> String {
        var lines: [String] = [], line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width { lines.append(line); line = "" }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines.joined(separator: "\n")
    }

    /// The help of `name`, nil for an unknown command.
    public static func of(_ name: String) -> CommandHelp? { all.first { $0.name == name } }

    static func opt(_ name: String, _ value: String?, _ text: String) -> Option { Option(name: name, value: value, text: text) }
    static func required(_ name: String, _ value: String, _ text: String) -> Option {
        Option(name: name, value: value, text: text, required: true)
    }
    static let config = opt("config", "FILE", "a configuration file (Java-properties; default: the built-in defaults)")
    static let set = opt("set", "KEY=VALUE", "overrides one configuration key; repeatable; applied after --config")

    /// Every subcommand, in the order of the global usage.
    public static let all: [CommandHelp] = [
        CommandHelp(name: "run", arguments: "", summary: "The daemon: consume the input topics, update the models, publish the outputs.",
                    options: [required("config", "FILE", "the configuration file"), set]),
        CommandHelp(name: "replay", arguments: "FILE...|-",
                    summary: "The daemon's pipeline over JSON-lines input files, no broker: outputs as JSON lines on stdout, a summary on stderr; the same input gives the same bytes.",
                    options: [config, set,
                              opt("then-silence-days", "N", "at the end, move event time N days past the last event, so that the churn timers silence would fire do fire (default 0)"),
                              opt("quiet", nil, "print only the summary, not the outputs")]),
        CommandHelp(name: "demo", arguments: "",
                    summary: "An embedded broker, a generated shop's traffic and the daemon over it, then a summary read back from the output topics.",
                    options: [opt("seed", "N", "the traffic generator's seed (default 42)"),
                              opt("customers", "N", "customers in the generated shop (default 1500)"),
                              opt("days", "N", "days of traffic (default 120)"),
                              opt("partitions", "N", "partitions per topic (default 8)"),
                              opt("events-out", "FILE", "only write the generated traffic (catalog, then events in time order) as JSON lines, for replay"),
                              opt("verbose", nil, "the daemon logs at info (default warn)")]),
        CommandHelp(name: "dev-broker", arguments: "",
                    summary: "librdkafka's mock cluster on 127.0.0.1 for other processes, with the configured topics (and the changelog of the configured group.id) created; SIGUSR1 takes every broker down, SIGUSR2 brings them back; runs until SIGINT/SIGTERM.",
                    options: [opt("brokers", "N", "brokers in the cluster (default 3)"),
                              opt("partitions", "N", "partitions of the input topics and the changelog (default 8)"),
                              opt("output-partitions", "N", "partitions of the output topics (default: --partitions); the mock cluster keeps ~5 MB per partition"),
                              opt("bootstrap-file", "FILE", "write the bootstrap servers to FILE once the cluster is up"),
                              config, set]),
        CommandHelp(name: "produce", arguments: "FILE|-",
                    summary: "Publish JSON-lines input events to their input topics, keyed by customer, the body exactly as the line. Lines that are not input events are reported and skipped (--raw-topic sends them anyway). Partition = FNV-1a(key) mod --partitions, not Kafka's default partitioner.",
                    options: [required("bootstrap", "HOST:PORT,...", "the brokers"), config, set,
                              opt("partitions", "N", "partitions to spread customers over (default 1)"),
                              opt("max-ahead", "N", "never more than N messages ahead of any --group's committed offset on any partition (default 0: no limit)"),
                              opt("group", "G", "a consumer group to throttle against; repeatable"),
                              opt("wait-consumed", "S", "after producing, wait up to S seconds for every --group to commit the end (exit 3 on timeout)"),
                              opt("raw-topic", "TOPIC", "publish every line unchecked, without a key, to TOPIC instead (bad input on purpose: the daemon dead-letters it)"),
                              opt("quiet", nil, "no progress line")]),
        CommandHelp(name: "read-topics", arguments: "",
                    summary: "Print the messages of topics from their beginning, one line each (topic, partition, offset, key, value, tab-separated). A summary {messages, tombstones, gaps, partitions, complete} goes to stderr; gaps count offsets that were dropped before they were read (the mock cluster keeps ~5 MB per partition).",
                    options: [required("bootstrap", "HOST:PORT,...", "the brokers"),
                              required("topics", "A,B", "the topics, comma-separated"),
                              opt("ids", nil, "print each output's event_id only (dead letters: dead-letter:<topic/partition/offset>)"),
                              opt("follow", nil, "read until SIGINT/SIGTERM, then drain to the end of that moment"),
                              opt("partitions", "N", "read partitions 0..<N directly, without joining a group (starts at once)"),
                              opt("timeout", "S", "give up after S seconds (default 120); the summary then says complete: false"),
                              opt("summary", "FILE", "also write the summary to FILE")]),
        CommandHelp(name: "state-summary", arguments: "",
                    summary: "What a state directory holds (per-customer orders and totals, model digests), as comparable JSON.",
                    options: [required("state-dir", "DIR", "the state directory (opened read-only)"), config, set]),
        CommandHelp(name: "export-model", arguments: "OUT_DIR",
                    summary: "Copy a state directory's global models (no customers, offsets, clock or counters) into a new state directory, for model.seed.",
                    options: [required("state-dir", "DIR", "the state directory to read (opened read-only)")]),
        CommandHelp(name: "convert", arguments: "FILE",
                    summary: "A public data set to input events (JSON lines, time-ordered) on stdout; lines it cannot read are reported on stderr and skipped.",
                    options: [opt("from", "FORMAT", "taobao, otto, cdnow or diginetica (default: guessed from the file name)")]),
        CommandHelp(name: "eval", arguments: "FILE",
                    summary: "Recommendation and segment quality under issue 5's protocol (docs/quality.md): a summary on stderr, one JSON line on stdout.",
                    options: [opt("from", "FORMAT", "taobao, otto, cdnow or diginetica (default: FILE holds JSON-lines input events)"),
                              config, set,
                              opt("export", "DIR", "write the events, the split and the final features for scripts/eval-quality's baselines"),
                              opt("customer", "user|session", "what a customer is (default session for diginetica, else user)"),
                              opt("name", "NAME", "the data set's name in the output (default: the format, or 'events')"),
                              opt("segments-only", nil, "evaluate the segments only")]),
        CommandHelp(name: "eval-churn", arguments: "FILE|-",
                    summary: "Churn ranking (AUC) and alert quality on JSON-lines order events (CDNOW: docs/quality.md).",
                    options: [opt("cutoff", "YYYY-MM-DD", "end of the calibration period (default 1997-09-30)"),
                              opt("holdout-weeks", "N", "length of the holdout after the cut-off (default 39)"),
                              config, set]),
        CommandHelp(name: "check-config", arguments: "FILE",
                    summary: "Validate a configuration without starting (librdkafka's own checks and model.seed included); exit 78 when refused.",
                    options: [opt("config", "FILE", "the file, instead of the FILE argument"), set]),
        CommandHelp(name: "inspect", arguments: "USER_ID",
                    summary: "One customer's segment, churn risk, affinities and recommendations, from the running daemon (GET /customers/{id} at http.address:http.port, with http.token).",
                    options: [config, set]),
        CommandHelp(name: "print-config", arguments: "",
                    summary: "Every configuration key with its default and meaning, as a properties file (config/streamcrm.properties).",
                    options: [opt("markdown", nil, "as README's Markdown table instead")]),
        CommandHelp(name: "version", arguments: "", summary: "Print the version of streamcrm and of librdkafka.", options: []),
    ]

    /// The global usage: every command's synopsis.
    public static var usage: String {
        var out = "usage: streamcrm <command> [options]   (streamcrm <command> --help: the command's options)\n\ncommands:\n"
        for c in all { out += "  \(c.synopsis)\n" }
        return out
    }
}

extension Arguments {
    /// Parses `args` with the options of `command`'s help.
    public init(_ args: [String], command: String) throws(UsageError) {
        guard let help = CommandHelp.of(command) else { throw UsageError("unknown command '\(command)'") }
        try self.init(args, valueOptions: help.valueOptions, flagOptions: help.flagOptions)
    }
}
