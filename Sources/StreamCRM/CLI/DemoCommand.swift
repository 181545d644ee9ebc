import CRMModel
import Foundation
import Kafka

/// `streamcrm demo`: an embedded broker, a generated shop's traffic, the daemon over it through
/// Kafka, and a readable summary of what came out on the output topics. `--events-out FILE` only
/// writes the generated traffic (catalog, then events in time order) as JSON lines, for `replay`.
enum DemoCommand {
    static func main(_ args: [String]) throws -> Int32 {
        let parsed = try Arguments(args, command: "demo")
        var traffic = ShopTrafficConfig()
        traffic.seed = UInt64(try parsed.int("seed", default: Int(traffic.seed)))
        traffic.customerCount = try parsed.int("customers", default: traffic.customerCount)
        traffic.days = try parsed.int("days", default: traffic.days)
        let partitions = try parsed.int("partitions", default: 8)
        guard traffic.customerCount > 0, traffic.customerCount <= 20_000 else { throw UsageError("--customers must be 1...20000") }
        if let path = parsed.value("events-out") {
            let shop = ShopTrafficGenerator(config: traffic).generate()
            let encoder = EventEncoder()
            var out: [UInt8] = []
            for item in shop.catalog { encoder.encode(.catalog(item), into: &out); out.append(UInt8(ascii: "\n")) }
            for event in shop.events { encoder.encode(event, into: &out); out.append(UInt8(ascii: "\n")) }
            guard FileManager.default.createFile(atPath: path, contents: Data(out)) else {
                throw UsageError("--events-out: cannot write \(path)")
            }
            StandardError.write("demo: wrote \(shop.catalog.count) catalog records and \(shop.events.count) events to \(path)\n")
            return 0
        }
        let report = try DemoRun(traffic: traffic, partitions: partitions, verbose: parsed.flag("verbose")).run()
        print(report.text)
        return report.ok ? 0 : 1
    }
}
