import CRMModel

/// The share of each customer kind in the demo population (normalised when drawn, so the
/// four need not sum to 1).
public struct DemoCustomerMix: Sendable, Equatable {
    /// Share of `loyal` customers. Default 0.12.
    public var loyal: Double
    /// Share of `occasional` customers. Default 0.38.
    public var occasional: Double
    /// Share of `oneTime` customers. Default 0.22.
    public var oneTime: Double
    /// Share of `browser` customers. Default 0.28.
    public var browser: Double

    /// The default mix: 12 % loyal, 38 % occasional, 22 % one-time, 28 % browsers.
    public init(loyal: Double = 0.12, occasional: Double = 0.38, oneTime: Double = 0.22, browser: Double = 0.28) {
        self.loyal = loyal; self.occasional = occasional; self.oneTime = oneTime; self.browser = browser
    }

    /// Running sums in the order of `DemoCustomerKind.allCases`.
    var cumulative: [Double] {
        let weights = [loyal, occasional, oneTime, browser].map { max(0, $0) }
        var sum = 0.0
        let running = weights.map { sum += $0; return sum }
        return sum > 0 ? running : [1, 2, 3, 4]
    }
}

/// Everything `ShopTrafficGenerator` can be told. Every field has a documented default; the
/// defaults give about 70–90 thousand events over 120 days.
public struct ShopTrafficConfig: Sendable, Equatable {
    /// 2026-06-01T00:00:00Z in epoch milliseconds, the default start.
    public static let defaultStart: EventTime = 1_780_272_000_000

    /// Seed of all randomness: the same config gives the identical catalog and event list. Default 42.
    public var seed: UInt64
    /// Items in the catalog, ids `i1` … `iN`. Default 400.
    public var itemCount: Int
    /// Categories (readable names: shoes, sports, books, stationery, kitchen, home, electronics,
    /// gaming, beauty, fashion, garden, pets, then toys, music, baby, outdoor, then `category-17`…).
    /// Default 12.
    public var categoryCount: Int
    /// Customers, ids `u1` … `uM`. Default 1,500.
    public var customerCount: Int
    /// Length of the simulated period in days. Default 120.
    public var days: Int
    /// Start of the simulated period (event time, ms). Default 2026-06-01T00:00Z.
    public var start: EventTime
    /// Exponent of the Zipf law of item popularity (weight of rank r is 1 / r^s). Default 1.1.
    public var zipfExponent: Double
    /// Complementary ("bought together") items per item, drawn from the paired category
    /// (shoes↔sports, books↔stationery, kitchen↔home, …). Default 3.
    public var complementsPerItem: Int
    /// Probability that the next view in a session is a complement of the current item. Default 0.3.
    public var complementViewProbability: Double
    /// Probability that an order gains a complement of its first item (shown as a view and an
    /// add-to-cart just before the order), which makes co-purchase learnable. Default 0.5.
    public var complementPurchaseProbability: Double
    /// The population mix of customer kinds. Default `DemoCustomerMix()`.
    public var mix: DemoCustomerMix
    /// Share of loyal and occasional customers who go silent at a random time (no event of any
    /// kind afterwards), so churn alerts have something to find. Default 0.2.
    public var silentFraction: Double
    /// Probability that an order is cancelled 10–120 minutes later. Default 0.02.
    public var cancelProbability: Double
    /// Probability that a (not cancelled) order is refunded 3–21 days later. Default 0.03.
    public var refundProbability: Double
    /// Hard cap on the number of events; if exceeded, the latest events are dropped (the stream
    /// ends early). The defaults stay well below it. Default 100,000.
    public var maxEvents: Int
    /// Currency of orders. Default "EUR".
    public var currency: String

    /// A configuration; every argument defaults as documented on its property.
    public init(seed: UInt64 = 42, itemCount: Int = 400, categoryCount: Int = 12, customerCount: Int = 1_500,
                days: Int = 120, start: EventTime = ShopTrafficConfig.defaultStart, zipfExponent: Double = 1.1,
                complementsPerItem: Int = 3, complementViewProbability: Double = 0.3,
                complementPurchaseProbability: Double = 0.5, mix: DemoCustomerMix = DemoCustomerMix(),
                silentFraction: Double = 0.2, cancelProbability: Double = 0.02, refundProbability: Double = 0.03,
                maxEvents: Int = 100_000, currency: String = "EUR") {
        self.seed = seed; self.itemCount = itemCount; self.categoryCount = categoryCount
        self.customerCount = customerCount; self.days = days; self.start = start; self.zipfExponent = zipfExponent
        self.complementsPerItem = complementsPerItem; self.complementViewProbability = complementViewProbability
        self.complementPurchaseProbability = complementPurchaseProbability; self.mix = mix
        self.silentFraction = silentFraction; self.cancelProbability = cancelProbability
        self.refundProbability = refundProbability; self.maxEvents = maxEvents; self.currency = currency
    }

    /// End of the simulated period (exclusive).
    public var end: EventTime { start + EventTime(max(1, days)) * millisecondsPerDay }
}
