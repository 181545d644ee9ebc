import Foundation

/// A buffered writer to a file descriptor (stdout in `convert` and `replay`), failing loudly on
/// a closed pipe or a full disk instead of losing lines silently.
final class BufferedOutput {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private let capacity = 1 << 16

    init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(capacity)
    }

    func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flush() }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flush() }
    }

    func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw POSIXFailure("write to descriptor \(fd)", errno: errno)
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// A failed system call, with its errno text.
public struct POSIXFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ what: String, errno code: Int32) {
        description = "\(what): \(String(cString: strerror(code)))"
    }
}
