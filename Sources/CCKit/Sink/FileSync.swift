import CCCore
import CCJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An open file whose written data can be forced to disk from any thread:
/// how `CheckpointFileWriter` makes a sink's committed data durable before
/// the checkpoint file names it, while the sink writes the next batch.
///
/// Sendable as it is: `fd` never changes after init, and fdatasync(2) may be
/// called on it from any thread while others write the file.
package final class FileSync: Sendable {
    let path: String
    private let fd: Int32

    /// Opens `path` (which must exist) for syncing only.
    package init(path: String) throws(ChainCastError) {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("cannot open \(path) to sync it: \(FileIO.errorText())") }
    }

    deinit { close(fd) }

    /// Everything written to the file so far (by any descriptor) is on disk.
    package func sync() throws(ChainCastError) {
        while fdatasync(fd) != 0 {
            if errno == EINTR { continue }
            throw .io("cannot sync \(path) to disk: \(FileIO.errorText())")
        }
    }
}
