/// Every StreamCRM configuration key, with its default and documentation.
///
/// Keys starting with `kafka.` are not listed: they pass to librdkafka unchanged (`kafka.` removed);
/// `kafka.consumer.` and `kafka.producer.` go to one side only.
public enum ConfigSchema {
    static let day: ClosedRange<Double> = 0.001...36_500
    static let positive: ClosedRange<Int64> = 1...Int64(Int32.max)

    /// All keys, in documentation order.
    public static let keys: [ConfigKey] = [
        // Topics
        ConfigKey("topic.clickstream", "shop.clickstream", .string(allowEmpty: false), "Input topic of clickstream events."),
        ConfigKey("topic.orders", "shop.orders", .string(allowEmpty: false), "Input topic of order, cancel and refund events."),
        ConfigKey("topic.catalog", "shop.catalog", .string(allowEmpty: true), "Input topic of catalog records (compacted; empty = none)."),
        ConfigKey("topic.control", "streamcrm.control", .string(allowEmpty: true), "Input topic of control commands such as forget_user (empty = none)."),
        ConfigKey("topic.recommendations", "streamcrm.recommendations", .string(allowEmpty: false), "Output topic of recommendation lists (key = user id)."),
        ConfigKey("topic.churn_alerts", "streamcrm.churn-alerts", .string(allowEmpty: false), "Output topic of churn alerts (key = user id)."),
        ConfigKey("topic.segments", "streamcrm.segments", .string(allowEmpty: false), "Output topic of segment changes (compacted, key = user id)."),
        ConfigKey("topic.dead_letter", "streamcrm.dead-letter", .string(allowEmpty: false), "Output topic of refused input with the reason."),
        ConfigKey("topic.changelog", "", .string(allowEmpty: true), "Compacted topic of checkpointed customer state, co-partitioned with the inputs, so that partitions can move between instances; one per consumer group (empty = `<group.id>.changelog`; `off` = none: state stays in the local store only)."),
        // Consumer group and state
        ConfigKey("group.id", "streamcrm", .string(allowEmpty: false), "Kafka consumer group shared by all instances."),
        ConfigKey("state.dir", "/var/lib/streamcrm", .string(allowEmpty: false), "Directory of the local state store."),
        ConfigKey("state.cleanup.delay.ms", "600000", .int(0...Int64(Int32.max)), "How long the store keeps the state of a partition another instance took over before dropping it (the changelog holds it; assigned back later, it is rebuilt from there). Only with a changelog."),
        ConfigKey("checkpoint.interval.events", "50000", .int(positive), "Checkpoint after this many input events."),
        ConfigKey("checkpoint.interval.ms", "5000", .int(positive), "Checkpoint at least this often (wall-clock milliseconds) while events flow."),
        ConfigKey("shutdown.deadline.s", "30", .int(1...3600), "Longest a graceful shutdown may take before the daemon exits non-zero."),
        // User vectors
        ConfigKey("model.weight.view", "1", .double(-100...100), "Affinity weight of a view."),
        ConfigKey("model.weight.click", "1", .double(-100...100), "Affinity weight of a click."),
        ConfigKey("model.weight.wishlist", "2", .double(-100...100), "Affinity weight of a wishlist add."),
        ConfigKey("model.weight.add_to_cart", "3", .double(-100...100), "Affinity weight of an add-to-cart."),
        ConfigKey("model.weight.remove_from_cart", "-1", .double(-100...100), "Affinity weight of a remove-from-cart."),
        ConfigKey("model.weight.order", "5", .double(-100...100), "Affinity weight of an ordered item."),
        ConfigKey("model.affinity.half_life.days", "7", .double(day), "Half-life of affinity weights, in days of event time."),
        ConfigKey("model.affinity.max_items", "50", .int(1...10_000), "Items kept per customer (smallest weights dropped)."),
        ConfigKey("model.affinity.max_categories", "20", .int(1...1_000), "Categories kept per customer."),
        // Item similarity
        ConfigKey("model.similarity.metric", "cosine", .choice(["cosine", "jaccard", "lift"]), "Item-item similarity from co-occurrence counts."),
        ConfigKey("model.similarity.history_items", "20", .int(1...1_000), "Recent items per customer that pair with a new item."),
        ConfigKey("model.similarity.window.hours", "24", .double(0.001...87_600), "Only items this recent pair with a new item."),
        ConfigKey("model.similarity.half_life.days", "7", .double(day), "Half-life of co-occurrence counts."),
        ConfigKey("model.similarity.neighbours", "20", .int(1...1_000), "Top-K neighbours kept per item."),
        ConfigKey("model.similarity.sequence_decay", "1", .double(0...1), "Pair weight decay with distance in the customer's history (1 = all pairs count 1)."),
        ConfigKey("model.similarity.min_count", "0.05", .double(0...1_000), "Decayed pair and item counts below this are pruned."),
        ConfigKey("model.popularity.half_life.hours", "168", .double(0.001...87_600), "Half-life of item popularity (recent-window popularity)."),
        ConfigKey("model.similarity.max_items", "200000", .int(10...100_000_000), "Items tracked in the similarity cache."),
        ConfigKey("model.similarity.max_pairs_per_item", "100", .int(1...100_000), "Co-occurring items kept per item."),
        // Recommendations
        ConfigKey("recommend.size", "10", .int(1...100), "Items per recommendation list."),
        ConfigKey("recommend.min_interval.s", "60", .int(0...86_400 * 365), reloadable: true, "At most one recommendation per customer per this many seconds of event time."),
        ConfigKey("recommend.exclude_bought", "true", .bool, reloadable: true, "Never recommend an item the customer already bought."),
        ConfigKey("recommend.recency_decay", "0.7", .double(0...1), "Weight of the k-th most recent item as a source: decay^k (1 = no position weighting)."),
        ConfigKey("recommend.recent_item_weight", "1", .double(0...100), "Retargeting: score of the customer's own recent items when seen items may be recommended."),
        ConfigKey("recommend.similarity_weight", "1", .double(0...100), "Blend weight of item-item similarity (affinity x similarity)."),
        ConfigKey("recommend.category_weight", "0.25", .double(0...100), "Blend weight of the customer's category affinity."),
        ConfigKey("recommend.segment_popularity_weight", "0.1", .double(0...100), "Blend weight of popularity in the customer's segment."),
        ConfigKey("recommend.global_popularity_weight", "0.05", .double(0...100), "Blend weight of global popularity."),
        ConfigKey("recommend.neighbours_per_source", "20", .int(1...1_000), "Neighbours read per source item when scoring candidates."),
        ConfigKey("recommend.category_sources", "2", .int(0...100), "The customer's strongest categories that contribute popular items as candidates."),
        ConfigKey("recommend.category_candidates", "20", .int(0...1_000), "Popular items taken from each of those categories."),
        ConfigKey("recommend.session_weight", "0.5", .double(0...100), "Blend weight of nearest-customer (session-kNN) scores."),
        ConfigKey("recommend.two_hop_weight", "0", .double(0...100), "Blend weight of two-step similarity (items similar to the strongest similar items; 0 = off)."),
        ConfigKey("recommend.two_hop_expand", "20", .int(0...1_000), "Strongest one-step candidates expanded by the two-step similarity."),
        ConfigKey("recommend.two_hop_neighbours", "20", .int(0...1_000), "Neighbours read per expanded candidate."),
        ConfigKey("recommend.similarity_popularity_exponent", "0", .double(0...2), "Similarities are read as sim(s, n) x (count(n) / count(s))^exponent; 0.5 with cosine = P(n given s) (0 = as stored)."),
        ConfigKey("recommend.triggers", "view,add_to_cart,order", .string(allowEmpty: true), "Event types that trigger a recommendation (comma-separated)."),
        // Segments
        ConfigKey("model.segments.k", "5", .int(2...64), "Number of customer segments (k of k-means)."),
        ConfigKey("model.segments.decay", "0.99999", .double(0.5...1), "Per-update decay of centroid weights (Spark StreamingKMeans' a)."),
        ConfigKey("model.segments.hysteresis", "0.1", .double(0...10), "Distance margin a customer must cross to change segment."),
        ConfigKey("model.segments.seed", "42", .int(0...Int64.max), "Seed of k-means++ initialisation."),
        // Serving a trained model
        ConfigKey("model.frozen", "false", .bool, "Serve the global models without learning: item similarity, popularity, the session index, segment centroids and names, churn parameters and the churn score stay as restored (from the state store or model.seed); customers' own state, segments, recommendations and churn timers still follow their events; session neighbours are not scored. Each customer's outputs then depend on that customer's events only, however partitions are spread or interleaved."),
        ConfigKey("model.seed", "", .string(allowEmpty: true), "A state directory (a daemon's, or one written by `streamcrm export-model`) whose global models a state directory without any starts from; its customers, offsets, clock and counters are not taken (empty = start untrained)."),
        // Churn
        ConfigKey("churn.horizon.days", "90", .double(1...3650), reloadable: true, "Churn risk = P(no order within this many days)."),
        ConfigKey("churn.alert.threshold", "0.8", .double(0.01...0.9999), reloadable: true, "Risk at which a churn alert fires."),
        ConfigKey("churn.alert.min_silence.days", "14", .double(0...3650), reloadable: false, "No churn alert before this many days without an order, whatever the risk (one-time buyers' risk is high from the start)."),
        ConfigKey("churn.refit.every_orders", "5000", .int(positive), "Re-estimate the churn model's parameters after this many orders."),
        ConfigKey("churn.emit_reactivated", "false", .bool, reloadable: true, "Emit a reactivated alert when an alerted customer orders again."),
        ConfigKey("churn.score.learn", "true", .bool, "Learn the churn score online (a logistic blend of the model risk with recency, age, frequency, span and monetary value, trained on resolved outcomes); false = the model risk alone."),
        ConfigKey("churn.score.snapshot.days", "7", .double(0.01...365), "Spacing of the churn score's training snapshots, in days of event time."),
        ConfigKey("churn.score.sample", "1", .double(0.0001...1), "Share of customers (by a hash of the id) whose snapshots train the churn score."),
        ConfigKey("churn.score.forgetting", "0.95", .double(0.001...1), "Factor on the churn score's accumulated evidence before each snapshot's update (1 = never forget)."),
        ConfigKey("churn.score.prior_precision", "1", .double(0.000001...1_000_000), "Strength of the prior that keeps the churn score at the model risk before outcomes resolve."),
        // Event time
        ConfigKey("time.allowed_lateness.ms", "5000", .int(0...Int64(86_400_000) * 365), "Watermark = largest event time seen minus this."),
        ConfigKey("time.max_jump.ms", "604800000", .int(1...Int64(86_400_000) * 3650), "Events further than this ahead of the stream's clock are dead-lettered, unless (live) they are within this of the wall clock: a stream resuming after a pause; 100 such events in a row are taken as the stream having moved."),
        ConfigKey("time.idle_advance", "false", .bool, "Advance event time with the wall clock while the stream is idle (off in replay)."),
        // Privacy
        ConfigKey("privacy.pseudonymise.key", "", .string(allowEmpty: true), "If set, customer ids are replaced by a keyed hash (HMAC-SHA256) on input. A state directory keeps the setting it was built with: turning it on, off or to another key over an existing one is refused (exit 78)."),
        ConfigKey("privacy.dead_letter.original", "auto", .choice(["auto", "keep", "omit"]), "What a dead letter carries of the refused message: keep = its bytes; omit = only its size (the source topic, partition and offset still point at it); auto = keep, or omit while privacy.pseudonymise.key is set, so that raw customer ids do not reach the dead-letter topic."),
        // Operations
        ConfigKey("http.address", "127.0.0.1", .string(allowEmpty: false), "Address the HTTP endpoint binds to."),
        ConfigKey("http.port", "9464", .int(-1...65_535), "Port of /metrics, /health, /ready and /customers (-1 = off, 0 = any)."),
        ConfigKey("http.token", "", .string(allowEmpty: true), "If set, a bearer token required by every endpoint but /health."),
        ConfigKey("ready.max_lag", "100000", .int(0...Int64.max), "/ready fails while total consumer lag is above this."),
        ConfigKey("health.max_stall.s", "30", .int(1...3600), "/health fails when the processing loop has not iterated for this many seconds."),
        ConfigKey("log.level", "info", .choice(["debug", "info", "warn", "error"]), reloadable: true, "Minimum level of log lines on stderr."),
    ]

    /// Looks a key up by name.
    public static func key(named name: String) -> ConfigKey? { byName[name] }

    private static let byName: [String: ConfigKey] = Dictionary(uniqueKeysWithValues: keys.map { ($0.name, $0) })

    /// Every key as a Markdown table (README's configuration section is this table).
    public static func markdownTable() -> String {
        var out = "| key | default | what it does |\n|---|---|---|\n"
        out += "| `kafka.*` | | passed to librdkafka unchanged without the prefix (`kafka.bootstrap.servers` is required); `kafka.consumer.*` / `kafka.producer.*` for one side only |\n"
        for key in keys {
            let def = key.defaultValue.isEmpty ? "(empty)" : "`\(key.defaultValue)`"
            out += "| `\(key.name)` | \(def) | \(key.doc)\(key.reloadable ? " SIGHUP reloads it." : "") |\n"
        }
        return out
    }

    /// The example properties file: every key with its documentation and default.
    public static func exampleProperties() -> String {
        var out = "# StreamCRM configuration (Java properties). Generated by `streamcrm print-config`.\n"
        out += "# Every key is shown with its default. Environment variables STREAMCRM_<KEY> (dots as _)\n"
        out += "# and `--set key=value` override this file.\n#\n"
        out += "# Keys starting with kafka. go to librdkafka unchanged (prefix removed); kafka.consumer.* and\n"
        out += "# kafka.producer.* go to one side only. See librdkafka's CONFIGURATION.md (TLS, SASL, ...).\n"
        out += "kafka.bootstrap.servers=localhost:9092\n"
        for key in keys {
            out += "\n# \(key.doc)\(key.reloadable ? " (SIGHUP reloads it.)" : "")\n"
            out += "\(key.name)=\(key.defaultValue)\n"
        }
        return out
    }
}
