/// How long to wait before retrying a failed request: exponential backoff
/// with full jitter (a uniform draw in `[0, min(maxDelay, baseDelay·2^attempt)]`,
/// which spreads retries of many workers instead of synchronising them), but
/// never less than the server's `Retry-After`.
package struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt (`--retries`).
    package var maxRetries: Int
    package var baseDelay: Double
    package var maxDelay: Double
    /// A `Retry-After` above this is capped: a provider asking for an hour
    /// should not silently park the fetch for an hour per retry.
    package var maxRetryAfter: Double

    package init(maxRetries: Int = 8, baseDelay: Double = 0.25, maxDelay: Double = 30, maxRetryAfter: Double = 300) {
        func sane(_ v: Double) -> Double { v.isFinite && v > 0 ? v : 0 }
        self.maxRetries = max(0, maxRetries)
        self.baseDelay = sane(baseDelay)
        self.maxDelay = sane(maxDelay)
        self.maxRetryAfter = sane(maxRetryAfter)
    }

    /// The delay before retry number `attempt` (0 for the first retry), given a
    /// uniform random `unit` in [0, 1).
    package func delay(attempt: Int, retryAfter: Double?, unit: Double) -> Double {
        let exponent = Double(min(max(0, attempt), 62))
        let ceiling = min(maxDelay, baseDelay * pow2(exponent))
        let jittered = unit.isFinite ? ceiling * min(max(unit, 0), 1) : 0
        guard let retryAfter, retryAfter.isFinite, retryAfter > 0 else { return jittered }
        return max(jittered, min(retryAfter, maxRetryAfter))
    }

    package func delay<R: RandomNumberGenerator>(attempt: Int, retryAfter: Double?, using rng: inout R) -> Double {
        delay(attempt: attempt, retryAfter: retryAfter, unit: Double.random(in: 0..<1, using: &rng))
    }

    private func pow2(_ e: Double) -> Double {
        var v = 1.0
        var i = 0.0
        while i < e && v < 1e18 {
            v *= 2
            i += 1
        }
        return v
    }
}

/// A small deterministic generator (SplitMix64) so tests can pin the jitter.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    /// Seeded from the system generator.
    package init() {
        var g = SystemRandomNumberGenerator()
        state = g.next()
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
