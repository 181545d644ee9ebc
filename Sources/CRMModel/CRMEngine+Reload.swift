/// Settings the daemon may change at run time (SIGHUP), without a restart.
public struct ReloadableEngineSettings: Sendable, Equatable {
    /// `recommend.min_interval.s` in milliseconds of event time.
    public var recommendMinInterval: Int64
    /// `recommend.exclude_bought`.
    public var excludeBought: Bool
    /// `churn.alert.threshold`.
    public var churnThreshold: Double
    /// `churn.horizon.days`.
    public var churnHorizonDays: Double
    /// `churn.emit_reactivated`.
    public var churnEmitReactivated: Bool

    public init(recommendMinInterval: Int64, excludeBought: Bool, churnThreshold: Double,
                churnHorizonDays: Double, churnEmitReactivated: Bool) {
        self.recommendMinInterval = recommendMinInterval; self.excludeBought = excludeBought
        self.churnThreshold = churnThreshold; self.churnHorizonDays = churnHorizonDays
        self.churnEmitReactivated = churnEmitReactivated
    }

    /// The settings an engine configuration holds.
    public init(_ config: EngineConfig) {
        self.init(recommendMinInterval: config.recommender.minEmitInterval, excludeBought: config.recommender.excludeBought,
                  churnThreshold: config.churnThreshold, churnHorizonDays: config.churnHorizonDays,
                  churnEmitReactivated: config.churnEmitReactivated)
    }
}

extension CRMEngine {
    /// The run-time settings in use.
    public var reloadableSettings: ReloadableEngineSettings { ReloadableEngineSettings(config) }

    /// Applies new run-time settings. When the churn threshold or horizon changed, every
    /// customer's churn timer is set again (one pass over the customers), so that a lowered
    /// threshold fires on time rather than at the old crossing time.
    public func apply(_ settings: ReloadableEngineSettings) {
        let churnChanged = settings.churnThreshold != config.churnThreshold
            || settings.churnHorizonDays != config.churnHorizonDays
        config.recommender.minEmitInterval = settings.recommendMinInterval
        config.recommender.excludeBought = settings.excludeBought
        recommender.config.minEmitInterval = settings.recommendMinInterval
        recommender.config.excludeBought = settings.excludeBought
        config.churnThreshold = settings.churnThreshold
        config.churnHorizonDays = settings.churnHorizonDays
        config.churnEmitReactivated = settings.churnEmitReactivated
        guard churnChanged else { return }
        churn.horizonDays = settings.churnHorizonDays
        for userID in customers.keys.sorted() {
            if let customer = customers[userID] { armTimer(customer, userID: userID) }
        }
    }
}
