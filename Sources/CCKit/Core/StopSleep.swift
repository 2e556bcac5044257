#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one way to wait for time to pass: every retry backoff, `Retry-After`,
/// rate-limit and endpoint-rest wait goes through it, so SIGINT/SIGTERM ends a
/// wait within `slice` instead of after it (a `Retry-After: 300` must not hold
/// a Ctrl-C for five minutes).
///
/// Sleeps in short slices and checks `SignalState` between them: the signal may
/// be delivered to another thread, so this thread's nanosleep is not always
/// interrupted by it, and a check-then-sleep on one long sleep would race.
package enum StopSleep {
    /// The longest a stop request can wait for a sleeping thread to notice it.
    package static let slice = 0.05

    /// Sleeps `seconds`; throws `StopRequested` as soon as a stop is requested
    /// (also when it already was). Non-positive and NaN durations return at once.
    package static func sleep(seconds: Double) throws(StopRequested) {
        try SignalState.checkpoint()
        guard seconds > 0 else { return }  // also false for NaN
        let deadline = monotonicSeconds() + min(seconds, 86_400)
        while true {
            let left = deadline - monotonicSeconds()
            if left <= 0 { return }
            let step = min(left, slice)
            var req = timespec(tv_sec: Int(step), tv_nsec: Int((step - Double(Int(step))) * 1e9))
            var rem = timespec()
            _ = nanosleep(&req, &rem)  // EINTR or done: either way the loop re-checks
            try SignalState.checkpoint()
        }
    }
}
