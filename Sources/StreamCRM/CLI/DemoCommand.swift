import CRMModel
import Foundation
import Kafka

/// `streamcrm demo`: an embedded broker, a generated shop's traffic, the daemon over it through
/// Kafka, and a readable summary of what came out on the output topics.
enum DemoCommand {
    static func main(_ args: [String]) throws -> Int32 {
        let parsed = try Arguments(args, valueOptions: ["seed", "customers", "days", "partitions"], flagOptions: ["verbose"])
        var traffic = ShopTrafficConfig()
        traffic.seed = UInt64(try parsed.int("seed", default: Int(traffic.seed)))
        traffic.customerCount = try parsed.int("customers", default: traffic.customerCount)
        traffic.days = try parsed.int("days", default: traffic.days)
        let partitions = try parsed.int("partitions", default: 8)
        guard traffic.customerCount > 0, traffic.customerCount <= 20_000 else { throw UsageError("--customers must be 1...20000") }
        let report = try DemoRun(traffic: traffic, partitions: partitions, verbose: parsed.flag("verbose")).run()
        print(report.text)
        return report.ok ? 0 : 1
    }
}
