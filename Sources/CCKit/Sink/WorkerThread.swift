#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A pthread mutex with one condition variable on the monotonic clock: what
/// the sink's threads (`SinkReader`, `WALCheckpointer`,
/// `CheckpointFileWriter`) hand work over with. Plain pthreads rather than
/// Swift concurrency because each of them blocks in read(2), fsync(2) or
/// SQLite for long stretches, which must not hold a cooperative-pool thread.
final class Monitor: @unchecked Sendable {
    // @unchecked: the pointers are allocated once and only used through the
    // pthread calls, which are made for concurrent use.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let changed: UnsafeMutablePointer<pthread_cond_t>

    init() {
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

    /// Runs `body` with the mutex held.
    @inline(__always)
    func locked<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Runs `body` with the mutex held, then wakes every waiter: how a
    /// change of the shared state is announced.
    @inline(__always)
    func signal(_ body: () -> Void) {
        pthread_mutex_lock(mutex)
        body()
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }

    /// With the mutex held: releases it until `broadcast` (or a spurious wake-up).
    func wait() { pthread_cond_wait(changed, mutex) }

    /// With the mutex held: `wait`, but false once `deadline` passed.
    func wait(until deadline: timespec) -> Bool {
        var d = deadline
        return pthread_cond_timedwait(changed, mutex, &d) != ETIMEDOUT
    }

    /// Wakes every waiter (call with the mutex held).
    func broadcast() { pthread_cond_broadcast(changed) }

    /// The monotonic clock `milliseconds` from now, for `wait(until:)`.
    static func deadline(milliseconds: Int32) -> timespec {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        let ns = Int(t.tv_nsec) + Int(milliseconds) * 1_000_000
        t.tv_sec += ns / 1_000_000_000
        t.tv_nsec = ns % 1_000_000_000
        return t
    }
}

/// Starts and joins one pthread running a closure.
struct WorkerThread {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    private var thread: pthread_t?

    /// `what` names the thread in the error when it cannot start.
    init(_ what: String, _ body: @escaping () -> Void) throws(ChainCastError) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var t = pthread_t()
        let rc = pthread_create(
            &t, nil,
            { context in
                Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, context)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw .internalError("cannot start the \(what) thread: \(String(cString: strerror(rc)))")
        }
        thread = t
    }

    /// Waits for the thread to return. Idempotent.
    mutating func join() {
        if let t = thread {
            pthread_join(t, nil)
            thread = nil
        }
    }
}
