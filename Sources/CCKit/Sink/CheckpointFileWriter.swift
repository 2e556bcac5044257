import CCCore
import CCStream

/// Writes checkpoint files on a thread of its own, each after the sync that
/// makes the data it names durable, so the sink's writer goes on with the
/// next batch instead of waiting for three fsyncs per marker.
///
/// The order the stream contract asks for holds for every file written:
/// data durable, then the checkpoint (atomically, `CheckpointFile.write`).
/// When markers come faster than the disk syncs, a waiting checkpoint is
/// replaced by the newer one: one sync covers both, and the file would name
/// the newer one a moment later anyway. The file can lag the database (as
/// it always could, by a kill between the two), never lead it.
final class CheckpointFileWriter: @unchecked Sendable {
    // @unchecked: `pending`, `busy`, `failure` and `stopping` are only
    // touched with `monitor` held; `file` is immutable.
    private let file: CheckpointFile
    private let monitor = Monitor()
    private var pending: (checkpoint: Checkpoint, sync: FileSync)?
    private var busy = false
    private var failure: ChainCastError?
    private var stopping = false
    private var thread: WorkerThread?

    init(file: CheckpointFile) throws(ChainCastError) {
        self.file = file
        thread = try WorkerThread("checkpoint writer") { self.run() }
    }

    /// Queues `checkpoint`, to be written once `sync` ran. Throws the error
    /// of an earlier write (74): the run stops, and the data stays committed.
    func submit(_ checkpoint: Checkpoint, after sync: FileSync) throws(ChainCastError) {
        try monitor.locked { () throws(ChainCastError) in
            if let failure { throw failure }
            pending = (checkpoint, sync)
            monitor.broadcast()
        }
    }

    /// Returns once every submitted checkpoint is written (or replaced by a
    /// newer one that is); throws a write's error.
    func drain() throws(ChainCastError) {
        try monitor.locked { () throws(ChainCastError) in
            while (pending != nil || busy) && failure == nil { monitor.wait() }
            if let failure { throw failure }
        }
    }

    /// Writes what is queued, then ends the thread. Idempotent.
    func stop() {
        monitor.signal {
            stopping = true
        }
        thread?.join()
    }

    private func run() {
        while true {
            let job: (checkpoint: Checkpoint, sync: FileSync)? = monitor.locked {
                while pending == nil && !stopping { monitor.wait() }
                let job = failure == nil ? pending : nil
                pending = nil
                busy = job != nil
                return job
            }
            guard let job else { return }
            var error: ChainCastError?
            do {
                try job.sync.sync()
                try file.write(job.checkpoint)
            } catch let e {
                error = e
            }
            monitor.signal {
                busy = false
                if failure == nil { failure = error }
            }
        }
    }
}
