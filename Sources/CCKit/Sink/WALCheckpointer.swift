import CCCore
import CSQLite

/// Folds the write-ahead log back into the database file on a thread and
/// connection of its own, while the sink's connection goes on appending to
/// the log.
///
/// SQLite's automatic checkpoint runs inside the COMMIT that crosses its
/// threshold: the writer stops to copy every page of the log into the
/// database and fsync it. Here the writer's automatic checkpoint is off and
/// its WAL hook (`committed`) decides after each commit, by the pages in
/// the log:
/// - `threshold` or more: a round on this thread, a PASSIVE checkpoint (it
///   never blocks the writer or readers) of everything committed so far;
/// - twice that, with no round running: the writer copies the little that
///   the last round left itself. SQLite only starts a log over when it was
///   completely copied as the writer's next transaction begins, which a
///   checkpoint on another thread never achieves while the writer keeps
///   committing;
/// - three times that: the writer waits for the round to end first, so
///   the log stays below about `3 * threshold` pages plus one batch.
/// Checkpoints sync FULL, so the database file is on disk before SQLite
/// lets the log be reused.
final class WALCheckpointer: @unchecked Sendable {
    // @unchecked: `connection` is only used by the checkpoint thread once it
    // runs (and by `init` before); `requested`, `running` and `stopping`
    // only with `monitor` held; `threshold` is immutable; the hook runs on
    // the writer's thread, inside its COMMIT.
    private let connection: SQLiteConnection
    private let threshold: Int32
    private let monitor = Monitor()
    private var requested = false
    private var running = false
    private var stopping = false
    private var thread: WorkerThread?
    private weak var writer: SQLiteConnection?

    /// Checkpoints `writer`'s database in the background once its log holds
    /// `thresholdFrames` pages.
    init(writer: SQLiteConnection, thresholdFrames: Int32) throws(ChainCastError) {
        connection = try SQLiteConnection(path: writer.path, create: false)
        try connection.exec("PRAGMA synchronous = FULL")
        threshold = min(max(thresholdFrames, 1), Int32.max / 4)
        self.writer = writer
        thread = try WorkerThread("WAL checkpoint") { self.run() }
        writer.setWALHook(Unmanaged.passUnretained(self).toOpaque()) { context, _, _, frames in
            Unmanaged<WALCheckpointer>.fromOpaque(context!).takeUnretainedValue().committed(frames: frames)
            return SQLITE_OK
        }
    }

    deinit { stop() }

    /// The writer committed; its log now holds `frames` pages.
    private func committed(frames: Int32) {
        guard frames >= threshold else { return }
        let finishHere: Bool = monitor.locked {
            if frames >= 2 * threshold {
                if frames >= 3 * threshold { while running || requested { monitor.wait() } }
                return !running && !requested
            }
            if !requested {
                requested = true
                monitor.broadcast()
            }
            return false
        }
        if finishHere { writer?.checkpointPassive() }
    }

    /// Detaches from the writer and ends the thread (after the checkpoint in
    /// progress, if any). Idempotent.
    func stop() {
        writer?.setWALHook(nil, nil)
        writer = nil
        monitor.signal {
            stopping = true
        }
        thread?.join()
    }

    /// One PASSIVE checkpoint per request. A failed one is left to the
    /// next: the data is safe in the log, and a full disk shows in the
    /// writer's next commit.
    private func run() {
        while true {
            let go: Bool = monitor.locked {
                while !requested && !stopping { monitor.wait() }
                requested = false
                running = !stopping
                return running
            }
            guard go else { return }
            connection.checkpointPassive()
            monitor.signal { running = false }
        }
    }
}
