import CCCore

/// `--rps N`: at most N requests per second across every worker that shares
/// the bucket. Each request takes one token; tokens refill continuously at
/// the rate, up to `burst`. A request that finds none reserves the next one
/// and sleeps until it is due, so waiting workers are served in order and
/// the rate holds exactly.
///
/// @unchecked Sendable: all state is behind `lock`.
package final class TokenBucket: @unchecked Sendable {
    package let rate: Double
    package let burst: Double
    private let clock: any RPCClock
    private let lock = Monitor()
    private var tokens: Double
    private var last: Double

    /// `burst` defaults to 1: requests are spaced evenly (1/rate apart), which
    /// is what per-second provider limits tolerate best.
    package init(ratePerSecond: Double, burst: Double = 1, clock: any RPCClock = SystemClock()) {
        rate = ratePerSecond.isFinite && ratePerSecond > 1e-6 ? ratePerSecond : 1e-6
        self.burst = burst.isFinite && burst > 1 ? burst : 1
        self.clock = clock
        tokens = self.burst
        last = clock.now()
    }

    /// Takes `count` tokens and returns how long the caller must wait before using them.
    package func reserve(_ count: Int = 1) -> Double {
        lock.locked {
            let now = clock.now()
            tokens = min(burst, tokens + max(0, now - last) * rate)
            last = now
            tokens -= Double(max(1, count))
            return tokens >= 0 ? 0 : -tokens / rate
        }
    }

    /// Blocks until the caller may send `count` calls (a batch counts each of
    /// its calls: that is how providers meter them).
    package func acquire(_ count: Int = 1) throws(ChainCastError) {
        let wait = reserve(count)
        if wait > 0 { try clock.sleep(seconds: wait) }
    }
}
