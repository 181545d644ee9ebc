import CRMModel

/// Converts one of the public data sets (`DatasetFormat`) into `ShopEvent`s in non-decreasing
/// event-time order, with deterministic ids derived from the source (see `DatasetFormat` for
/// the id mapping).
///
/// The file is read line by line in 64 KiB chunks; raw text is never held whole.
/// - Taobao is time-ordered at the source, so its events stream straight to the sink as they
///   are read: memory stays constant whatever the file size. A line whose timestamp is earlier
///   than the last event emitted is rejected as late.
/// - OTTO, CDNOW and DIGINETICA are ordered by session or customer, not by time, so their
///   events are collected in memory and sorted stably by `ts` (ties keep file order) before
///   they reach the sink.
///
/// A line that cannot be parsed never stops the conversion: it is counted and returned as a
/// `RejectedLine` with a reason naming the field, so a command-line tool can warn on stderr.
/// Event mapping:
/// - Taobao: `pv` → view, `fav` → wishlist, `cart` → add_to_cart (category = `category_id`
///   verbatim), `buy` → order of one line (item, quantity 1, price 0), total 0, no currency:
///   the data set has no prices. Timestamps are seconds × 1000.
/// - OTTO: `clicks` → view, `carts` → add_to_cart, `orders` → order (one line, quantity 1,
///   price 0, total 0). The session is the customer.
/// - CDNOW: each row is an order at that date 00:00 UTC, one line `cd` with quantity
///   `number_of_cds` and price `dollar_value / number_of_cds` (0 when no CDs),
///   total `dollar_value`, currency USD.
/// - DIGINETICA: each row is a view at `eventdate` 00:00 UTC + `timeframe` ms.
public struct DatasetConverter: Sendable {
    /// How many rejections a summary keeps verbatim by default (all are counted).
    public static let defaultMaxRejectedKept = 1000

    /// The format of the files this converter reads.
    public var format: DatasetFormat
    /// How many rejected lines the summary keeps (the count covers all of them).
    public var maxRejectedKept: Int

    /// A converter for `format`.
    public init(format: DatasetFormat, maxRejectedKept: Int = DatasetConverter.defaultMaxRejectedKept) {
        self.format = format
        self.maxRejectedKept = max(0, maxRejectedKept)
    }

    /// Converts the whole file into memory.
    /// - Throws: `DatasetConverterError` when the file cannot be opened or read.
    public func convert(fileAt path: String) throws -> DatasetConversion {
        var events: [ShopEvent] = []
        let summary = try convert(fileAt: path) { events.append($0) }
        return DatasetConversion(events: events, summary: summary)
    }

    /// Converts the file, passing each event to `sink` in non-decreasing `ts` order.
    /// - Throws: `DatasetConverterError` when the file cannot be opened or read, or whatever
    ///   `sink` throws (which stops the conversion).
    public func convert(fileAt path: String, sink: (ShopEvent) throws -> Void) throws -> DatasetConversionSummary {
        var reader = try DatasetLineReader(path: path)
        var parser = makeParser()
        var summary = DatasetConversionSummary(format: format, linesRead: 0, eventsEmitted: 0, rejectedCount: 0, rejected: [])
        let streaming = format.isSourceTimeOrdered
        var pending: [ShopEvent] = []
        var lastTs = EventTime.min

        while let line = try reader.next() {
            let number = reader.lineNumber
            summary.linesRead = number
            let result = parser.parse(line, lineNumber: number)
            for reason in result.rejections { reject(&summary, line: number, reason: reason, text: line) }
            for event in result.events {
                guard streaming else { pending.append(event); continue }
                let ts = event.ts ?? lastTs
                if ts < lastTs {
                    reject(&summary, line: number,
                           reason: "late event: ts \(ts) is earlier than the previous event's \(lastTs) in a time-ordered file",
                           text: line)
                    continue
                }
                lastTs = ts
                try sink(event)
                summary.eventsEmitted += 1
            }
        }
        if !streaming {
            try Self.emitSorted(pending, sink: sink)
            summary.eventsEmitted = pending.count
        }
        return summary
    }

    /// Sorts stably by `ts` (ties keep their input order) and passes the events to `sink`.
    static func emitSorted(_ events: [ShopEvent], sink: (ShopEvent) throws -> Void) throws {
        var keys: [(ts: EventTime, index: Int)] = []
        keys.reserveCapacity(events.count)
        for (index, event) in events.enumerated() { keys.append((event.ts ?? EventTime.min, index)) }
        keys.sort { $0.ts != $1.ts ? $0.ts < $1.ts : $0.index < $1.index }
        for key in keys { try sink(events[key.index]) }
    }

    private func makeParser() -> any DatasetLineParsing {
        switch format {
        case .taobao: return TaobaoLineParser()
        case .otto: return OttoLineParser()
        case .cdnow: return CDNOWLineParser()
        case .diginetica: return DigineticaLineParser()
        }
    }

    private func reject(_ summary: inout DatasetConversionSummary, line: Int, reason: String, text: String) {
        summary.rejectedCount += 1
        guard summary.rejected.count < maxRejectedKept else { return }
        let shown = text.count > 200 ? String(text.prefix(200)) + "…" : text
        summary.rejected.append(RejectedLine(line: line, reason: reason, text: shown))
    }
}
