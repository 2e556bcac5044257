#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one monotonic clock, in seconds since an arbitrary origin: retry
/// backoff, rate limits, progress, metrics intervals, the `-v` rates and
/// condition-variable deadlines all read it, so a wall-clock step (NTP, a
/// suspended VM) never stretches or skips a wait.
@inline(__always)
package func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// `monotonicSeconds()` value `seconds` as a `timespec`, for `pthread_cond_timedwait`
/// on a condition variable set to CLOCK_MONOTONIC (`Monitor`).
package func monotonicDeadline(atSeconds seconds: Double) -> timespec {
    let whole = seconds.rounded(.down)
    var t = timespec()
    t.tv_sec = Int(whole)
    t.tv_nsec = Int((seconds - whole) * 1e9)
    return t
}

/// Wall-clock seconds since 1970: only for times people read (HTTP dates in
/// `Retry-After`, `updatedAt`), never for measuring a wait.
package func wallClockSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
