/// A customer summary with a weight (how many customers share it).
public struct WeightedCustomerSummary: Sendable, Codable, Equatable {
    /// The summary (weeks).
    public var summary: CustomerSummary
    /// The number of customers it stands for (> 0).
    public var weight: Double
    /// - Parameters:
    ///   - summary: the summary (no default).
    ///   - weight: multiplicity (default 1).
    public init(summary: CustomerSummary, weight: Double = 1) {
        self.summary = summary; self.weight = weight
    }
}

/// The live customer summaries the churn parameters are re-estimated from, aggregated into
/// buckets so that a fit costs O(distinct buckets), not O(customers), and needs no pass over raw
/// history: the pipeline calls `remove` with a customer's previous (orders, first, last) and
/// `add` with the new one whenever an order (or a cancel) changes it.
///
/// A bucket is (repeat purchases, first-order bucket, last-order bucket), times floored to
/// `bucketDays`; `summaries(at:)` turns them into (x, tx, T) in weeks at an observation time and
/// merges buckets with equal (x, tx, T).
public struct ChurnSummaryBuckets: Sendable, Codable, Equatable {
    /// Bucket key: repeat purchases and first/last order time in buckets of `bucketDays`.
    public struct Key: Sendable, Codable, Hashable, Comparable {
        /// Repeat purchases (orders − 1).
        public var repeats: Int
        /// First-order time, in buckets since the epoch.
        public var first: Int64
        /// Last-order time, in buckets since the epoch (= first when repeats = 0).
        public var last: Int64
        /// Orders by (repeats, first, last).
        public static func < (l: Key, r: Key) -> Bool {
            (l.repeats, l.first, l.last) < (r.repeats, r.first, r.last)
        }
    }

    /// Bucket width in days (default 1).
    public let bucketDays: Int64
    /// Customer count per bucket.
    public private(set) var counts: [Key: Double] = [:]
    /// Total number of customers held.
    public private(set) var totalCustomers: Double = 0

    /// - Parameter bucketDays: time resolution of the buckets in days (default 1; ≥ 1).
    public init(bucketDays: Int64 = 1) {
        self.bucketDays = Swift.max(1, bucketDays)
    }

    private var bucketMs: Int64 { bucketDays * millisecondsPerDay }

    private func bucket(_ t: EventTime) -> Int64 {
        // Floor division, also for times before the epoch.
        t >= 0 ? t / bucketMs : -((-t + bucketMs - 1) / bucketMs)
    }

    private func key(orders: Int, firstOrderAt: EventTime, lastOrderAt: EventTime) -> Key {
        let repeats = Swift.max(0, orders - 1)
        let f = bucket(firstOrderAt)
        return Key(repeats: repeats, first: f, last: repeats == 0 ? f : Swift.max(f, bucket(lastOrderAt)))
    }

    /// Adds one customer (call with their new state after an order).
    /// - Parameters:
    ///   - orders: orders including the first (≥ 1; customers without orders are not held).
    ///   - firstOrderAt: first order time.
    ///   - lastOrderAt: latest order time.
    public mutating func add(orders: Int, firstOrderAt: EventTime, lastOrderAt: EventTime) {
        guard orders >= 1 else { return }
        counts[key(orders: orders, firstOrderAt: firstOrderAt, lastOrderAt: lastOrderAt), default: 0] += 1
        totalCustomers += 1
    }

    /// Removes one customer previously added with the same arguments (before re-adding them with
    /// their new state, or when they are forgotten). Removing an absent customer is a no-op.
    public mutating func remove(orders: Int, firstOrderAt: EventTime, lastOrderAt: EventTime) {
        guard orders >= 1 else { return }
        let k = key(orders: orders, firstOrderAt: firstOrderAt, lastOrderAt: lastOrderAt)
        guard let c = counts[k] else { return }
        if c <= 1 { counts[k] = nil } else { counts[k] = c - 1 }
        totalCustomers -= 1
    }

    /// The weighted summaries at observation time `now`, in weeks, merged and in a deterministic
    /// order (by x, tx, T). Customers whose first order is after `now` are skipped.
    public func summaries(at now: EventTime) -> [WeightedCustomerSummary] {
        let nowBucket = bucket(now)
        var merged: [CustomerSummary: Double] = [:]
        let weeksPerBucket = Double(bucketDays) / 7
        for (k, c) in counts where k.first <= nowBucket {
            let s = CustomerSummary(x: Double(k.repeats),
                                    tx: Double(k.last - k.first) * weeksPerBucket,
                                    T: Double(Swift.max(nowBucket, k.last) - k.first) * weeksPerBucket)
            merged[s, default: 0] += c
        }
        return merged.map { WeightedCustomerSummary(summary: $0.key, weight: $0.value) }
            .sorted { ($0.summary.x, $0.summary.tx, $0.summary.T) < ($1.summary.x, $1.summary.tx, $1.summary.T) }
    }
}
