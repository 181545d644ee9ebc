/// Parses Java-style `.properties` text (the Kafka ecosystem's configuration convention).
///
/// Supported: `key=value`, `key: value` and `key value`; `#` and `!` comment lines; blank lines;
/// a trailing backslash continues a logical line; escapes `\t \n \r \f \\ \= \: \# \! \uXXXX`.
/// A key given twice in one file is refused (the second would silently win otherwise).
public enum PropertiesParser {
    /// One parsed entry with the 1-based line number where its logical line started.
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: String
        public var line: Int
    }

    /// Parses `text`; `source` names the file in error messages.
    public static func parse(_ text: String, source: String) throws(ConfigError) -> [Entry] {
        var entries: [Entry] = []
        var seen: [String: Int] = [:]
        // Line terminators as Java's: \n, \r\n or \r ("\r\n" is one Character in Swift).
        let physical = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        var index = 0
        while index < physical.count {
            let startLine = index + 1
            var logical = String(physical[index].drop(while: { $0 == " " || $0 == "\t" || $0 == "\u{0C}" }))
            index += 1
            if logical.isEmpty || logical.hasPrefix("#") || logical.hasPrefix("!") { continue }
            while endsWithContinuation(logical) && index <= physical.count {
                logical.removeLast()
                if index == physical.count { break }
                logical += physical[index].drop(while: { $0 == " " || $0 == "\t" || $0 == "\u{0C}" })
                index += 1
            }
            let (rawKey, rawValue) = splitKeyValue(logical)
            let key = try unescape(rawKey, source: source, line: startLine)
            let value = try unescape(rawValue, source: source, line: startLine)
            if let first = seen[key] {
                throw ConfigError(key: key, value: value,
                                  problem: "given twice in \(source) (lines \(first) and \(startLine))")
            }
            seen[key] = startLine
            entries.append(Entry(key: key, value: value, line: startLine))
        }
        return entries
    }

    private static func endsWithContinuation(_ s: String) -> Bool {
        var count = 0
        for ch in s.reversed() {
            if ch == "\\" { count += 1 } else { break }
        }
        return count % 2 == 1
    }

    private static func splitKeyValue(_ line: String) -> (Substring, Substring) {
        var escaped = false
        var keyEnd = line.endIndex
        for i in line.indices {
            let ch = line[i]
            if escaped { escaped = false; continue }
            if ch == "\\" { escaped = true; continue }
            if ch == "=" || ch == ":" || ch == " " || ch == "\t" { keyEnd = i; break }
        }
        let key = line[line.startIndex..<keyEnd]
        var rest = line[keyEnd...].drop(while: { $0 == " " || $0 == "\t" })
        if let first = rest.first, first == "=" || first == ":" {
            rest = rest.dropFirst().drop(while: { $0 == " " || $0 == "\t" })
        }
        // Trailing whitespace is part of a Java value, but in a config file it is always a mistake.
        while let last = rest.last, last == " " || last == "\t" { rest = rest.dropLast() }
        return (key, rest)
    }

    private static func unescape(_ s: Substring, source: String, line: Int) throws(ConfigError) -> String {
        guard s.contains("\\") else { return String(s) }
        var out = ""
        var it = s.makeIterator()
        while let ch = it.next() {
            guard ch == "\\" else { out.append(ch); continue }
            guard let next = it.next() else { break }
            switch next {
            case "t": out.append("\t")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "f": out.append("\u{0C}")
            case "u":
                var hex = ""
                for _ in 0..<4 { if let h = it.next() { hex.append(h) } }
                guard hex.count == 4, let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                    throw ConfigError(key: String(s), value: "\\u\(hex)",
                                      problem: "bad \\u escape in \(source) line \(line)")
                }
                out.unicodeScalars.append(scalar)
            default: out.append(next)
            }
        }
        return out
    }
}
