import CCCore
import CCJSON
import CCRPC

/// `LogNode` over the RPC layer's `RPCClient` (retries, `--rps`, endpoint
/// failover and batches live there). One per worker thread.
package final class RPCLogNode: LogNode {
    let client: RPCClient
    /// Calls per JSON-RPC batch (`--batch`); 1 sends every call on its own.
    let maxBatch: Int
    /// Headers per batch when fetching many (providers cap batch sizes, commonly 100-1000).
    package var headerBatch = 100

    package var filter: LogFilter {
        didSet { filterFields = filter.jsonFields }
    }
    /// `filter` as parameter-object members, made once rather than per call.
    private var filterFields: String

    package init(client: RPCClient, maxBatch: Int, filter: LogFilter = LogFilter()) {
        self.client = client
        self.maxBatch = max(1, maxBatch)
        self.filter = filter
        filterFields = filter.jsonFields
    }

    func one<R>(_ method: String, _ params: String = "[]", _ body: (JSONValue) throws(ChainCastError) -> R) throws -> R
    {
        let outcome = try client.call(RPCCall(method, paramsJSON: params)) { r throws(ChainCastError) in
            try body(r.value)
        }
        switch outcome {
        case .success(let v): return v
        case .refused(let f, let m): throw ChainCastError.unavailable("\(method): \(f.shape): \(m)")
        }
    }

    static func snippet(_ v: JSONValue) -> String {
        let s = String(decoding: v.raw.prefix(80), as: UTF8.self)
        return v.raw.count > 80 ? s + "…" : s
    }

    func quantity(_ method: String) throws -> UInt64 {
        try one(method) { v throws(ChainCastError) in
            guard let q = v.quantity else {
                throw .unavailable("\(method): answer is not a quantity: \(Self.snippet(v))")
            }
            return q
        }
    }

    package func chainId() throws -> UInt64 { try quantity("eth_chainId") }
    package func blockNumber() throws -> UInt64 { try quantity("eth_blockNumber") }

    package func clientVersion() throws -> String {
        try one("web3_clientVersion") { v throws(ChainCastError) in v.kind == .string ? v.string() : Self.snippet(v) }
    }

    package func header(tag: BlockTag) throws -> BlockHeader? {
        try one("eth_getBlockByNumber", "[\"\(tag.rawValue)\",false]") { v throws(ChainCastError) in try Self.header(v)
        }
    }

    package func header(hash: Word32) throws -> BlockHeader? {
        try one("eth_getBlockByHash", "[\"\(hash)\",false]") { v throws(ChainCastError) in try Self.header(v) }
    }

    package func headers(_ numbers: [UInt64]) throws -> [BlockHeader?] {
        var all = [BlockHeader?](repeating: nil, count: numbers.count)
        var start = 0
        while start < numbers.count {
            let end = min(numbers.count, start + headerBatch)
            let calls = numbers[start..<end].map(Self.headerCall)
            let base = start
            _ = try client.batch(calls, maxBatch: max(maxBatch, headerBatch)) { i, r throws(ChainCastError) in
                all[base + i] = try Self.header(r.value)
            }
            start = end
        }
        return all
    }

    static func headerCall(_ n: UInt64) -> RPCCall {
        RPCCall("eth_getBlockByNumber", paramsJSON: "[\"0x\(String(n, radix: 16))\",false]")
    }

    package func getLogs(
        _ queries: [LogQuery], headers headerNumbers: [UInt64],
        _ body: (Int, Result<JSONValue, Error>) throws -> Void
    ) throws -> [BlockHeader?] {
        var calls = queries.map { RPCCall("eth_getLogs", paramsJSON: $0.params(filterFields: filterFields)) }
        calls.append(contentsOf: headerNumbers.map(Self.headerCall))
        var headers = [BlockHeader?](repeating: nil, count: headerNumbers.count)
        let n = queries.count
        var bodyError: Error?
        let refusals: [ProviderError?]
        do {
            refusals = try client.batch(calls, maxBatch: maxBatch, allowRefusal: true) { i, r throws(ChainCastError) in
                if i < n {
                    do {
                        try body(i, .success(r.value))
                    } catch let e as ChainCastError {
                        throw e
                    } catch {
                        bodyError = error
                        throw .internalError("\(error)")
                    }
                } else {
                    headers[i - n] = try Self.header(r.value)
                }
            }
        } catch {
            throw bodyError ?? error
        }
        for (i, refusal) in refusals.enumerated() {
            guard let refusal else { continue }
            guard i < n else {
                throw ChainCastError.unavailable("eth_getBlockByNumber refused: \(refusal.shape)")
            }
            try body(i, .failure(refusal))
        }
        return headers
    }

    package func hasState(at block: UInt64) throws -> Bool {
        // Asked once: a pruned node's "missing trie node" is its final word, and the
        // retry budget (meant for a node that lags) would only spend half a minute
        // of backoff before the same answer.
        let policy = client.policy
        client.policy.maxRetries = 0
        defer { client.policy = policy }
        do {
            return try one(
                "eth_getBalance", "[\"0x0000000000000000000000000000000000000000\",\"0x\(String(block, radix: 16))\"]"
            ) {
                v throws(ChainCastError) in v.kind == .string
            }
        } catch let e as ChainCastError {
            let m = e.message.lowercased()
            // A method the node does not have says nothing about its state.
            if m.contains("-32601") || m.contains("method not found") || m.contains("not supported")
                || m.contains("unsupported") || m.contains("does not exist")
            {
                throw e
            }
            // A missing-state answer is "no"; a node that could not answer at all (HTTP 429, a
            // dropped connection) leaves the question open.
            let missingState = ["missing trie node", "header not found", "pruned", "historical state", "not available"]
            if e.status != .unavailable || missingState.contains(where: { m.contains($0) }) { return false }
            throw e
        }
    }

    /// A block object (or null) from eth_getBlockBy*.
    static func header(_ v: JSONValue) throws(ChainCastError) -> BlockHeader? {
        if v.isNull { return nil }
        guard v.kind == .object, let n = v["number"]?.quantity, let h = v["hash"].flatMap(hash),
            let p = v["parentHash"].flatMap(hash), let t = v["timestamp"]?.quantity
        else {
            throw .unavailable("eth_getBlockByNumber: not a block object: \(snippet(v))")
        }
        return BlockHeader(number: n, hash: h, parentHash: p, timestamp: t)
    }

    /// A 32-byte hash string of a block object, in either case.
    static func hash(_ v: JSONValue) -> Word32? {
        v.kind == .string && !v.hasEscapes ? Word32(hex: v.stringContents, byteCount: 32) : nil
    }
}
