/// One JSON-RPC call: a method and its params as JSON array text.
public struct RPCCall: Sendable {
    public var method: String
    public var params: String
    public init(_ method: String, _ params: String = "[]") {
        self.method = method
        self.params = params
    }
}

/// A call the node answered with an error object (after the client's retries
/// for the retryable kinds): what the classifier needs to decide.
public struct RPCCallError: Error, Sendable, CustomStringConvertible {
    public var httpStatus: Int
    public var code: Int?
    public var message: String
    /// Raw JSON text of `error.data`.
    public var data: String?
    public init(httpStatus: Int = 200, code: Int?, message: String, data: String? = nil) {
        self.httpStatus = httpStatus
        self.code = code
        self.message = message
        self.data = data
    }
    public var description: String { code.map { "\($0): \(message)" } ?? message }
}

/// The JSON-RPC layer as cc-fetch uses it: send calls (one HTTP batch when
/// several and the endpoint takes batches) and see each call's `result` or
/// error in order. Failures of the whole exchange after all retries throw
/// `ChainCastError` (69, or 78 for a bad URL or key).
public protocol RPCCaller: AnyObject {
    func send(_ calls: [RPCCall], _ body: (Int, Result<JSONValue, RPCCallError>) throws -> Void) throws
}

/// `LogNode` over JSON-RPC.
public final class RPCLogNode: LogNode {
    let caller: RPCCaller
    /// Decides whether a failed eth_getLogs is a range/result limit (split) and what span it suggests.
    let classify: @Sendable (RPCCallError) -> RangeRefused?
    /// Headers per batch: providers cap batch sizes (commonly 100-1000).
    public var headerBatch = 100

    public init(caller: RPCCaller, classify: @escaping @Sendable (RPCCallError) -> RangeRefused?) {
        self.caller = caller
        self.classify = classify
    }

    func one<R>(_ call: RPCCall, _ body: (JSONValue) throws -> R) throws -> R {
        var out: Result<R, Error>?
        try caller.send([call]) { _, r in
            switch r {
            case .success(let v): out = Result { try body(v) }
            case .failure(let e): out = .failure(e)
            }
        }
        guard let out else { throw ChainCastError.unavailable("\(call.method): no answer") }
        do {
            return try out.get()
        } catch let e as RPCCallError {
            throw ChainCastError.unavailable("\(call.method) failed: \(e)")
        }
    }

    func quantity(_ method: String) throws -> UInt64 {
        try one(RPCCall(method)) { v in
            guard let q = v.quantity else { throw ChainCastError.unavailable("\(method): answer is not a quantity: \(Self.snippet(v))") }
            return q
        }
    }

    static func snippet(_ v: JSONValue) -> String {
        let s = String(decoding: v.raw.prefix(80), as: UTF8.self)
        return v.raw.count > 80 ? s + "…" : s
    }

    public func chainId() throws -> UInt64 { try quantity("eth_chainId") }
    public func blockNumber() throws -> UInt64 { try quantity("eth_blockNumber") }

    public func clientVersion() throws -> String {
        try one(RPCCall("web3_clientVersion")) { $0.kind == .string ? $0.string() : Self.snippet($0) }
    }

    public func header(tag: BlockTag) throws -> BlockHeader? {
        try one(RPCCall("eth_getBlockByNumber", "[\"\(tag.rawValue)\",false]")) { try Self.header($0) }
    }

    public func header(hash: String) throws -> BlockHeader? {
        guard hash.utf8.allSatisfy({ hexNibble($0) < 16 || $0 == UInt8(ascii: "x") }) else { return nil }
        return try one(RPCCall("eth_getBlockByHash", "[\"\(hash)\",false]")) { try Self.header($0) }
    }

    public func headers(_ numbers: [UInt64]) throws -> [BlockHeader?] {
        var all: [BlockHeader?] = []
        all.reserveCapacity(numbers.count)
        var start = 0
        while start < numbers.count {
            let part = numbers[start..<min(numbers.count, start + headerBatch)]
            var got = [BlockHeader?](repeating: nil, count: part.count)
            try caller.send(part.map { Self.headerCall($0) }) { i, r in
                switch r {
                case .success(let v): got[i] = try Self.header(v)
                case .failure(let e): throw ChainCastError.unavailable("eth_getBlockByNumber failed: \(e)")
                }
            }
            all.append(contentsOf: got)
            start += part.count
        }
        return all
    }

    static func headerCall(_ n: UInt64) -> RPCCall {
        RPCCall("eth_getBlockByNumber", "[\"0x\(String(n, radix: 16))\",false]")
    }

    public func getLogs(
        _ params: [String], headers headerNumbers: [UInt64],
        _ body: (Int, Result<JSONValue, Error>) throws -> Void
    ) throws -> [BlockHeader?] {
        var calls = params.map { RPCCall("eth_getLogs", "[\($0)]") }
        calls.append(contentsOf: headerNumbers.map(Self.headerCall))
        var headers = [BlockHeader?](repeating: nil, count: headerNumbers.count)
        let n = params.count
        try caller.send(calls) { i, r in
            if i < n {
                switch r {
                case .success(let v): try body(i, .success(v))
                case .failure(let e):
                    if let refused = classify(e) {
                        try body(i, .failure(refused))
                    } else {
                        throw ChainCastError.unavailable("eth_getLogs failed: \(e)")
                    }
                }
            } else {
                switch r {
                case .success(let v): headers[i - n] = try Self.header(v)
                case .failure(let e): throw ChainCastError.unavailable("eth_getBlockByNumber failed: \(e)")
                }
            }
        }
        return headers
    }

    public func hasState(at block: UInt64) throws -> Bool {
        var ok = false
        try caller.send([RPCCall("eth_getBalance", "[\"0x0000000000000000000000000000000000000000\",\"0x\(String(block, radix: 16))\"]")]) { _, r in
            if case .success(let v) = r, v.kind == .string { ok = true }
        }
        return ok
    }

    /// A block object (or null) from eth_getBlockBy*.
    static func header(_ v: JSONValue) throws -> BlockHeader? {
        if v.isNull { return nil }
        guard v.kind == .object, let n = v["number"]?.quantity, let h = v["hash"], h.kind == .string,
              let p = v["parentHash"], p.kind == .string, let t = v["timestamp"]?.quantity
        else {
            throw ChainCastError.unavailable("eth_getBlockByNumber: not a block object: \(snippet(v))")
        }
        return BlockHeader(number: n, hash: h.string().lowercased(), parentHash: p.string().lowercased(), timestamp: t)
    }
}
