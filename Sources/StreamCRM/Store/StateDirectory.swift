#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks (and creates) the state directory before SQLite touches it, so the common mistakes get a
/// message naming the exact path instead of SQLite's generic "unable to open database file".
enum StateDirectory {
    /// Ensures `path` is an existing directory, creating it when its parent exists and `create` is set.
    static func prepare(_ path: String, create: Bool) throws {
        guard !path.isEmpty else {
            throw StoreError(kind: .cannotOpen, path: path, message: "state directory path is empty")
        }
        var info = stat()
        if stat(path, &info) == 0 {
            guard isDirectory(info) else {
                throw StoreError(kind: .notADirectory, path: path,
                                 message: "state directory \(path) exists but is not a directory")
            }
        } else {
            let code = errno
            let parent = parentPath(of: path)
            guard code == ENOENT else {
                if code == ENOTDIR {
                    throw StoreError(kind: .missingParent, path: path,
                                     message: "state directory \(path) cannot be used: a parent path component "
                                         + "is not a directory")
                }
                throw StoreError(kind: .cannotOpen, path: path,
                                 message: "cannot inspect state directory \(path): \(describe(code))")
            }
            guard create else {
                throw StoreError(kind: .cannotOpen, path: path, message: "state directory \(path) does not exist")
            }
            var parentInfo = stat()
            guard stat(parent, &parentInfo) == 0 else {
                throw StoreError(kind: .missingParent, path: path,
                                 message: "cannot create state directory \(path): parent directory \(parent) "
                                     + "does not exist (\(describe(errno)))")
            }
            guard isDirectory(parentInfo) else {
                throw StoreError(kind: .missingParent, path: path,
                                 message: "cannot create state directory \(path): parent \(parent) "
                                     + "is not a directory")
            }
            guard mkdir(path, 0o750) == 0 || errno == EEXIST else {
                let code = errno
                let kind: StoreError.Kind = code == ENOSPC ? .diskFull : .notWritable
                throw StoreError(kind: kind, path: path,
                                 message: "cannot create state directory \(path): \(describe(code))")
            }
        }
        // access(2) is not decisive for root; SQLite's own open and the first write catch the rest.
        if create && access(path, W_OK | X_OK) != 0 {
            throw StoreError(kind: .notWritable, path: path,
                             message: "state directory \(path) is not writable: \(describe(errno))")
        }
    }

    /// Takes an exclusive advisory lock on `<path>/state.lock` so two daemons can never share one state
    /// directory. Returns the open descriptor, which the caller owns and closes to release the lock
    /// (the kernel also releases it when the process dies, even by kill -9).
    static func lock(_ path: String) throws -> Int32 {
        let lockPath = join(path, "state.lock")
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            let code = errno
            let kind: StoreError.Kind = code == ENOSPC ? .diskFull : .notWritable
            throw StoreError(kind: kind, path: path,
                             message: "state directory \(path) is not writable: cannot create \(lockPath): "
                                 + describe(code))
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            throw StoreError(kind: .locked, path: path,
                             message: "state directory \(path) is in use by another StreamCRM process "
                                 + "(\(lockPath) is locked: \(describe(code)))")
        }
        return fd
    }

    /// The parent directory of `path` ("." for a bare name, "/" for a top-level entry).
    static func parentPath(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    /// `path` joined with a file name.
    static func join(_ path: String, _ name: String) -> String {
        path.hasSuffix("/") ? path + name : path + "/" + name
    }

    private static func isDirectory(_ info: stat) -> Bool {
        (info.st_mode & S_IFMT) == S_IFDIR
    }

    private static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
