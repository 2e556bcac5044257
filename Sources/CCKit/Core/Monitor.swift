#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The project's one lock: a pthread mutex with one condition variable on the
/// monotonic clock. Every shared structure (the sink's threads, the fetch
/// scheduler, the RPC endpoint pool, rate limiter and transport) keeps its
/// state behind one of these. Plain pthreads rather than Swift concurrency
/// because the threads block in read(2), fsync(2), libcurl or SQLite for long
/// stretches, which must not hold a cooperative-pool thread.
///
/// Every pthread call's result is checked: a failing lock or unlock means
/// memory corruption or a lock used after free, and going on would turn that
/// into silent data races.
package final class Monitor: @unchecked Sendable {
    // @unchecked: the pointers are allocated once and only used through the
    // pthread calls, which are made for concurrent use.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let changed: UnsafeMutablePointer<pthread_cond_t>

    package init() {
        mutex = .allocate(capacity: 1)
        Monitor.check(pthread_mutex_init(mutex, nil), "pthread_mutex_init")
        changed = .allocate(capacity: 1)
        var attr = pthread_condattr_t()
        Monitor.check(pthread_condattr_init(&attr), "pthread_condattr_init")
        Monitor.check(pthread_condattr_setclock(&attr, CLOCK_MONOTONIC), "pthread_condattr_setclock")
        Monitor.check(pthread_cond_init(changed, &attr), "pthread_cond_init")
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
    package func locked<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Runs `body` with the mutex held, then wakes every waiter: how a
    /// change of the shared state is announced.
    @inline(__always)
    package func signal(_ body: () -> Void) {
        lock()
        body()
        broadcast()
        unlock()
    }

    /// With the mutex held: releases it until `broadcast` (or a spurious wake-up).
    package func wait() { Monitor.check(pthread_cond_wait(changed, mutex), "pthread_cond_wait") }

    /// With the mutex held: `wait`, but false once `deadline` passed.
    package func wait(until deadline: timespec) -> Bool {
        var d = deadline
        let rc = pthread_cond_timedwait(changed, mutex, &d)
        if rc == ETIMEDOUT { return false }
        Monitor.check(rc, "pthread_cond_timedwait")
        return true
    }

    /// Wakes every waiter (call with the mutex held).
    package func broadcast() { Monitor.check(pthread_cond_broadcast(changed), "pthread_cond_broadcast") }

    /// For code whose critical section spans a scope `locked` cannot express
    /// (a wait loop with early returns); pair every call with `unlock()`.
    @inline(__always)
    package func lock() { Monitor.check(pthread_mutex_lock(mutex), "pthread_mutex_lock") }

    @inline(__always)
    package func unlock() { Monitor.check(pthread_mutex_unlock(mutex), "pthread_mutex_unlock") }

    /// `wait(until:)` with a deadline in seconds of `MonotonicClock`.
    package func wait(untilSeconds deadline: Double) -> Bool {
        wait(until: monotonicDeadline(atSeconds: deadline))
    }

    @inline(__always)
    private static func check(_ rc: Int32, _ call: StaticString) {
        if rc != 0 { fatalError("\(call) failed: \(String(cString: strerror(rc)))") }
    }

    /// The monotonic clock `milliseconds` from now, for `wait(until:)`.
    package static func deadline(milliseconds: Int32) -> timespec {
        monotonicDeadline(atSeconds: monotonicSeconds() + Double(milliseconds) / 1000)
    }
}

/// A value reachable only with its monitor held: the box every shared
/// structure keeps its mutable state in, so the compiler checks the structure
/// itself as `Sendable` and no field can be touched without the lock.
///
/// `@unchecked Sendable` (when `State` is): `state` is read and written only
/// inside `withLock`/`signal`/`wait(until:)`, all of which hold `monitor`'s
/// pthread mutex; this is the one place that promise is made by hand.
package final class Locked<State>: @unchecked Sendable where State: Sendable {
    private let monitor = Monitor()
    private var state: State

    package init(_ initial: State) { state = initial }

    /// Runs `body` on the state with the mutex held.
    @inline(__always)
    package func withLock<T, E: Error>(_ body: (inout State) throws(E) -> T) throws(E) -> T {
        monitor.lock()
        defer { monitor.unlock() }
        return try body(&state)
    }

    /// `withLock`, then wakes every `wait(until:)`: how a change other threads wait for is announced.
    @inline(__always)
    package func signal<T, E: Error>(_ body: (inout State) throws(E) -> T) throws(E) -> T {
        monitor.lock()
        defer {
            monitor.broadcast()
            monitor.unlock()
        }
        return try body(&state)
    }

    /// Waits (the mutex released meanwhile) until `ready` holds for the state,
    /// or `deadline` (seconds of `MonotonicClock`) passes, then runs `body`
    /// with the mutex held; `body`'s second argument is false on a timeout.
    /// Each check of `ready` is an access of its own, so no access spans a wait.
    package func wait<T, E: Error>(
        until ready: (State) -> Bool, deadline: Double? = nil, _ body: (inout State, Bool) throws(E) -> T
    ) throws(E) -> T {
        monitor.lock()
        defer { monitor.unlock() }
        var ok = true
        while !ready(state) {
            if let deadline {
                if !monitor.wait(untilSeconds: deadline) {
                    ok = ready(state)
                    break
                }
            } else {
                monitor.wait()
            }
        }
        return try body(&state, ok)
    }

    /// Wakes every `wait(until:)` to check its condition again.
    package func broadcast() { monitor.locked { monitor.broadcast() } }
}
