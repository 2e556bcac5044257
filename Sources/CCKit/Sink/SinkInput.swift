import CCCore
import CCJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// NDJSON input for the sink. Unlike a plain line reader it waits for input
/// with a timeout, because a sink must flush a batch when its interval is up
/// (and notice SIGTERM) even while upstream is quiet, e.g. in follow mode
/// between blocks.
final class SinkInput {
    enum Outcome { case data, timeout, eof }

    /// A line longer than this is refused rather than exhausting memory (the same limit as `LineReader`).
    static let maxLineLength = LineReader.maxLineLengthDefault

    private let fd: Int32
    private let ownsFD: Bool
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var start = 0
    private var end = 0
    private(set) var lineNumber = 0
    private let name: String

    init(fd: Int32, name: String = "standard input", ownsFD: Bool = false) {
        self.fd = fd
        self.ownsFD = ownsFD
        self.name = name
        capacity = 1 << 20
        buffer = .allocate(capacity: capacity)
    }

    /// Opens a file; 66 when it does not exist.
    convenience init(path: String) throws(ChainCastError) {
        if path == "-" {
            self.init(fd: 0)
            return
        }
        // As every command's INPUT (`LineReader`): missing, unreadable or a
        // directory is 66 (EX_NOINPUT: "did not exist or was not readable").
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
        if fd < 0 { throw .noInput("\(path): \(String(cString: strerror(errno)))") }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw .noInput("\(path): \(String(cString: strerror(EISDIR)))")
        }
        self.init(fd: fd, name: path, ownsFD: true)
    }

    deinit {
        buffer.deallocate()
        if ownsFD { close(fd) }
    }

    /// Waits up to `timeoutMilliseconds` for input (-1: forever), reads what is
    /// there and calls `body` for every complete line, without its "\n" (and a
    /// "\r" before it), with its 1-based number. Blank lines are skipped but
    /// counted. At end of input a last line without "\n" is still a line.
    func pump(
        timeoutMilliseconds: Int32, _ body: (UnsafeBufferPointer<UInt8>, Int) throws(ChainCastError) -> Void
    ) throws(ChainCastError) -> Outcome {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, timeoutMilliseconds)
        if ready == 0 { return .timeout }
        if ready < 0 {
            if errno == EINTR { return .timeout }
            throw .io("cannot read \(name): \(String(cString: strerror(errno)))")
        }
        try makeRoom()
        let n = read(fd, buffer + end, capacity - end)
        if n < 0 {
            if errno == EINTR || errno == EAGAIN { return .timeout }
            throw .io("cannot read \(name): \(String(cString: strerror(errno)))")
        }
        if n == 0 {
            if end > start {
                let last = start
                start = end
                try deliver(UnsafeBufferPointer(start: buffer + last, count: end - last), body)
            }
            return .eof
        }
        end += n
        var scanFrom = start
        while scanFrom < end {
            guard let nl = memchr(buffer + scanFrom, 0x0A, end - scanFrom) else { break }
            let nlIndex = buffer.distance(to: nl.assumingMemoryBound(to: UInt8.self))
            let line = UnsafeBufferPointer(start: buffer + start, count: nlIndex - start)
            start = nlIndex + 1
            scanFrom = start
            try deliver(line, body)
        }
        return .data
    }

    @inline(__always)
    private func deliver(
        _ raw: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, Int) throws(ChainCastError) -> Void
    ) throws(ChainCastError) {
        lineNumber += 1
        var line = raw
        if let last = line.last, last == 0x0D { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
        var blank = true
        for b in line where b != 0x20 && b != 0x09 {
            blank = false
            break
        }
        if blank { return }
        try body(line, lineNumber)
    }

    /// Hands the buffer that holds every line delivered so far to the caller
    /// and goes on in `replacement` (`capacity` bytes from `allocate`), to
    /// which the unfinished line moves: the caller takes the lines without
    /// copying them.
    func exchangeBuffer(
        _ replacement: UnsafeMutablePointer<UInt8>, capacity replacementCapacity: Int
    ) -> (UnsafeMutablePointer<UInt8>, Int) {
        let full = (buffer, capacity)
        let rest = end - start
        buffer = replacement
        capacity = replacementCapacity
        if rest > capacity {
            buffer.deallocate()
            capacity = max(rest, 1 << 20)
            buffer = .allocate(capacity: capacity)
        }
        if rest > 0 { buffer.update(from: full.0 + start, count: rest) }
        start = 0
        end = rest
        return full
    }

    /// Moves a partial line to the front, or grows the buffer for a long one.
    private func makeRoom() throws(ChainCastError) {
        if start > 0 {
            let rest = end - start
            if rest > 0 { memmove(buffer, buffer + start, rest) }
            start = 0
            end = rest
        }
        if end == capacity {
            if capacity >= Self.maxLineLength {
                throw .data("line \(lineNumber + 1): longer than \(Self.maxLineLength >> 20) MiB")
            }
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            bigger.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = bigger
            capacity *= 2
        }
    }
}
