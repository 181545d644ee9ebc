import Foundation

/// A progress line on stderr for long runs (events/s, and percent and time left when the total is
/// known), redrawn at most twice a second; silent when stderr is not a terminal.
final class ProgressLine {
    private let label: String
    private let total: Int?
    private let enabled: Bool
    private let clock: () -> Double
    private let write: (String) -> Void
    private var count = 0
    private let started: Double
    private var lastDraw = -Double.infinity

    /// - Parameters:
    ///   - label: the command's name, first on the line.
    ///   - total: events expected, for percent and time left (nil: unknown).
    ///   - enabled: draw at all; default: only when stderr is a terminal.
    ///   - clock: seconds, monotonic enough for a rate; default the wall clock.
    ///   - write: where the line goes; default stderr.
    init(label: String, total: Int? = nil, enabled: Bool = isatty(2) == 1,
         clock: @escaping () -> Double = { Date().timeIntervalSinceReferenceDate },
         write: @escaping (String) -> Void = { StandardError.write($0) }) {
        self.label = label
        self.total = total
        self.enabled = enabled
        self.clock = clock
        self.write = write
        started = clock()
    }

    /// Counts `n` events; every 1 024 events, redraws when half a second has passed.
    func tick(_ n: Int = 1) {
        count += n
        guard enabled, count & 1023 == 0 else { return }
        let now = clock()
        guard now - lastDraw >= 0.5 else { return }
        lastDraw = now
        draw(now)
    }

    /// The line for `count` events at time `now`, without the carriage return and erase codes.
    func text(at now: Double) -> String {
        let elapsed = max(now - started, 0.001)
        let rate = Double(count) / elapsed
        var text = "\(label): \(count) events, \(Int(rate)) events/s"
        if let total, total > 0 {
            let pct = Double(count) * 100 / Double(total)
            let left = rate > 0 ? Double(max(total - count, 0)) / rate : 0
            text += String(format: ", %.1f%%, %.0f s left", pct, left)
        }
        return text
    }

    private func draw(_ now: Double) {
        write("\r" + text(at: now) + "\u{1B}[K")
    }

    /// Erases the line (when drawing).
    func finish() {
        if enabled { write("\r\u{1B}[K") }
    }
}
