import CCCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Side files a command writes atomically later (`--metrics-file`): checked
/// once at start, so a typo in the directory is a clear 74 before any work,
/// instead of a warning at the end of a run that exits 0 with no metrics.
package enum OutputFileCheck {
    /// Throws `.io` when a file cannot be created next to `path` (missing or
    /// read-only directory) or `path` is a directory.
    package static func creatable(_ path: String, option: String) throws(ChainCastError) {
        var st = stat()
        if stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            throw .io("\(option) \(path): \(String(cString: strerror(EISDIR)))")
        }
        let probe = "\(path).probe.\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
            throw .io(
                "\(option) \(path): cannot create a file in \(directory.isEmpty ? "/" : directory): "
                    + String(cString: strerror(errno)))
        }
        close(fd)
        unlink(probe)
    }
}
