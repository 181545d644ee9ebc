import Foundation

/// A progress line on stderr for long runs (events/s, and percent and time left when the total is
/// known), redrawn at most twice a second; silent when stderr is not a terminal.
final class ProgressLine {
    private let label: String
    private let total: Int?
    private let enabled: Bool
    private var count = 0
    private let started = Date()
    private var lastDraw = Date.distantPast

    init(label: String, total: Int? = nil) {
        self.label = label
        self.total = total
        enabled = isatty(2) == 1
    }

    func tick(_ n: Int = 1) {
        count += n
        guard enabled, count & 1023 == 0 else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.5 else { return }
        lastDraw = now
        draw(now)
    }

    private func draw(_ now: Date) {
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(count) / elapsed
        var text = "\r\(label): \(count) events, \(Int(rate)) events/s"
        if let total, total > 0 {
            let pct = Double(count) * 100 / Double(total)
            let left = rate > 0 ? Double(total - count) / rate : 0
            text += String(format: ", %.1f%%, %.0f s left", pct, left)
        }
        StandardError.write(text + "\u{1B}[K")
    }

    func finish() {
        if enabled { StandardError.write("\r\u{1B}[K") }
    }
}
