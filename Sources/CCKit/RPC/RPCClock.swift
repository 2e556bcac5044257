import CCCore

/// Time as the retry, rate-limit and endpoint-rest logic sees it. Tests inject
/// a fake so backoff schedules are checked exactly, without sleeping.
package protocol RPCClock: Sendable {
    /// Monotonic seconds (arbitrary origin).
    func now() -> Double
    /// Waits; a stop request (SIGINT/SIGTERM) ends the wait early with `ChainCastError.stopped`.
    func sleep(seconds: Double) throws(ChainCastError)
}

package struct SystemClock: RPCClock {
    package init() {}

    package func now() -> Double { monotonicSeconds() }

    package func sleep(seconds: Double) throws(ChainCastError) {
        do { try StopSleep.sleep(seconds: seconds) } catch { throw .stopped(error) }
    }
}
