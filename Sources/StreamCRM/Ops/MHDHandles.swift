import CMicroHTTPD

/// Sole owner of a running `MHD_Daemon*` and of the context its callbacks receive.
///
/// Ownership: the listening socket was handed to the daemon at start (MHD_OPTION_LISTEN_SOCKET) and
/// `MHD_stop_daemon` closes it. The context was retained once for the daemon (`passRetained`) and
/// is released here only after `MHD_stop_daemon` has joined every MHD thread, so no callback can
/// still be using it. Immutable after init, hence `@unchecked Sendable`. Never let the last reference
/// drop on an MHD thread (from inside a handler): stopping joins that very thread.
final class MHDDaemonHandle: @unchecked Sendable {
    private let daemon: OpaquePointer
    private let context: Unmanaged<HTTPServerContext>
    private let logContext: Unmanaged<HTTPServerContext>?

    init(daemon: OpaquePointer, context: Unmanaged<HTTPServerContext>, logContext: Unmanaged<HTTPServerContext>?) {
        self.daemon = daemon
        self.context = context
        self.logContext = logContext
    }

    deinit {
        MHD_stop_daemon(daemon)
        context.release()
        logContext?.release()
    }
}

/// Sole owner of one reference to an `MHD_Response*`, destroyed in deinit.
///
/// `MHD_queue_response` takes its own reference, so the response may be dropped right after queuing.
final class MHDResponseHandle {
    let pointer: OpaquePointer

    /// Copies `body` into a new response (.RESPMEM_MUST_COPY); nil if MHD is out of memory.
    init?(body: [UInt8]) {
        let created = body.withUnsafeBytes { buffer -> OpaquePointer? in
            MHD_create_response_from_buffer(buffer.count, UnsafeMutableRawPointer(mutating: buffer.baseAddress), .RESPMEM_MUST_COPY)
        }
        guard let created else { return nil }
        pointer = created
    }

    /// Adds a header; false if MHD refused it (e.g. a newline in the value).
    @discardableResult
    func addHeader(_ name: String, _ value: String) -> Bool {
        MHD_add_response_header(pointer, name, value) == .YES
    }

    deinit { MHD_destroy_response(pointer) }
}
