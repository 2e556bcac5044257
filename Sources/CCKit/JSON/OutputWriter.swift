import CCCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thrown when the reader of our output went away (EPIPE, e.g. `| head`).
/// Commands end quietly with status 0 on it, as the stream contract says.
package struct OutputClosed: Error, Sendable {
    package init() {}
}

/// Buffered output to a file descriptor.
///
/// Errors: EPIPE throws `OutputClosed`; anything else (ENOSPC, EIO, EBADF…)
/// throws `ChainCastError(.ioError, "writing <name>: <strerror>")`. After an
/// error every later write or flush throws the same error again, and
/// nothing buffered is written any more. EINTR and partial writes are
/// retried; a non-blocking descriptor is waited on with poll().
///
/// Call `flush()` before exiting: the deinitializer only makes a silent
/// best-effort attempt, for error paths.
package final class OutputWriter {
    package let fd: Int32
    /// How errors name the destination: "standard output" or a path.
    package let name: String
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private var used = 0
    private var failure: (any Error)?
    private let closeOnDeinit: Bool

    package init(fd: Int32 = 1, capacity: Int = 1 << 16, name: String? = nil) {
        self.fd = fd
        self.capacity = max(capacity, 1)
        self.buffer = .allocate(capacity: self.capacity)
        self.name = name ?? (fd == 1 ? "standard output" : fd == 2 ? "standard error" : "file descriptor \(fd)")
        self.closeOnDeinit = false
    }

    /// Opens (creates or truncates, or appends to) a file; the writer closes it.
    /// Failing to open it is an I/O error (74): "<path>: Permission denied".
    package init(path: String, append: Bool = false, capacity: Int = 1 << 16) throws(ChainCastError) {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC)
        var fd: Int32
        repeat { fd = open(path, flags, 0o644) } while fd < 0 && errno == EINTR
        guard fd >= 0 else {
            let e = errno
            throw ChainCastError(.ioError, "\(path): \(errorText(e))")
        }
        self.fd = fd
        self.capacity = max(capacity, 1)
        self.buffer = .allocate(capacity: self.capacity)
        self.name = path
        self.closeOnDeinit = true
    }

    deinit {
        if failure == nil && used > 0 { try? flush() }
        buffer.deallocate()
        if closeOnDeinit { close(fd) }
    }

    package func write(_ b: UnsafeBufferPointer<UInt8>) throws {
        if let failure { throw failure }
        guard let src = b.baseAddress, !b.isEmpty else { return }
        if b.count <= capacity - used {
            (buffer + used).update(from: src, count: b.count)
            used += b.count
            return
        }
        try flush()
        if b.count < capacity {
            buffer.update(from: src, count: b.count)
            used = b.count
        } else {
            try writeAll(src, b.count)
        }
    }

    package func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBufferPointer { try write($0) }
    }

    package func write(_ s: StaticString) throws {
        try write(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    package func write(_ s: String) throws {
        var s = s
        try s.withUTF8 { try write($0) }
    }

    /// Writes `w.bytes` and a newline, then empties `w` (keeping its capacity).
    package func writeLine(_ w: inout JSONWriter) throws {
        w.bytes.append(0x0A)
        defer { w.reset() }
        try w.bytes.withUnsafeBufferPointer { try write($0) }
    }

    package func flush() throws {
        if let failure { throw failure }
        guard used > 0 else { return }
        let n = used
        used = 0
        try writeAll(buffer, n)
    }

    private func writeAll(_ p: UnsafePointer<UInt8>, _ count: Int) throws {
        var off = 0
        while off < count {
            let w = posixWrite(fd, p + off, count - off)
            if w > 0 {
                off += w
                continue
            }
            let e = w < 0 ? errno : EIO  // write() returning 0 for a non-empty buffer: treat as I/O error
            switch e {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&pfd, 1, -1)
                continue
            case EPIPE:
                failure = OutputClosed()
                throw OutputClosed()
            default:
                let err = ChainCastError(.ioError, "writing \(name): \(errorText(e))")
                failure = err
                throw err
            }
        }
    }
}

/// The C write(2), which the methods named `write` hide inside the class.
private func posixWrite(_ fd: Int32, _ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
    write(fd, p, n)
}

/// strerror() text, e.g. "No space left on device".
func errorText(_ e: Int32) -> String {
    guard let s = strerror(e) else { return "error \(e)" }
    return String(cString: s)
}
