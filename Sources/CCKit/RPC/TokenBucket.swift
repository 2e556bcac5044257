import CCCore

/// `--rps N`: at most N requests per second across every worker that shares
/// the bucket. Each request takes one token; tokens refill continuously at
/// the rate, up to `burst`. A request that finds none reserves the next one
/// and sleeps until it is due, so waiting workers are served in order and
/// the rate holds exactly.
package final class TokenBucket: Sendable {
    package let rate: Double
    package let burst: Double
    private let clock: any RPCClock
    /// Tokens left, and when they were last counted.
    private let state: Locked<(tokens: Double, last: Double)>

    /// `burst` defaults to 1: requests are spaced evenly (1/rate apart), which
    /// is what per-second provider limits tolerate best.
    package init(ratePerSecond: Double, burst: Double = 1, clock: any RPCClock = SystemClock()) {
        rate = ratePerSecond.isFinite && ratePerSecond > 1e-6 ? ratePerSecond : 1e-6
        self.burst = burst.isFinite && burst > 1 ? burst : 1
        self.clock = clock
        state = Locked((self.burst, clock.now()))
    }

    /// Takes `count` tokens and returns how long the caller must wait before using them.
    package func reserve(_ count: Int = 1) -> Double {
        state.withLock { s in
            let now = clock.now()
            s.tokens = min(burst, s.tokens + max(0, now - s.last) * rate)
            s.last = now
            s.tokens -= Double(max(1, count))
            return s.tokens >= 0 ? 0 : -s.tokens / rate
        }
    }

    /// Blocks until the caller may send `count` calls (a batch counts each of
    /// its calls: that is how providers meter them).
    package func acquire(_ count: Int = 1) throws(ChainCastError) {
        let wait = reserve(count)
        if wait > 0 { try clock.sleep(seconds: wait) }
    }
}
