#if canImport(Glibc)
import Glibc
#endif

/// `streamcrm run --config FILE`: the daemon.
enum RunCommand {
    static func main(_ args: [String]) throws -> Int32 {
        let parsed = try Arguments(args, command: "run")
        guard let file = parsed.value("config") else { throw UsageError("run needs --config FILE") }
        let config = try Configuration.load(file: file, overrides: parsed.values("set"))
        try config.requireForDaemon()
        try KafkaSettings(config).validate()
        let logger = Logger(level: LogLevel(name: config.string("log.level")) ?? .info)
        let stop = StopSignal()
        stop.install()
        // A reader of stderr (a pipe, a log shipper) that goes away must not kill the daemon
        // mid-checkpoint: with SIGPIPE ignored such a write just fails (log lines are best effort).
        signal(SIGPIPE, SIG_IGN)
        var options = DaemonOptions()
        options.configFile = file
        options.overrides = parsed.values("set")
        let daemon: CRMDaemon
        do {
            daemon = try CRMDaemon(configuration: config, logger: logger, stopSignal: stop, options: options)
        } catch {
            logger.error("cannot start", ["error": "\(error)"])
            return 1
        }
        do {
            return try daemon.run()
        } catch {
            logger.error("fatal", ["error": "\(error)"])
            return 1
        }
    }
}
