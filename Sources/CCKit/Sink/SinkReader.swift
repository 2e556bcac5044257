#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads and parses the sink's input on a thread of its own, so that parsing
/// overlaps with writing: at full speed SQLite's B-trees and fsyncs take most
/// of one core, and reading and scanning the JSON a good part of another.
///
/// Batches come back in input order. At most `depth` batches exist, so a slow
/// sink slows the reader (and, through the pipe, upstream) instead of growing
/// memory. The reader stops at end of input, at SIGINT/SIGTERM (within the
/// 250 ms it waits for input at a time), on a read error (handed over after
/// the lines before it), or when the consumer calls `stop`.
final class SinkReader: @unchecked Sendable {
    // @unchecked: `ready`, `free`, `ended`, `failure` and `cancelled` are only
    // touched with `mutex` held. `input` is only used by the reader thread
    // once it runs. A batch belongs to one side at a time: the reader fills
    // one it took from `free`; the consumer reads one `next` returned until
    // it hands it back with `recycle`; the mutex orders those hand-overs.
    enum Next {
        case batch(ScannedBatch)
        case timeout
        case end
    }

    private let input: SinkInput
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let changed: UnsafeMutablePointer<pthread_cond_t>
    private var ready: [ScannedBatch] = []
    private var free: [ScannedBatch]
    private var ended = false
    private var failure: ChainCastError?
    private var cancelled = false
    private var thread: pthread_t?

    /// `prepareRows`: also classify the lines and prepare events as
    /// `EventRow`s on the reader thread (for a `RowSink`).
    init(input: SinkInput, depth: Int = 4, prepareRows: Bool = false) {
        self.input = input
        free = (0..<max(depth, 1)).map { _ in
            let b = ScannedBatch()
            b.prepareRows = prepareRows
            return b
        }
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        changed = .allocate(capacity: 1)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(changed, &attr)
        pthread_condattr_destroy(&attr)
    }

    deinit {
        pthread_cond_destroy(changed)
        changed.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func start() throws(ChainCastError) {
        let context = Unmanaged.passRetained(self).toOpaque()
        var t = pthread_t()
        let rc = pthread_create(
            &t, nil,
            { context in
                Unmanaged<SinkReader>.fromOpaque(context!).takeRetainedValue().readLoop()
                return nil
            }, context)
        guard rc == 0 else {
            Unmanaged<SinkReader>.fromOpaque(context).release()
            throw .internalError("cannot start the input reader thread: \(String(cString: strerror(rc)))")
        }
        thread = t
    }

    /// Stops the reader (if it still runs) and waits for it. Idempotent.
    func stop() {
        pthread_mutex_lock(mutex)
        cancelled = true
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
        if let t = thread {
            pthread_join(t, nil)
            thread = nil
        }
    }

    /// The next batch in input order; `.timeout` when none came within
    /// `timeoutMilliseconds`; `.end` after the last one. Throws the reader's
    /// error once every batch before it was returned.
    func next(timeoutMilliseconds: Int32) throws(ChainCastError) -> Next {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let ns = Int(deadline.tv_nsec) + Int(timeoutMilliseconds) * 1_000_000
        deadline.tv_sec += ns / 1_000_000_000
        deadline.tv_nsec = ns % 1_000_000_000
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while ready.isEmpty && !ended {
            if pthread_cond_timedwait(changed, mutex, &deadline) == ETIMEDOUT && ready.isEmpty && !ended {
                return .timeout
            }
        }
        if !ready.isEmpty { return .batch(ready.removeFirst()) }
        if let failure { throw failure }
        return .end
    }

    /// Hands a batch `next` returned back for reuse; hold no view into it.
    func recycle(_ batch: ScannedBatch) {
        batch.reset()
        pthread_mutex_lock(mutex)
        free.append(batch)
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }

    private func readLoop() {
        while true {
            guard let batch = takeFree() else { return }
            if SignalState.shouldStop {
                publish(batch, end: true, failure: nil)
                return
            }
            var outcome = SinkInput.Outcome.data
            var failure: ChainCastError?
            do {
                outcome = try input.pump(timeoutMilliseconds: 250) { line, number in
                    batch.add(line, number: number)
                }
            } catch {
                failure = error
            }
            batch.scan()
            let end = outcome == .eof || failure != nil
            publish(batch, end: end, failure: failure)
            if end { return }
        }
    }

    /// A batch to fill, or nil once the consumer stopped us.
    private func takeFree() -> ScannedBatch? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while free.isEmpty && !cancelled { pthread_cond_wait(changed, mutex) }
        return cancelled ? nil : free.removeLast()
    }

    private func publish(_ batch: ScannedBatch, end: Bool, failure: ChainCastError?) {
        pthread_mutex_lock(mutex)
        if batch.isEmpty { free.append(batch) } else { ready.append(batch) }
        if end {
            ended = true
            self.failure = failure
        }
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }
}
