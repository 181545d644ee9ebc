import CRMModel

extension ReloadableEngineSettings {
    /// The engine's run-time settings from validated configuration keys.
    init(_ c: Configuration) {
        self.init(recommendMinInterval: c.int("recommend.min_interval.s") * 1000,
                  excludeBought: c.bool("recommend.exclude_bought"),
                  churnThreshold: c.double("churn.alert.threshold"),
                  churnHorizonDays: c.double("churn.horizon.days"),
                  churnEmitReactivated: c.bool("churn.emit_reactivated"))
    }
}

/// What a SIGHUP reload changes: the reloadable keys whose value differs from the running one
/// (applied now), and every other key that differs from the value the process started with
/// (including `kafka.*`), which needs a restart.
struct ReloadPlan: Equatable {
    var applied: [String] = []
    var needRestart: [String] = []

    init(running: Configuration, started: Configuration, fresh: Configuration) {
        for key in ConfigSchema.keys {
            if key.reloadable {
                if fresh.values[key.name] != running.values[key.name] { applied.append(key.name) }
            } else if fresh.values[key.name] != started.values[key.name] {
                needRestart.append(key.name)
            }
        }
        let sides: [(String, KeyPath<Configuration, [(String, String)]>)] = [
            ("kafka.", \.kafkaCommon), ("kafka.consumer.", \.kafkaConsumer), ("kafka.producer.", \.kafkaProducer),
        ]
        for (prefix, path) in sides {
            let before = Dictionary(started[keyPath: path], uniquingKeysWith: { $1 })
            let after = Dictionary(fresh[keyPath: path], uniquingKeysWith: { $1 })
            for name in Set(before.keys).union(after.keys).sorted() where before[name] != after[name] {
                needRestart.append(prefix + name)
            }
        }
    }
}
