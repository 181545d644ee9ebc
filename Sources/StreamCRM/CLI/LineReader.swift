import Foundation

/// Reads a file (or stdin for "-") line by line in large chunks, handing each line (without its
/// newline or a trailing CR) to a closure as a borrowed buffer: no allocation per line.
struct LineReader {
    let fd: Int32
    let path: String

    init(path: String) throws {
        self.path = path
        if path == "-" {
            fd = 0
        } else {
            fd = open(path, O_RDONLY)
            if fd < 0 { throw POSIXFailure("cannot open \(path)", errno: errno) }
        }
    }

    func forEachLine(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        defer { if fd != 0 { close(fd) } }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var filled = 0
        while true {
            if filled == buffer.count { buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count)) }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw POSIXFailure("read \(path)", errno: errno)
            }
            let end = filled + n
            var start = 0
            try buffer.withUnsafeBytes { raw in
                var i = 0
                while i < end {
                    if raw[i] == 0x0A {
                        var lineEnd = i
                        if lineEnd > start && raw[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                        try body(UnsafeRawBufferPointer(rebasing: raw[start..<lineEnd]))
                        start = i + 1
                    }
                    i += 1
                }
                if n == 0 && start < end {
                    var lineEnd = end
                    if raw[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                    try body(UnsafeRawBufferPointer(rebasing: raw[start..<lineEnd]))
                    start = end
                }
            }
            if n == 0 { return }
            // Move the partial line to the front.
            if start > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    _ = memmove(raw.baseAddress!, raw.baseAddress! + start, end - start)
                }
            }
            filled = end - start
        }
    }
}
