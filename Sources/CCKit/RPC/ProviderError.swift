import CCCore

/// What an RPC failure means for the caller, whichever provider phrased it.
package enum ProviderErrorKind: Equatable, Sendable {
    /// The block range was too wide for this provider: split it.
    case rangeTooLarge(RangeHint?)
    /// The range matched more logs than the provider returns at once: split it.
    case tooManyResults(RangeHint?)
    /// The answer would exceed the provider's response size: split it.
    case responseTooBig
    /// The query ran too long (on the server or on the wire): split or retry.
    case timeout
    /// Throttled: back off (at least `retryAfter` seconds when given) and retry.
    case rateLimited(retryAfter: Double?)
    /// A hiccup worth retrying: 5xx, dropped connection, truncated or non-JSON body, internal error.
    case transient
    /// The node behind a load balancer does not have the block yet: retry, maybe elsewhere.
    case headerNotFound
    /// The endpoint refuses JSON-RPC batches (or this batch size): send requests one by one.
    case batchRejected
    /// 401/403, missing or wrong API key: stop, the user must fix the URL or key.
    case permanentAuth
    /// The endpoint does not offer the method: stop.
    case methodNotFound
    /// The request itself is wrong for this endpoint, for a reason other than its range: stop.
    case invalidParams
    /// The URL does not lead to a JSON-RPC endpoint (404, unusable scheme, TLS failure): stop.
    case badEndpoint
    /// Not recognised: retried like a transient failure, within the retry budget.
    case other

    /// The caller should split the block range and try the halves (eth_getLogs).
    package var splitsRange: Bool {
        switch self {
        case .rangeTooLarge, .tooManyResults, .responseTooBig, .timeout: return true
        default: return false
        }
    }

    /// Retrying the same request (after a delay, maybe on another endpoint) can succeed.
    package var isRetryable: Bool {
        switch self {
        case .rateLimited, .transient, .headerNotFound, .timeout, .other: return true
        default: return false
        }
    }

    /// For failures that stop the command: the exit status the stream contract gives them.
    package var stopStatus: ExitStatus? {
        switch self {
        case .permanentAuth, .invalidParams, .badEndpoint: return .config
        case .methodNotFound: return .unavailable
        default: return nil
        }
    }
}

/// A range a provider says will work, or the widest span it accepts.
package struct RangeHint: Equatable, Sendable, CustomStringConvertible {
    /// The inclusive range the provider suggested (Alchemy, Infura, reth, zkSync).
    package var from: UInt64?
    package var to: UInt64?
    /// The most blocks one request may span, when the message states a limit.
    /// Counted inclusively and conservatively: a "limit N" becomes N blocks.
    package var maxBlocks: UInt64?

    package init(from: UInt64? = nil, to: UInt64? = nil, maxBlocks: UInt64? = nil) {
        self.from = from
        self.to = to
        self.maxBlocks = maxBlocks
    }

    /// How many blocks, starting at `start`, the next request should span.
    /// A suggested range that starts at `start` gives its length; otherwise the
    /// stated limit; nil when the provider gave nothing usable (then halve).
    package func span(startingAt start: UInt64) -> UInt64? {
        if let from, let to, to >= from, from == start { return to - from + 1 }
        if let maxBlocks, maxBlocks > 0 { return maxBlocks }
        if let from, let to, to >= from { return to - from + 1 }
        return nil
    }

    package var description: String {
        var parts: [String] = []
        if let from, let to { parts.append("try \(from)-\(to)") }
        if let maxBlocks { parts.append("at most \(maxBlocks) blocks") }
        return parts.joined(separator: ", ")
    }
}

/// A classified failure: what it means and which known shape matched (for
/// diagnostics and tests: "alchemy-range", "http-429", "transport-timeout", …).
package struct ProviderError: Equatable, Sendable {
    package var kind: ProviderErrorKind
    package var shape: String

    package init(_ kind: ProviderErrorKind, _ shape: String) {
        self.kind = kind
        self.shape = shape
    }
}
