import CCCore
import CCJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One file the file sink writes: a buffered, append-only descriptor that
/// knows how many bytes it has written and how far they are durable.
package final class OutputFile {
    /// The path with per-event placeholders resolved, `{from}`/`{to}` not.
    let key: String
    /// Where bytes go: a hidden `.part` file while a rotated file is open,
    /// the final path otherwise.
    let writePath: String
    let rotating: Bool
    private(set) var fd: Int32
    /// Bytes handed to the kernel plus bytes still buffered.
    private(set) var length: Int
    private var buffer: [UInt8] = []
    private var unsynced = false
    var from: UInt64
    var lastBlock: UInt64
    var window: UInt64?
    var columns: [CSVRecordWriter.Column]?
    /// Record shapes (`CSVRecordWriter.shape`) known to fit `columns`.
    var csvShapes: Set<[UInt8]> = []
    /// Rotated file that is full: renamed once a checkpoint records it.
    var finalPath: String?

    static let bufferLimit = 1 << 18

    init(key: String, writePath: String, rotating: Bool, from: UInt64, truncateTo: Int?) throws(ChainCastError) {
        self.key = key
        self.writePath = writePath
        self.rotating = rotating
        self.from = from
        self.lastBlock = from
        try Self.makeParentDirectory(of: writePath)
        // A file the checkpoint does not know was begun after it: everything
        // in it will be received again, so it starts empty.
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (truncateTo == nil ? O_TRUNC : 0)
        fd = open(writePath, flags, 0o644)
        guard fd >= 0 else { throw .io("cannot open \(writePath): \(FileIO.errorText())") }
        length = 0
        if let n = truncateTo {
            if ftruncate(fd, off_t(n)) != 0 {
                let e = ChainCastError.io("cannot truncate \(writePath): \(FileIO.errorText())")
                close(fd)
                throw e
            }
            lseek(fd, off_t(n), SEEK_SET)
            length = n
            unsynced = true
        }
        buffer.reserveCapacity(Self.bufferLimit)
    }

    /// The standard output: no path, no fsync, nothing to truncate.
    init(stdout: ()) {
        key = "-"
        writePath = "-"
        rotating = false
        fd = 1
        length = 0
        from = 0
        lastBlock = 0
        buffer.reserveCapacity(Self.bufferLimit)
    }

    deinit {
        if fd > 2 { close(fd) }
    }

    @inline(__always)
    func append(_ b: UnsafeBufferPointer<UInt8>) throws(ChainCastError) {
        buffer.append(contentsOf: b)
        length += b.count
        if buffer.count >= Self.bufferLimit { try drain() }
    }

    @inline(__always)
    func append(_ b: [UInt8]) throws(ChainCastError) {
        buffer.append(contentsOf: b)
        length += b.count
        if buffer.count >= Self.bufferLimit { try drain() }
    }

    @inline(__always)
    func appendNewline() throws(ChainCastError) {
        buffer.append(0x0A)
        length += 1
        if buffer.count >= Self.bufferLimit { try drain() }
    }

    /// Hands buffered bytes to the kernel.
    func drain() throws(ChainCastError) {
        guard !buffer.isEmpty else { return }
        let ok = buffer.withUnsafeBytes { FileIO.writeAll(fd, $0) }
        if !ok {
            if errno == EPIPE { throw .outputClosed }
            throw .io("cannot write \(writePath): \(FileIO.errorText())")
        }
        buffer.removeAll(keepingCapacity: true)
        unsynced = true
    }

    /// Makes every byte written so far durable.
    func sync() throws(ChainCastError) {
        try drain()
        guard unsynced, fd > 2 else { return }
        if fsync(fd) != 0 { throw .io("cannot fsync \(writePath): \(FileIO.errorText())") }
        unsynced = false
    }

    func closeFile() {
        if fd > 2 { close(fd) }
        fd = -1
    }

    static func makeParentDirectory(of path: String) throws(ChainCastError) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let dir = String(path[..<slash])
        var st = stat()
        if stat(dir, &st) == 0 { return }
        try makeParentDirectory(of: dir)
        if mkdir(dir, 0o755) != 0 && errno != EEXIST {
            throw .io("cannot create directory \(dir): \(FileIO.errorText())")
        }
    }

    /// fsync of the directory holding `path`, so a rename is durable.
    static func syncDirectory(of path: String) {
        let dir = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let dfd = open(dir.isEmpty ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    static func size(of path: String) -> Int? {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : nil
    }
}
