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
final class CheckpointFileWriter: Sendable {
    private struct State: Sendable {
        var pending: (checkpoint: Checkpoint, sync: FileSync)?
        var busy = false
        var failure: ChainCastError?
        var stopping = false
        var thread: WorkerThread?
    }

    private let file: CheckpointFile
    private let state = Locked(State())

    init(file: CheckpointFile) throws(ChainCastError) {
        self.file = file
        let thread = try WorkerThread("checkpoint writer") { self.run() }
        state.withLock { $0.thread = thread }
    }

    /// Queues `checkpoint`, to be written once `sync` ran. Throws the error
    /// of an earlier write (74): the run stops, and the data stays committed.
    func submit(_ checkpoint: Checkpoint, after sync: FileSync) throws(ChainCastError) {
        try state.signal { s throws(ChainCastError) in
            if let failure = s.failure { throw failure }
            s.pending = (checkpoint, sync)
        }
    }

    /// Returns once every submitted checkpoint is written (or replaced by a
    /// newer one that is); throws a write's error.
    func drain() throws(ChainCastError) {
        try state.wait(until: { s in (s.pending == nil && !s.busy) || s.failure != nil }) {
            s, _ throws(ChainCastError) in
            if let failure = s.failure { throw failure }
        }
    }

    /// Writes what is queued, then ends the thread. Idempotent.
    func stop() {
        var thread = state.signal { s in
            s.stopping = true
            defer { s.thread = nil }
            return s.thread
        }
        thread?.join()
    }

    private func run() {
        while true {
            let job: (checkpoint: Checkpoint, sync: FileSync)? = state.wait(until: { s in
                s.pending != nil || s.stopping
            }) { s, _ in
                let job = s.failure == nil ? s.pending : nil
                s.pending = nil
                s.busy = job != nil
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
            state.signal { s in
                s.busy = false
                if s.failure == nil { s.failure = error }
            }
        }
    }
}
