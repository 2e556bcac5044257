import CCCore

/// The `--rpc` endpoints of one fetch, shared by every worker. Requests go to
/// the least busy endpoint that is not resting; an endpoint that fails
/// (throttles, errors, drops the connection) rests for a cooldown that
/// doubles with each consecutive failure, or for its `Retry-After`, while the
/// others take its work. Endpoints are named by `redactURL` everywhere.
package final class EndpointPool: Sendable {
    package struct Endpoint: Sendable, Equatable {
        package let url: String
        /// `https://host/…`: the only form shown to people.
        package let name: String
    }

    private struct State: Sendable {
        var inFlight = 0
        var restUntil = 0.0
        var consecutiveFailures = 0
        var requests = 0
        var failures = 0
        /// Largest batch this endpoint accepted so far; 1 = batches are off.
        var batchLimit = Int.max
    }

    package let endpoints: [Endpoint]
    package let baseCooldown: Double
    package let maxCooldown: Double
    private let clock: any RPCClock
    /// Per endpoint, and where the next search for a free one starts.
    private let shared: Locked<(states: [State], nextStart: Int)>
    /// Scrubs provider messages of every endpoint's key before they are shown.
    private let redactor: Redactor

    package init(
        urls: [String], baseCooldown: Double = 1, maxCooldown: Double = 60, clock: any RPCClock = SystemClock()
    )
        throws(ChainCastError)
    {
        guard !urls.isEmpty else { throw .usage("no RPC endpoint given (use --rpc URL)") }
        endpoints = urls.map { Endpoint(url: $0, name: redactURL($0)) }
        redactor = Redactor(urls: urls)
        shared = Locked((Array(repeating: State(), count: urls.count), 0))
        self.baseCooldown = baseCooldown
        self.maxCooldown = maxCooldown
        self.clock = clock
    }

    package var count: Int { endpoints.count }

    /// Picks the endpoint for the next request and counts it as busy until
    /// `checkin`. When every endpoint rests, picks the one that wakes first and
    /// returns how long to wait for it.
    package func checkout() -> (index: Int, wait: Double) {
        shared.withLock { p in
            let now = clock.now()
            var best = -1
            var wake = -1
            for k in 0..<p.states.count {
                let i = (p.nextStart + k) % p.states.count
                let s = p.states[i]
                if s.restUntil <= now {
                    if best < 0 || s.inFlight < p.states[best].inFlight { best = i }
                } else if wake < 0 || s.restUntil < p.states[wake].restUntil {
                    wake = i
                }
            }
            let chosen = best >= 0 ? best : wake
            p.nextStart = (chosen + 1) % p.states.count
            p.states[chosen].inFlight += 1
            p.states[chosen].requests += 1
            return (chosen, best >= 0 ? 0 : p.states[chosen].restUntil - now)
        }
    }

    /// Gives back a checkout that sent nothing.
    package func release(_ index: Int) {
        shared.withLock { p in
            guard p.states.indices.contains(index) else { return }
            p.states[index].inFlight = max(0, p.states[index].inFlight - 1)
            p.states[index].requests = max(0, p.states[index].requests - 1)
        }
    }

    /// Reports how a checked-out request ended. A failure rests the endpoint
    /// (only when there are others to take the work: a lone endpoint's pacing
    /// is the retry backoff's job).
    package func checkin(_ index: Int, failed: Bool, retryAfter: Double? = nil) {
        shared.withLock { p in
            guard p.states.indices.contains(index) else { return }
            p.states[index].inFlight = max(0, p.states[index].inFlight - 1)
            if !failed {
                p.states[index].consecutiveFailures = 0
                return
            }
            p.states[index].failures += 1
            p.states[index].consecutiveFailures += 1
            guard p.states.count > 1 else { return }
            let n = min(p.states[index].consecutiveFailures - 1, 30)
            var rest = min(maxCooldown, baseCooldown * Double(1 << n))
            if let retryAfter, retryAfter.isFinite, retryAfter > 0 { rest = max(rest, min(retryAfter, 3600)) }
            p.states[index].restUntil = max(p.states[index].restUntil, clock.now() + rest)
        }
    }

    /// True when some endpoint other than `index` could take a request right now.
    package func hasOtherReady(than index: Int) -> Bool {
        shared.withLock { p in
            let now = clock.now()
            return p.states.indices.contains { $0 != index && p.states[$0].restUntil <= now }
        }
    }

    package func isResting(_ index: Int) -> Bool {
        shared.withLock { p in p.states.indices.contains(index) && p.states[index].restUntil > clock.now() }
    }

    /// The largest batch worth sending to `index` (1: send requests one by one).
    package func batchLimit(_ index: Int) -> Int {
        shared.withLock { p in p.states.indices.contains(index) ? p.states[index].batchLimit : 1 }
    }

    /// The endpoint refused a batch of `size`: halve what it is sent, or stop
    /// batching to it altogether when it does not take batches at all.
    package func noteBatchRejected(_ index: Int, size: Int, disable: Bool) {
        shared.withLock { p in
            guard p.states.indices.contains(index) else { return }
            p.states[index].batchLimit = disable ? 1 : max(1, min(p.states[index].batchLimit, size / 2))
        }
    }

    /// `message` (foreign text: a node's or proxy's answer) without anything
    /// that looks like a key of any endpoint (see `Redactor`).
    package func scrub(_ message: String, endpoint index: Int) -> String {
        redactor.scrub(message)
    }
}
