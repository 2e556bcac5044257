#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one way a small file is replaced (checkpoint file, metrics files): a
/// temporary file in the same directory, written whole, renamed over the old
/// one. A reader (cc-fetch, a Prometheus scraper) never sees half a file, and
/// a crash leaves the old file or the new one.
package enum AtomicFile {
    /// `durable`: also fsync the file before the rename and the directory after
    /// it, so the new content survives a power loss once this returns (the
    /// checkpoint's promise); metrics files skip both. Errors are 74 and read
    /// `<label>: <what failed>: <reason>`.
    package static func replace(
        _ path: String, with bytes: [UInt8], durable: Bool, label: String
    ) throws(ChainCastError) {
        let tmp = "\(path).tmp.\(getpid())"
        func fail(_ what: String) -> ChainCastError { .io("\(label): \(what): \(FileIO.errorText())") }
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw fail("creating \(tmp)") }
        if !bytes.withUnsafeBytes({ FileIO.writeAll(fd, $0) }) {
            let e = fail("writing \(tmp)")
            close(fd)
            unlink(tmp)
            throw e
        }
        if durable && fsync(fd) != 0 {
            let e = fail("fsync \(tmp)")
            close(fd)
            unlink(tmp)
            throw e
        }
        close(fd)
        if rename(tmp, path) != 0 {
            let e = fail("renaming \(tmp) to \(path)")
            unlink(tmp)
            throw e
        }
        guard durable else { return }
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            defer { close(dfd) }
            if fsync(dfd) != 0 { throw fail("fsync directory \(dir)") }
        }
    }
}

/// write(2) without short writes, for the few places that write files directly.
package enum FileIO {
    /// Writes all of `b`; false on error (errno set). EINTR is retried.
    package static func writeAll(_ fd: Int32, _ b: UnsafeRawBufferPointer) -> Bool {
        var off = 0
        while off < b.count {
            let n = write(fd, b.baseAddress! + off, b.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            off += n
        }
        return true
    }

    /// `strerror(errno)`.
    package static func errorText() -> String { String(cString: strerror(errno)) }
}
