import CCCore

/// What an RPC failure means for the caller, whichever provider phrased it.
package enum ProviderErrorKind: Equatable, Sendable {
    /// The provider refused the `eth_getLogs` range as too large (too many
    /// blocks, logs or bytes): split it.
    case rangeRefused(RangeRefusal)
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
        case .rangeRefused, .timeout: return true
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

/// The provider refused an `eth_getLogs` range as too large: the one type
/// for it, from the classifier that reads the provider's words, through
/// `LogNode` (inside a `ProviderError`), to the `RangePlanner` that splits.
package struct RangeRefusal: Equatable, Sendable, CustomStringConvertible {
    package enum Limit: Equatable, Sendable {
        /// Too many blocks in one request: a property of the provider, so
        /// the planner never grows the range size past a refused one again.
        case blocks
        /// Too many logs in the answer: a property of the range's density.
        case results
        /// The answer would exceed the provider's response size.
        case size
        /// The query ran too long (on the server or on the wire).
        case time
    }

    package var limit: Limit
    /// The inclusive range the provider suggested (Alchemy, Infura, reth, zkSync).
    package var from: UInt64?
    package var to: UInt64?
    /// The most blocks one request may span, when the message states a limit.
    /// Counted inclusively and conservatively: a "limit N" becomes N blocks.
    package var maxBlocks: UInt64?

    package init(_ limit: Limit, from: UInt64? = nil, to: UInt64? = nil, maxBlocks: UInt64? = nil) {
        self.limit = limit
        self.from = from
        self.to = to
        self.maxBlocks = maxBlocks
    }

    /// A block-range limit, with what the provider stated (a limit of 0 states nothing).
    package static func blocks(from: UInt64? = nil, to: UInt64? = nil, maxBlocks: UInt64? = nil) -> RangeRefusal {
        RangeRefusal(.blocks, from: from, to: to, maxBlocks: maxBlocks.flatMap { $0 > 0 ? $0 : nil })
    }

    /// A result-count limit, with the range the provider suggested.
    package static func results(_ suggested: (from: UInt64, to: UInt64)? = nil) -> RangeRefusal {
        RangeRefusal(.results, from: suggested?.from, to: suggested?.to)
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

    /// The last block of the first piece the provider would take, for a range starting at `start`.
    package func suggestedTo(startingAt start: UInt64) -> UInt64? {
        span(startingAt: start).map { start &+ ($0 - 1) }
    }

    /// What the provider suggested, in words ("" when nothing).
    package var description: String {
        var parts: [String] = []
        if let from, let to { parts.append("try \(from)-\(to)") }
        if let maxBlocks { parts.append("at most \(maxBlocks) blocks") }
        return parts.joined(separator: ", ")
    }
}

/// A classified failure: what it means and which known shape matched (for
/// diagnostics and tests: "alchemy-range", "http-429", "transport-timeout", …).
package struct ProviderError: Error, Equatable, Sendable, CustomStringConvertible {
    package var kind: ProviderErrorKind
    package var shape: String

    package init(_ kind: ProviderErrorKind, _ shape: String) {
        self.kind = kind
        self.shape = shape
    }

    /// The range refusal this failure amounts to for `eth_getLogs`, nil when
    /// splitting the range would not help.
    package var rangeRefusal: RangeRefusal? {
        switch kind {
        case .rangeRefused(let r): return r
        case .timeout: return RangeRefusal(.time)
        default: return nil
        }
    }

    /// The shape and what the provider suggested: "alchemy-range (try 1-10, at most 10 blocks)".
    package var description: String {
        let hint = rangeRefusal?.description ?? ""
        return hint.isEmpty ? shape : "\(shape) (\(hint))"
    }
}
