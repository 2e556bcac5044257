import CCCore
import CCHTTP
import CCJSON

/// One JSON-RPC request: a method and its params array as JSON text.
package struct RPCCall: Sendable, Equatable {
    package var method: String
    /// The params array, e.g. `[{"fromBlock":"0x10","toBlock":"0x20"}]`.
    package var params: [UInt8]

    package init(_ method: String, params: [UInt8]) {
        self.method = method
        self.params = params
    }

    package init(_ method: String, paramsJSON: String = "[]") {
        self.init(method, params: Array(paramsJSON.utf8))
    }
}

/// A successful answer, handed to the caller's closure and valid only inside
/// it: `value` points into the response body, which is scanned once and not
/// copied (an `eth_getLogs` answer can be megabytes).
package struct RPCResult {
    /// The response's `result` member.
    package let value: JSONValue
    /// The endpoint that answered (its `name` is safe to print).
    package let endpoint: EndpointPool.Endpoint
    /// Seconds the successful request took, for adaptive range sizing.
    package let seconds: Double
    /// Size of the (decoded) response body.
    package let responseBytes: Int
}

/// How a call ended when it did not throw.
package enum RPCOutcome<Success> {
    case success(Success)
    /// The provider refused the request for a reason that a narrower block
    /// range fixes (only when the caller asked for refusals). `message` is the
    /// provider's text, without the endpoint's secrets.
    case refused(ProviderError, message: String)
}

/// JSON-RPC over a `Transport` and an `EndpointPool`: request ids, response
/// validation, retries with backoff, `--rps`, failover between endpoints, and
/// batches with fallback. One client per worker thread (it owns its
/// transport's connection); the pool and the token bucket are shared.
///
/// Failures end in one of three ways:
/// - retried (throttling, 5xx, dropped or truncated responses, non-JSON
///   bodies, "header not found", internal errors, unknown errors) up to
///   `policy.maxRetries`, then `ChainCastError(.unavailable)` (exit 69);
/// - returned as `.refused` when the caller passes `allowRefusal` and the
///   range is the problem (too many blocks or results, response too big,
///   timeout), so the caller can split it;
/// - thrown at once for permanent failures: bad key (78), method not offered
///   (69), invalid params (78), not a JSON-RPC URL (78).
package final class RPCClient {
    package let pool: EndpointPool
    package let transport: any Transport
    package var policy: RetryPolicy
    package let rateLimiter: TokenBucket?
    /// Called with a one-line description before every retry (cc-fetch prints them with --verbose).
    package var onRetry: ((String) -> Void)?
    let clock: any RPCClock
    var rng: SplitMix64
    var nextID = 1
    /// `Retry-After` of the last response: a 503 may carry one too.
    var lastRetryAfter: Double?

    package init(
        pool: EndpointPool, transport: any Transport, policy: RetryPolicy = RetryPolicy(),
        rateLimiter: TokenBucket? = nil, clock: any RPCClock = SystemClock(), seed: UInt64? = nil
    ) {
        self.pool = pool
        self.transport = transport
        self.policy = policy
        self.rateLimiter = rateLimiter
        self.clock = clock
        rng = seed.map { SplitMix64(seed: $0) } ?? SplitMix64()
    }

    /// Sends `call` until it succeeds, is refused (with `allowRefusal`) or
    /// fails for good; `handle` sees the result while the response is alive.
    /// An error thrown by `handle` propagates unchanged (no retry).
    package func call<R>(
        _ call: RPCCall, allowRefusal: Bool = false, _ handle: (RPCResult) throws(ChainCastError) -> R
    ) throws(ChainCastError) -> RPCOutcome<R> {
        let id = takeIDs(1)
        var body = JSONWriter(capacity: call.params.count + 64)
        appendRequest(&body, call, id: id)
        var retries = 0
        while true {
            try rateLimiter?.acquire()
            let (index, wait) = pool.checkout()
            if wait > 0 { try clock.sleep(seconds: wait) }
            let attempt: Attempt<R>
            do {
                attempt = try send(body.bytes, id: id, endpoint: index, handle)
            } catch {
                pool.checkin(index, failed: false)
                throw error
            }
            switch attempt {
            case .ok(let value):
                pool.checkin(index, failed: false)
                return .success(value)
            case .failed(let failure, let detail):
                if allowRefusal && failure.kind.splitsRange {
                    pool.checkin(index, failed: false)
                    return .refused(failure, message: pool.scrub(detail, endpoint: index))
                }
                try settleFailure(failure, detail: detail, method: call.method, endpoint: index, retries: &retries)
            }
        }
    }

    /// The raw JSON of `method`'s result (a copy): for the small calls
    /// (`eth_chainId`, `eth_blockNumber`, `eth_getBlockByNumber`).
    package func callRaw(_ method: String, paramsJSON: String = "[]") throws(ChainCastError) -> [UInt8] {
        let outcome = try call(RPCCall(method, paramsJSON: paramsJSON)) { r throws(ChainCastError) in
            Array(r.value.raw)
        }
        switch outcome {
        case .success(let bytes): return bytes
        case .refused(let failure, let message):  // not reachable without allowRefusal
            throw .unavailable("\(method): \(failure.shape): \(message)")
        }
    }

    // MARK: - Shared machinery (also used by batches)

    enum Attempt<R> {
        case ok(R)
        case failed(ProviderError, String)
    }

    func takeIDs(_ n: Int) -> Int {
        let first = nextID
        nextID = nextID &+ n
        if nextID > 1 << 52 { nextID = 1 }  // stay exact in clients that parse ids as doubles
        return first
    }

    func appendRequest(_ w: inout JSONWriter, _ call: RPCCall, id: Int) {
        w.raw(#"{"jsonrpc":"2.0","id":"#)
        w.int(id)
        w.raw(#","method":"#)
        w.string(call.method)
        w.raw(#","params":"#)
        if call.params.isEmpty {
            w.raw("[]")
        } else {
            call.params.withUnsafeBufferPointer { w.raw($0) }
        }
        w.raw("}")
    }

    enum TimedPost {
        case answered(HTTPResponse, seconds: Double)
        case failed(ProviderError, String)
    }

    /// One POST to endpoint `index`, timed, for single requests and batches
    /// alike. Keeps the answer's Retry-After (none after a transport failure)
    /// for the retry loop; a transport failure comes back classified.
    func timedPost(_ body: [UInt8], endpoint index: Int) -> TimedPost {
        let started = clock.now()
        do {
            let response = try transport.post(url: pool.endpoints[index].url, body: body)
            lastRetryAfter = response.retryAfter()
            return .answered(response, seconds: clock.now() - started)
        } catch {
            lastRetryAfter = nil
            return .failed(ProviderErrorClassifier.classify(error), error.description)
        }
    }

    /// One HTTP exchange for a single request.
    private func send<R>(
        _ body: [UInt8], id: Int, endpoint index: Int, _ handle: (RPCResult) throws(ChainCastError) -> R
    ) throws(ChainCastError) -> Attempt<R> {
        let response: HTTPResponse
        let seconds: Double
        switch timedPost(body, endpoint: index) {
        case .answered(let r, let s): (response, seconds) = (r, s)
        case .failed(let failure, let detail): return .failed(failure, detail)
        }
        var handlerError: ChainCastError?
        let attempt: Attempt<R> = response.body.withUnsafeBufferPointer { buf in
            guard let line = try? JSONLine(buf) else { return unparseable(response, buf) }
            var root = line.root
            // A few proxies wrap a single answer in a one-element array.
            if root.kind == .array, root.count == 1, let only = root[0] { root = only }
            guard root.kind == .object else {
                return .failed(ProviderError(.transient, "unexpected-json"), "response is not a JSON-RPC object")
            }
            if let error = root["error"], !error.isNull {
                return rpcFailure(error, response: response)
            }
            if response.status != 200 {
                return .failed(
                    ProviderErrorClassifier.classify(httpStatus: response.status, retryAfter: response.retryAfter()),
                    "HTTP \(response.status)")
            }
            guard let result = root["result"] else {
                return .failed(ProviderError(.transient, "no-result"), "response has neither result nor error")
            }
            guard let rid = root["id"], rid.int64 == Int64(id) else {
                return .failed(ProviderError(.transient, "id-mismatch"), "response id does not match the request's")
            }
            do throws(ChainCastError) {
                return .ok(
                    try handle(
                        RPCResult(
                            value: result, endpoint: pool.endpoints[index], seconds: seconds,
                            responseBytes: buf.count)))
            } catch {
                handlerError = error
                return .failed(ProviderError(.other, "handler"), "")
            }
        }
        if let handlerError { throw handlerError }
        return attempt
    }

    func unparseable<R>(_ response: HTTPResponse, _ buf: UnsafeBufferPointer<UInt8>) -> Attempt<R> {
        let preview = bodyPreview(buf)
        let failure = ProviderErrorClassifier.classifyUnparseableBody(
            httpStatus: response.status, body: preview, retryAfter: response.retryAfter())
        let detail =
            response.status == 200
            ? "unreadable response (not JSON or cut short: \(preview.isEmpty ? "empty body" : preview))"
            : "HTTP \(response.status)\(preview.isEmpty ? "" : ": " + preview)"
        return .failed(failure, detail)
    }

    func rpcFailure<R>(_ error: JSONValue, response: HTTPResponse) -> Attempt<R> {
        let code = error["code"]?.int64.map { Int(truncatingIfNeeded: $0) }
        let message =
            error["message"].map { $0.kind == .string ? $0.string() : String(decoding: $0.raw, as: UTF8.self) } ?? ""
        let data = error["data"].flatMap { $0.isNull ? nil : String(decoding: $0.raw, as: UTF8.self) }
        let failure = ProviderErrorClassifier.classify(
            httpStatus: response.status, code: code, message: message, data: data, retryAfter: response.retryAfter())
        var detail = response.status == 200 ? "" : "HTTP \(response.status): "
        if let code { detail += "\(code) " }
        detail += clip(message)
        return .failed(failure, detail)
    }

    /// Decides what a failed attempt means: throws when it is permanent or the
    /// retry budget is spent, otherwise waits the backoff and returns.
    func settleFailure(
        _ failure: ProviderError, detail: String, method: String, endpoint index: Int, retries: inout Int
    ) throws(ChainCastError) {
        let name = pool.endpoints[index].name
        let shown = pool.scrub(detail, endpoint: index)
        // A stop during the request (it aborted the transfer, or came as it failed) is the stop, not a failure.
        if let s = SignalState.pending {
            pool.checkin(index, failed: false)
            throw .stopped(StopRequested(signal: s))
        }
        if let status = failure.kind.stopStatus {
            pool.checkin(index, failed: false)
            throw ChainCastError(status, "\(method) on \(name): \(shown)\(advice(failure.kind))")
        }
        var retryAfter: Double?
        if case .rateLimited(let after) = failure.kind { retryAfter = after }
        retryAfter = retryAfter ?? lastRetryAfter
        pool.checkin(index, failed: true, retryAfter: retryAfter)
        if retries >= policy.maxRetries {
            let where_ = pool.count > 1 ? "\(method) (last on \(name))" : "\(method) on \(name)"
            throw .unavailable("\(where_): gave up after \(retries) retries: \(shown)")
        }
        // Another endpoint can take the work right away; a lone one gets the backoff.
        let delay =
            pool.hasOtherReady(than: index)
            ? 0 : policy.delay(attempt: retries, retryAfter: retryAfter, using: &rng)
        retries += 1
        onRetry?(
            "\(method) on \(name): \(shown); retry \(retries)/\(policy.maxRetries)"
                + (delay > 0 ? " in \(formatSeconds(delay))" : ""))
        if delay > 0 { try clock.sleep(seconds: delay) }
    }

    private func advice(_ kind: ProviderErrorKind) -> String {
        switch kind {
        case .permanentAuth: return " — check the API key in the URL"
        case .methodNotFound: return " — this endpoint does not offer the method; use another --rpc"
        case .badEndpoint: return " — check the URL"
        case .invalidParams: return " — the endpoint rejected the request's parameters"
        default: return ""
        }
    }
}

/// The first 160 bytes of a body as one printable line.
func bodyPreview(_ buf: UnsafeBufferPointer<UInt8>) -> String {
    var out: [UInt8] = []
    var lastSpace = true
    for b in buf.prefix(160) {
        let c: UInt8 = (b < 32 || b == 127) ? 32 : b
        if c == 32 && lastSpace { continue }
        lastSpace = c == 32
        out.append(c)
    }
    while out.last == 32 { out.removeLast() }
    return String(decoding: out, as: UTF8.self) + (buf.count > 160 ? "…" : "")
}

func clip(_ s: String, _ n: Int = 300) -> String {
    s.count > n ? String(s.prefix(n)) + "…" : s
}

func formatSeconds(_ s: Double) -> String {
    if s < 1 { return "\(Int((s * 1000).rounded())) ms" }
    return "\(Double(Int(s * 10)) / 10) s"
}
