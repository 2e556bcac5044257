import CCKit
import Foundation

/// A clock that only moves when told to (or when someone sleeps on it),
/// recording every sleep.
/// @unchecked Sendable: all state is behind `lock`.
final class FakeClock: RPCClock, @unchecked Sendable {
    private let lock = TestLock()
    private var t: Double
    private var recorded: [Double] = []

    init(start: Double = 1000) { t = start }

    func now() -> Double { lock.with { t } }

    func sleep(seconds: Double) {
        lock.with {
            recorded.append(seconds)
            t += max(0, seconds)
        }
    }

    func advance(_ s: Double) { lock.with { t += s } }
    var sleeps: [Double] { lock.with { recorded } }
}

/// Replies from a script, in order; records what was sent where.
final class FakeTransport: Transport, @unchecked Sendable {
    enum Reply: Sendable {
        case http(Int, String, [String: String])
        case fail(TransportError)
        /// Builds the body from the request (to echo ids).
        case dynamic(@Sendable (String) -> (Int, String))
    }

    private let lock = TestLock()
    private var script: [Reply]
    private(set) var requests: [(url: String, body: String)] = []

    init(_ script: [Reply]) { self.script = script }

    func post(url: String, body: [UInt8]) throws(TransportError) -> HTTPResponse {
        let reply: Reply = lock.with {
            requests.append((url, String(decoding: body, as: UTF8.self)))
            return script.isEmpty ? .http(500, "script exhausted", [:]) : script.removeFirst()
        }
        switch reply {
        case .http(let status, let text, let headers):
            return HTTPResponse(status: status, headers: headers, body: Array(text.utf8))
        case .fail(let error):
            throw error
        case .dynamic(let make):
            let (status, text) = make(String(decoding: body, as: UTF8.self))
            return HTTPResponse(status: status, body: Array(text.utf8))
        }
    }

    var sentBodies: [String] { lock.with { requests.map(\.body) } }
    var sentURLs: [String] { lock.with { requests.map(\.url) } }
}

/// @unchecked Sendable: `items` is only touched under `lock`.
final class LockedList: @unchecked Sendable {
    private let lock = TestLock()
    private var items: [Int] = []
    func append(_ v: Int) { lock.with { items.append(v) } }
    var values: [Int] { lock.with { items } }
}

/// @unchecked Sendable: NSLock is thread-safe.
final class TestLock: @unchecked Sendable {
    private let m = NSLock()
    func with<T>(_ body: () throws -> T) rethrows -> T {
        m.lock()
        defer { m.unlock() }
        return try body()
    }
}

/// The id of the first request in a JSON-RPC body: `{"jsonrpc":"2.0","id":N,…`.
func requestIDs(_ body: String) -> [Int] {
    var ids: [Int] = []
    var rest = Substring(body)
    while let r = rest.firstRange(of: #""id":"#) {
        rest = rest[r.upperBound...]
        let digits = rest.prefix { $0.isNumber }
        if let n = Int(digits) { ids.append(n) }
    }
    return ids
}

func ok(_ result: String, id: Int = 1) -> FakeTransport.Reply {
    .dynamic { body in (200, #"{"jsonrpc":"2.0","id":\#(requestIDs(body).first ?? id),"result":\#(result)}"#) }
}

func rpcError(_ code: Int, _ message: String, status: Int = 200) -> FakeTransport.Reply {
    .dynamic { body in
        (
            status,
            #"{"jsonrpc":"2.0","id":\#(requestIDs(body).first ?? 0),"error":{"code":\#(code),"message":"\#(message)"}}"#
        )
    }
}
