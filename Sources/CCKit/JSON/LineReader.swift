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
///
/// Two ways to read: `forEachLine` reads to the end (cc-decode, cc-filter,
/// replay), `nextLines(timeoutMilliseconds:)` waits a bounded time per call
/// (cc-sink, which must flush a batch on its interval and notice SIGTERM
/// while upstream is quiet). Both share every framing rule above.
package struct LineReader {
    private let storage: Storage

    /// Reads `fd` (not closed by the reader). `name` is how read errors name
    /// the input; default "standard input" for fd 0.
    package init(fd: Int32, bufferSize: Int = 1 << 20, name: String? = nil) {
        storage = Storage(
            fd: fd, ownsFD: false, capacity: bufferSize,
            name: name ?? (fd == 0 ? "standard input" : "file descriptor \(fd)"))
    }

    /// Every NDJSON reader's line limit: 256 MiB, far above any real log or event, so input without newlines (a
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
            try s.deliverCompleteLines(body)
            if s.eof {
                try s.deliverLastLine(body)
                return
            }
            if let whenIdle, !s.readyNow() { try whenIdle() }
            try s.fill()
        }
    }

    /// What one `nextLines` call ended with.
    package enum Outcome: Equatable {
        /// Input was read (complete lines, if any, were handed to the body).
        case data
        /// Nothing arrived within the timeout, or the wait was interrupted by
        /// a signal: the caller checks for a stop and calls again.
        case timeout
        /// End of input; a last line without "\n" was handed to the body.
        case eof
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) for input, does at
    /// most one read(2), and calls `body` for every complete line it now
    /// holds, with the same framing and numbering as `forEachLine`.
    ///
    /// Unlike `forEachLine` it never throws `StopRequested`: a signal ends
    /// the wait as `.timeout` and the caller decides. The views `body` gets
    /// stay valid until the next call, or for good after `exchangeBuffer`.
    package func nextLines(
        timeoutMilliseconds: Int32,
        _ body: (UnsafeBufferPointer<UInt8>, _ lineNumber: Int) throws(ChainCastError) -> Void
    ) throws(ChainCastError) -> Outcome {
        let s = storage
        // Lines left by a body that threw go first.
        if s.hasCompleteLine {
            try s.deliverCompleteLines(body)
            return .data
        }
        if s.eof {
            try s.deliverLastLine(body)
            return .eof
        }
        if !s.writeOnly {
            var pfd = pollfd(fd: s.fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, timeoutMilliseconds)
            if ready == 0 { return .timeout }
            if ready < 0 {
                let e = errno
                if e == EINTR { return .timeout }
                throw ChainCastError(.ioError, "reading \(s.name): \(errorText(e))")
            }
        }
        try s.makeRoom()
        switch try s.readOnce() {
        case .bytes:
            try s.deliverCompleteLines(body)
            return .data
        case .end:
            s.eof = true
            try s.deliverLastLine(body)
            return .eof
        case .interrupted, .notReady:
            return .timeout
        }
    }

    /// Hands over the buffer that holds every line delivered so far and goes
    /// on in `replacement` (`capacity` bytes from `allocate`), to which the
    /// unfinished line moves: cc-sink's batch takes the lines of one
    /// `nextLines` call without copying them. The caller owns (and
    /// deallocates) the buffer returned.
    package func exchangeBuffer(
        _ replacement: UnsafeMutablePointer<UInt8>, capacity replacementCapacity: Int
    ) -> (UnsafeMutablePointer<UInt8>, Int) {
        let s = storage
        let full = (s.buffer, s.capacity)
        let rest = s.end - s.start
        s.buffer = replacement
        s.capacity = replacementCapacity
        if rest > s.capacity {
            s.buffer.deallocate()
            s.capacity = max(rest, 1 << 20)
            s.buffer = .allocate(capacity: s.capacity)
        }
        if rest > 0 { s.buffer.update(from: full.0 + s.start, count: rest) }
        s.searchFrom -= s.start
        s.start = 0
        s.end = rest
        return full
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
        /// A descriptor not open for reading never polls readable; read(2)
        /// reports its error instead of a wait that never ends.
        let writeOnly: Bool

        init(fd: Int32, ownsFD: Bool, capacity: Int, name: String) {
            self.fd = fd
            self.ownsFD = ownsFD
            self.name = name
            writeOnly = fcntl(fd, F_GETFL) & O_ACCMODE == O_WRONLY
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

        /// Whether a "\n" lies in the unconsumed bytes not yet searched.
        var hasCompleteLine: Bool {
            searchFrom < end && memchr(buffer + searchFrom, 0x0A, end - searchFrom) != nil
        }

        /// Hands every complete line in the buffer to `body`.
        @inline(__always)
        func deliverCompleteLines<E: Error>(
            _ body: (UnsafeBufferPointer<UInt8>, Int) throws(E) -> Void
        ) throws(E) {
            while searchFrom < end {
                guard let nl = memchr(buffer + searchFrom, 0x0A, end - searchFrom) else {
                    searchFrom = end
                    return
                }
                let lineEnd = nl.assumingMemoryBound(to: UInt8.self) - buffer
                let lineStart = start
                start = lineEnd + 1
                searchFrom = start
                lineNumber += 1
                if let line = line(lineStart, lineEnd) { try body(line, lineNumber) }
            }
        }

        /// At end of input: the bytes after the last "\n" are a line too.
        func deliverLastLine<E: Error>(_ body: (UnsafeBufferPointer<UInt8>, Int) throws(E) -> Void) throws(E) {
            guard start < end else { return }
            let lineStart = start
            start = end
            searchFrom = end
            lineNumber += 1
            if let line = line(lineStart, end) { try body(line, lineNumber) }
        }

        /// Moves the unfinished line to the front of the buffer, and grows a
        /// full buffer (up to `maxLineLength`), so a read has room.
        func makeRoom() throws(ChainCastError) {
            if start > 0 {
                let pending = end - start
                if pending > 0 { buffer.update(from: buffer + start, count: pending) }
                end = pending
                searchFrom -= start
                start = 0
            }
            if end == capacity {
                // The unfinished line fills the buffer: a line of exactly
                // `maxLineLength` bytes still needs room for its "\n".
                guard end <= maxLineLength else {
                    throw ChainCastError(
                        .dataError,
                        "\(name): line \(lineNumber + 1) is longer than \(describeSize(maxLineLength)) (no newline found)"
                    )
                }
                let grownCapacity = min(capacity * 2, maxLineLength + 1)
                let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: grownCapacity)
                grown.update(from: buffer, count: end)
                buffer.deallocate()
                buffer = grown
                capacity = grownCapacity
            }
        }

        enum ReadResult { case bytes, end, interrupted, notReady }

        /// One read(2) into the free end of the buffer (call `makeRoom` first).
        func readOnce() throws(ChainCastError) -> ReadResult {
            let r = read(fd, buffer + end, capacity - end)
            if r > 0 {
                end += r
                return .bytes
            }
            if r == 0 { return .end }
            let e = errno
            switch e {
            case EINTR: return .interrupted
            case EAGAIN, EWOULDBLOCK: return .notReady
            default: throw ChainCastError(.ioError, "reading \(name): \(errorText(e))")
            }
        }

        /// Reads more input after the unconsumed bytes, waiting as long as it takes.
        func fill() throws {
            try makeRoom()
            while true {
                try waitUntilReadable()
                switch try readOnce() {
                case .bytes:
                    return
                case .end:
                    // A signal and the writer's exit often arrive together;
                    // the signal wins, so the stop is reported as 130/143.
                    if let s = SignalState.pending { throw StopRequested(signal: s) }
                    eof = true
                    return
                case .interrupted:
                    // Interrupted by SIGINT/SIGTERM: stop reading; the command
                    // flushes what it has and exits 130/143.
                    if let s = SignalState.pending { throw StopRequested(signal: s) }
                case .notReady:
                    var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    _ = poll(&pfd, 1, -1)
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
        if writeOnly { return }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            if let s = SignalState.pending { throw StopRequested(signal: s) }
            let r = poll(&pfd, 1, 250)
            if r < 0 && errno == EINTR { continue }
            if r != 0 { return }  // readable, hung up, or an error that read(2) will report
        }
    }
}
