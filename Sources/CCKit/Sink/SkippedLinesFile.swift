import CCCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `cc-sink --skip-invalid --skipped FILE`: the lines a run set aside (not
/// records, or events the sink cannot store), appended as they were read, so
/// a hostile event that would otherwise stop every rerun is kept for a person
/// to look at instead of being lost. Each line is synced before the run goes
/// on, so it is on disk before any checkpoint past it; a run killed in
/// between appends it again on the rerun (at least once, never lost).
final class SkippedLinesFile {
    /// Skipped lines reported one by one without -v; later ones are counted.
    static let reportedLines = 10

    let path: String
    private var fd: Int32

    init(path: String) throws(ChainCastError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        if fd < 0 { throw .io("cannot open --skipped file \(path): \(FileIO.errorText())") }
    }

    deinit { close() }

    func append(_ line: UnsafeBufferPointer<UInt8>) throws(ChainCastError) {
        var b = Array(line)
        b.append(10)
        let ok = b.withUnsafeBytes { FileIO.writeAll(fd, $0) }
        if !ok || fsync(fd) != 0 { throw .io("cannot write --skipped file \(path): \(FileIO.errorText())") }
    }

    func close() {
        if fd >= 0 {
            closeDescriptor(fd)
            fd = -1
        }
    }
}

private func closeDescriptor(_ fd: Int32) { _ = close(fd) }
