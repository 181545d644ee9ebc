import Foundation

/// Reads a file line by line in fixed-size chunks, so memory stays bounded by the longest line.
/// Lines end at `\n`; a `\r` before it (CRLF files) is dropped; a last line without a
/// terminator is still returned. Invalid UTF-8 is replaced (U+FFFD), so such a line fails to
/// parse and is rejected rather than stopping the read.
struct DatasetLineReader {
    private let handle: FileHandle
    private let path: String
    private let chunkSize: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEOF = false
    /// 1-based number of the line last returned.
    private(set) var lineNumber = 0

    init(path: String, chunkSize: Int = 1 << 16) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"
            throw DatasetConverterError.cannotOpen(path: path, reason: reason)
        }
        self.handle = handle
        self.path = path
        self.chunkSize = max(16, chunkSize)
    }

    /// The next line without its terminator, or nil at the end of the file.
    mutating func next() throws -> String? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = makeLine(buffer[start..<newline])
                start = newline + 1
                lineNumber += 1
                return line
            }
            if atEOF {
                guard start < buffer.count else { return nil }
                let line = makeLine(buffer[start...])
                start = buffer.count
                lineNumber += 1
                return line
            }
            try fill()
        }
    }

    private mutating func fill() throws {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        let data: Data?
        do {
            data = try handle.read(upToCount: chunkSize)
        } catch {
            throw DatasetConverterError.readFailed(path: path, reason: "\(error)")
        }
        if let data, !data.isEmpty {
            buffer.append(contentsOf: data)
        } else {
            atEOF = true
            try? handle.close()
        }
    }

    private func makeLine(_ bytes: ArraySlice<UInt8>) -> String {
        var slice = bytes
        if slice.last == UInt8(ascii: "\r") { slice = slice.dropLast() }
        return String(decoding: slice, as: UTF8.self)
    }
}
