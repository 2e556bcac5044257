import CCCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads NDJSON from a file descriptor: large reads into one reused buffer,
/// lines handed out as views into it, so a line costs no allocation.
///
/// - A line longer than the buffer grows the buffer (doubling), so no line is
///   ever split or truncated.
/// - A final line without "\n" is still a line.
/// - "\r" before "\n" (and at the end of a final line) is stripped.
/// - Blank lines (empty, or only spaces and tabs) are not passed to the body
///   but are counted, so line numbers match what an editor shows.
package struct LineReader {
    private let storage: Storage

    /// Reads `fd` (not closed by the reader). `name` is how read errors name
    /// the input; default "standard input" for fd 0.
    package init(fd: Int32, bufferSize: Int = 1 << 20, name: String? = nil) {
        storage = Storage(
            fd: fd, ownsFD: false, capacity: bufferSize,
            name: name ?? (fd == 0 ? "standard input" : "file descriptor \(fd)"))
    }

    /// Every NDJSON reader's line limit (this one and cc-sink's `SinkInput`):
    /// 256 MiB, far above any real log or event, so input without newlines (a
    /// binary file by mistake) is a data error (65) instead of unbounded memory.
    package static let maxLineLengthDefault = 1 << 28

    /// The longest line accepted (default `maxLineLengthDefault`).
    package var maxLineLength: Int {
        get { storage.maxLineLength }
        nonmutating set { storage.maxLineLength = newValue }
    }

    /// Opens `path` for reading ("-" means standard input). Throws status 66
    /// (`noInput`) with "<path>: No such file or directory" (or the system's
    /// reason) when it cannot be opened or is a directory.
    package init(path: String, bufferSize: Int = 1 << 20) throws(ChainCastError) {
        if path == "-" {
            storage = Storage(fd: 0, ownsFD: false, capacity: bufferSize, name: "standard input")
            return
        }
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw ChainCastError(.noInput, "\(path): \(errorText(errno))") }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw ChainCastError(.noInput, "\(path): \(errorText(EISDIR))")
        }
        storage = Storage(fd: fd, ownsFD: true, capacity: bufferSize, name: path)
    }

    /// How read errors name the input.
    package var name: String { storage.name }

    /// Number of lines consumed so far, blank ones included.
    package var lineNumber: Int { storage.lineNumber }

    /// Calls `body` for every non-blank line, without its "\n" (and without
    /// a "\r" before it), until end of input. `lineNumber` is 1-based and
    /// counts blank lines. The buffer is only valid during the call.
    ///
    /// If `body` throws, the line counts as consumed and the error propagates;
    /// calling again continues with the next line. Read errors throw
    /// `ChainCastError(.ioError, "reading <name>: <reason>")`.
    ///
    /// `whenIdle` runs when every complete line was handed out and the input
    /// has no byte ready (a read would wait): a stage flushes its output
    /// there, so a quiet upstream never leaves records sitting in a buffer,
    /// while a backfill (input always ready) still writes full buffers.
    package mutating func forEachLine(
        whenIdle: (() throws -> Void)? = nil,
        _ body: (UnsafeBufferPointer<UInt8>, _ lineNumber: Int) throws -> Void
    ) throws {
        let s = storage
        while true {
            while s.searchFrom < s.end {
                let from = s.buffer + s.searchFrom
                guard let nl = memchr(from, 0x0A, s.end - s.searchFrom) else {
                    s.searchFrom = s.end
                    break
                }
                let lineEnd = nl.assumingMemoryBound(to: UInt8.self) - s.buffer
                let lineStart = s.start
                s.start = lineEnd + 1
                s.searchFrom = s.start
                s.lineNumber += 1
                if let line = s.line(lineStart, lineEnd) { try body(line, s.lineNumber) }
            }
            if s.eof {
                if s.start < s.end {
                    let lineStart = s.start
                    s.start = s.end
                    s.lineNumber += 1
                    if let line = s.line(lineStart, s.end) { try body(line, s.lineNumber) }
                }
                return
            }
            if let whenIdle, !s.readyNow() { try whenIdle() }
            try s.fill()
        }
    }

    final class Storage {
        let fd: Int32
        let ownsFD: Bool
        let name: String
        var buffer: UnsafeMutablePointer<UInt8>
        var capacity: Int
        /// Unconsumed bytes are buffer[start..<end]; no "\n" in start..<searchFrom.
        var start = 0
        var end = 0
        var searchFrom = 0
        var eof = false
        var lineNumber = 0
        var maxLineLength = LineReader.maxLineLengthDefault

        init(fd: Int32, ownsFD: Bool, capacity: Int, name: String) {
            self.fd = fd
            self.ownsFD = ownsFD
            self.name = name
            self.capacity = max(capacity, 1)
            buffer = .allocate(capacity: self.capacity)
        }

        deinit {
            buffer.deallocate()
            if ownsFD { close(fd) }
        }

        /// The line in [from, to) without a trailing "\r"; nil when blank.
        @inline(__always)
        func line(_ from: Int, _ to: Int) -> UnsafeBufferPointer<UInt8>? {
            var e = to
            if e > from && buffer[e - 1] == 0x0D { e -= 1 }
            guard e > from else { return nil }
            let first = buffer[from]
            if first == 0x20 || first == 0x09 {
                var i = from
                while i < e && (buffer[i] == 0x20 || buffer[i] == 0x09) { i += 1 }
                if i == e { return nil }
            }
            return UnsafeBufferPointer(start: buffer + from, count: e - from)
        }

        /// Whether a read would return at once (data, end of input or an
        /// error): poll(2) with a zero timeout.
        func readyNow() -> Bool {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            while true {
                let r = poll(&pfd, 1, 0)
                if r < 0 && errno == EINTR { continue }
                return r != 0
            }
        }

        /// Reads more input after the unconsumed bytes, moving or growing the buffer as needed.
        func fill() throws {
            if start > 0 {
                let pending = end - start
                if pending > 0 { buffer.update(from: buffer + start, count: pending) }
                end = pending
                searchFrom -= start
                start = 0
            }
            if end == capacity {
                guard end < maxLineLength else {
                    throw ChainCastError(
                        .dataError,
                        "\(name): line \(lineNumber + 1) is longer than \(describeSize(maxLineLength)) (no newline found)"
                    )
                }
                let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
                grown.update(from: buffer, count: end)
                buffer.deallocate()
                buffer = grown
                capacity *= 2
            }
            while true {
                try waitUntilReadable()
                let r = read(fd, buffer + end, capacity - end)
                if r > 0 {
                    end += r
                    return
                }
                if r == 0 {
                    // A signal and the writer's exit often arrive together;
                    // the signal wins, so the stop is reported as 130/143.
                    if let s = SignalState.pending { throw StopRequested(signal: s) }
                    eof = true
                    return
                }
                let e = errno
                switch e {
                case EINTR:
                    // Interrupted by SIGINT/SIGTERM: stop reading; the command
                    // flushes what it has and exits 130/143.
                    if let s = SignalState.pending { throw StopRequested(signal: s) }
                    continue
                case EAGAIN, EWOULDBLOCK:
                    var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    _ = poll(&pfd, 1, -1)
                default:
                    throw ChainCastError(.ioError, "reading \(name): \(errorText(e))")
                }
            }
        }
    }
}

private func describeSize(_ n: Int) -> String {
    if n >= 1 << 30 && n % (1 << 30) == 0 { return "\(n >> 30) GiB" }
    if n >= 1 << 20 && n % (1 << 20) == 0 { return "\(n >> 20) MiB" }
    if n >= 1 << 10 && n % (1 << 10) == 0 { return "\(n >> 10) KiB" }
    return "\(n) bytes"
}

extension LineReader.Storage {
    /// A signal may be delivered to any thread of the process, so a read(2)
    /// blocked on an idle pipe is not reliably interrupted by it. Waiting in
    /// short polls first lets the reader notice SIGINT/SIGTERM within a
    /// quarter second; a regular file is always readable, so this costs one
    /// poll(2) per buffer.
    fileprivate func waitUntilReadable() throws(StopRequested) {
        // A descriptor not open for reading never polls readable; read(2)
        // reports its error instead.
        if fcntl(fd, F_GETFL) & O_ACCMODE == O_WRONLY { return }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            if let s = SignalState.pending { throw StopRequested(signal: s) }
            let r = poll(&pfd, 1, 250)
            if r < 0 && errno == EINTR { continue }
            if r != 0 { return }  // readable, hung up, or an error that read(2) will report
        }
    }
}
