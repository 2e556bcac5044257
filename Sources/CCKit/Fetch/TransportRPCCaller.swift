import Foundation

/// JSON-RPC over a `Transport` for one endpoint: request ids, batches, and
/// answers matched back by id.
/// (Interim: the RPC layer's client with retry policy and endpoint pool replaces it.)
public final class TransportRPCCaller: RPCCaller {
    let transport: Transport
    let url: String
    let retries: Int
    private var nextId = 1
    private var body: [UInt8] = []

    public init(transport: Transport, url: String, retries: Int = 5) {
        self.transport = transport
        self.url = url
        self.retries = retries
    }

    public func send(_ calls: [RPCCall], _ handle: (Int, Result<JSONValue, RPCCallError>) throws -> Void) throws {
        guard !calls.isEmpty else { return }
        var req = calls.count > 1 ? "[" : ""
        let firstId = nextId
        for (i, c) in calls.enumerated() {
            if i > 0 { req += "," }
            req += "{\"jsonrpc\":\"2.0\",\"id\":\(firstId + i),\"method\":\"\(c.method)\",\"params\":\(c.params)}"
        }
        if calls.count > 1 { req += "]" }
        nextId += calls.count
        var attempt = 0
        while true {
            attempt += 1
            var response: HTTPResponse
            do {
                response = try transport.post(url: url, body: Array(req.utf8))
            } catch {
                if attempt <= retries { backoff(attempt); continue }
                throw ChainCastError.unavailable("\(redactURL(url)): \(error) (after \(retries) retries)")
            }
            if response.status == 429 || response.status >= 500 || response.status == 0 {
                if attempt <= retries { backoff(attempt, retryAfter: response.retryAfter()); continue }
                throw ChainCastError.unavailable("\(redactURL(url)): HTTP \(response.status) (after \(retries) retries)")
            }
            body = response.body
            var retry = false
            try body.withUnsafeBufferPointer { buf in
                guard let line = try? JSONLine(buf) else {
                    if attempt <= retries { retry = true; return }
                    throw ChainCastError.unavailable("\(redactURL(url)): HTTP \(response.status) answer is not JSON")
                }
                let root = line.root
                var byId: [Int: JSONValue] = [:]
                if root.kind == .array {
                    root.forEachElement { r in
                        if let id = r["id"]?.quantity { byId[Int(clamping: id)] = r }
                    }
                } else if root.kind == .object {
                    if calls.count == 1 {
                        byId[firstId] = root
                    } else if let e = root["error"] {
                        // A batch answered with one error: the endpoint refuses batches.
                        let err = Self.callError(e, status: response.status)
                        for i in calls.indices { try handle(i, .failure(err)) }
                        return
                    }
                }
                for i in calls.indices {
                    guard let r = byId[firstId + i] else {
                        throw ChainCastError.unavailable("\(redactURL(url)): no answer for call \(i + 1) (\(calls[i].method)) of \(calls.count)")
                    }
                    if let e = r["error"], !e.isNull {
                        try handle(i, .failure(Self.callError(e, status: response.status)))
                    } else if let v = r["result"] {
                        try handle(i, .success(v))
                    } else {
                        throw ChainCastError.unavailable("\(redactURL(url)): answer without result or error")
                    }
                }
            }
            if retry { backoff(attempt); continue }
            return
        }
    }

    static func callError(_ e: JSONValue, status: Int) -> RPCCallError {
        let code = e["code"]?.int64.map { Int($0) }
        let message = e["message"].map { $0.kind == .string ? $0.string() : String(decoding: $0.raw, as: UTF8.self) } ?? ""
        let data = e["data"].map { String(decoding: $0.raw, as: UTF8.self) }
        return RPCCallError(httpStatus: status, code: code, message: message, data: data)
    }

    func backoff(_ attempt: Int, retryAfter: Double? = nil) {
        let base = min(10.0, 0.1 * Double(1 << min(attempt, 10)))
        let wait = max(retryAfter ?? 0, base * Double.random(in: 0.5...1.0))
        usleep(useconds_t(wait * 1_000_000))
    }
}
