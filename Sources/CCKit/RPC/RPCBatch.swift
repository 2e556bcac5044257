import CCCore
import CCHTTP
import CCJSON

extension RPCClient {
    /// Sends `calls` as JSON-RPC batches of up to `maxBatch` requests
    /// (`--batch N`). `handle(i, result)` runs once for every call that
    /// succeeds, in whatever order the answers come. Calls whose answers are
    /// missing or transiently failed are sent again; an endpoint that refuses
    /// batches gets smaller ones, down to one request at a time, and the pool
    /// remembers that for every worker.
    ///
    /// Returns, per call, nil when it was handled or the refusal when the
    /// provider declined it for its range (only with `allowRefusal`).
    package func batch(
        _ calls: [RPCCall], maxBatch: Int, allowRefusal: Bool = false,
        _ handle: (Int, RPCResult) throws(ChainCastError) -> Void
    ) throws(ChainCastError) -> [ProviderError?] {
        var refusals = [ProviderError?](repeating: nil, count: calls.count)
        var pending = Array(calls.indices)
        var retries = 0
        while !pending.isEmpty {
            if pending.count == 1 || maxBatch <= 1 {
                try singles(calls, pending, allowRefusal, &refusals, handle)
                return refusals
            }
            let (index, wait) = pool.checkout()
            let limit = min(maxBatch, pool.batchLimit(index))
            if limit <= 1 {
                pool.release(index)
                try singles(calls, pending, allowRefusal, &refusals, handle)
                return refusals
            }
            let chunk = Array(pending.prefix(limit))
            try rateLimiter?.acquire(chunk.count)
            if wait > 0 { try clock.sleep(seconds: wait) }
            let firstID = takeIDs(chunk.count)
            var body = JSONWriter(capacity: 256 * chunk.count)
            body.raw("[")
            for (n, k) in chunk.enumerated() {
                if n > 0 { body.raw(",") }
                appendRequest(&body, calls[k], id: firstID + n)
            }
            body.raw("]")

            let round = exchange(
                body.bytes, chunk: chunk, firstID: firstID, endpoint: index, calls: calls,
                allowRefusal: allowRefusal, handle)
            switch round {
            case .handlerFailed(let error):
                pool.checkin(index, failed: false)
                throw error
            case .rejected(let disable):
                pool.checkin(index, failed: false)
                pool.noteBatchRejected(index, size: chunk.count, disable: disable)
            case .failed(let failure, let detail):
                try settleFailure(
                    failure, detail: detail, method: "batch of \(chunk.count) \(calls[chunk[0]].method)",
                    endpoint: index, retries: &retries)
            case .answered(let done, let itemRefusals, let itemFailure):
                for (k, refusal) in itemRefusals { refusals[k] = refusal }
                pending.removeAll { done.contains($0) }
                if done.count == chunk.count {
                    pool.checkin(index, failed: false)
                } else {
                    let (failure, detail) =
                        itemFailure ?? (
                            ProviderError(.transient, "batch-incomplete"), "batch answer lacks some requests"
                        )
                    try settleFailure(
                        failure, detail: detail, method: calls[chunk[0]].method, endpoint: index,
                        retries: &retries)
                }
            }
        }
        return refusals
    }

    private func singles(
        _ calls: [RPCCall], _ pending: [Int], _ allowRefusal: Bool, _ refusals: inout [ProviderError?],
        _ handle: (Int, RPCResult) throws(ChainCastError) -> Void
    ) throws(ChainCastError) {
        for k in pending {
            let outcome = try call(calls[k], allowRefusal: allowRefusal) { r throws(ChainCastError) in try handle(k, r)
            }
            if case .refused(let failure, _) = outcome { refusals[k] = failure }
        }
    }

    private enum BatchRound {
        case answered(done: Set<Int>, refusals: [(Int, ProviderError)], failure: (ProviderError, String)?)
        case rejected(disable: Bool)
        case failed(ProviderError, String)
        case handlerFailed(ChainCastError)
    }

    private func exchange(
        _ body: [UInt8], chunk: [Int], firstID: Int, endpoint index: Int, calls: [RPCCall], allowRefusal: Bool,
        _ handle: (Int, RPCResult) throws(ChainCastError) -> Void
    ) -> BatchRound {
        let response: HTTPResponse
        let seconds: Double
        switch timedPost(body, endpoint: index) {
        case .answered(let r, let s): (response, seconds) = (r, s)
        case .failed(let failure, let detail): return .failed(failure, detail)
        }
        return response.body.withUnsafeBufferPointer { buf -> BatchRound in
            guard let line = try? JSONLine(buf) else {
                if case .failed(let f, let d) = unparseable(response, buf) as Attempt<Void> { return .failed(f, d) }
                return .failed(ProviderError(.transient, "non-json-body"), "unreadable response")
            }
            var root = line.root
            // Some servers answer a refused batch with a one-element array holding an id-less error.
            if root.kind == .array, root.count == 1, let only = root[0], only["id"]?.isNull ?? true,
                only["error"] != nil
            {
                root = only
            }
            if root.kind == .object {
                guard let error = root["error"], !error.isNull else {
                    return .failed(ProviderError(.transient, "unexpected-json"), "batch answered with one object")
                }
                guard case .failed(let failure, let detail) = rpcFailure(error, response: response) as Attempt<Void>
                else { return .failed(ProviderError(.transient, "unexpected-json"), "batch answered with one object") }
                switch failure.kind {
                case .rateLimited, .transient, .headerNotFound, .timeout, .permanentAuth, .badEndpoint:
                    return .failed(failure, detail)
                default:
                    let text = detail.lowercased()
                    let disable = ["not supported", "not allowed", "disabled", "unsupported", "not enabled"]
                        .contains { text.contains($0) }
                    return .rejected(disable: disable)
                }
            }
            guard root.kind == .array else {
                return .failed(ProviderError(.transient, "unexpected-json"), "batch answer is not an array")
            }
            if response.status != 200 {
                return .failed(
                    ProviderErrorClassifier.classify(httpStatus: response.status, retryAfter: response.retryAfter()),
                    "HTTP \(response.status)")
            }
            var done = Set<Int>()
            var refusals: [(Int, ProviderError)] = []
            var failure: (ProviderError, String)?
            var handlerError: ChainCastError?
            root.forEachElement { item in
                guard handlerError == nil, let id = item["id"]?.int64 else { return }
                let slot = Int(truncatingIfNeeded: id) &- firstID
                guard slot >= 0, slot < chunk.count else { return }
                let k = chunk[slot]
                guard !done.contains(k) else { return }
                if let error = item["error"], !error.isNull {
                    guard case .failed(let f, let d) = rpcFailure(error, response: response) as Attempt<Void> else {
                        return
                    }
                    if allowRefusal && f.kind.splitsRange {
                        refusals.append((k, f))
                        done.insert(k)
                    } else if f.kind.stopStatus != nil || failure == nil || failure!.0.kind.stopStatus == nil {
                        failure = (f, d)
                    }
                    return
                }
                guard let result = item["result"] else { return }
                do throws(ChainCastError) {
                    try handle(
                        k,
                        RPCResult(
                            value: result, endpoint: pool.endpoints[index], seconds: seconds,
                            responseBytes: buf.count))
                    done.insert(k)
                } catch {
                    handlerError = error
                }
            }
            if let handlerError { return .handlerFailed(handlerError) }
            return .answered(done: done, refusals: refusals, failure: failure)
        }
    }
}
