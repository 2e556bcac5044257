import CCKit
import Testing

/// One batch answer that breaks JSON-RPC's promises, and what the client must
/// make of it with no retry budget left: the exact message and exit status.
struct BatchAnswerCase: CustomTestStringConvertible, Sendable {
    var name: String
    var status: Int = 200
    /// The answer's body; `ID0`/`ID1` stand for the two requests' ids.
    var body: String
    var exit: CCKit.ExitStatus
    var message: String
    var testDescription: String { name }
}

let batchAnswerCases: [BatchAnswerCase] = [
    BatchAnswerCase(
        name: "not JSON", body: "<html>busy</html>", exit: .unavailable,
        message:
            "batch of 2 eth_chainId on http://node: gave up after 0 retries: unreadable response (not JSON or cut short: <html>busy</html>)"
    ),
    BatchAnswerCase(
        name: "empty body on a 503", status: 503, body: "", exit: .unavailable,
        message: "batch of 2 eth_chainId on http://node: gave up after 0 retries: HTTP 503"),
    BatchAnswerCase(
        name: "one result object instead of an array", body: #"{"jsonrpc":"2.0","id":ID0,"result":"0x1"}"#,
        exit: .unavailable,
        message: "batch of 2 eth_chainId on http://node: gave up after 0 retries: batch answered with one object"),
    BatchAnswerCase(
        name: "a string", body: #""ok""#, exit: .unavailable,
        message: "batch of 2 eth_chainId on http://node: gave up after 0 retries: batch answer is not an array"),
    BatchAnswerCase(
        name: "an array on a 502", status: 502,
        body: #"[{"jsonrpc":"2.0","id":ID0,"result":"0x1"},{"jsonrpc":"2.0","id":ID1,"result":"0x1"}]"#,
        exit: .unavailable, message: "batch of 2 eth_chainId on http://node: gave up after 0 retries: HTTP 502"),
    BatchAnswerCase(
        name: "a rate limit for the whole batch",
        body: #"{"jsonrpc":"2.0","id":null,"error":{"code":-32005,"message":"daily request count exceeded"}}"#,
        exit: .unavailable,
        message:
            "batch of 2 eth_chainId on http://node: gave up after 0 retries: -32005 daily request count exceeded"),
    BatchAnswerCase(
        name: "a bad key for the whole batch, in a one-element array",
        body: #"[{"jsonrpc":"2.0","error":{"code":-32600,"message":"invalid project id"}}]"#, exit: .config,
        message: "batch of 2 eth_chainId on http://node: -32600 invalid project id — check the API key in the URL"),
    BatchAnswerCase(
        name: "ids that are strings, unknown, repeated or without a result",
        body:
            #"[{"id":"ID0","result":"0x1"},{"id":999999,"result":"0x1"},{"id":ID0},{"id":ID1,"result":"0x2"},{"id":ID1,"result":"0x3"}]"#,
        exit: .unavailable,
        message: "eth_chainId on http://node: gave up after 0 retries: batch answer lacks some requests"),
    BatchAnswerCase(
        name: "an item the endpoint does not serve",
        body:
            #"[{"id":ID1,"result":"0x2"},{"id":ID0,"error":{"code":-32601,"message":"the method eth_chainId does not exist"}}]"#,
        exit: .unavailable,
        message:
            "eth_chainId on http://node: -32601 the method eth_chainId does not exist — this endpoint does not offer the method; use another --rpc"
    ),
    BatchAnswerCase(
        name: "a transient item then a permanent one",
        body:
            #"[{"id":ID0,"error":{"code":-32000,"message":"header not found"}},{"id":ID1,"error":{"code":-32602,"message":"invalid argument 0"}}]"#,
        exit: .config,
        message:
            "eth_chainId on http://node: -32602 invalid argument 0 — the endpoint rejected the request's parameters"),
    BatchAnswerCase(
        name: "an item error without a JSON-RPC shape",
        body: #"[{"id":ID0,"error":{"code":"x","message":{"text":"odd"}}},{"id":ID1,"result":"0x2"}]"#,
        exit: .unavailable, message: #"eth_chainId on http://node: gave up after 0 retries: {"text":"odd"}"#),
]

@Suite struct RPCBatchAnswerTests {
    func client(_ script: [FakeTransport.Reply], retries: Int = 0) throws -> (RPCClient, FakeTransport) {
        let clock = FakeClock()
        let transport = FakeTransport(script)
        let pool = try EndpointPool(urls: ["http://node"], clock: clock)
        return (
            RPCClient(pool: pool, transport: transport, policy: RetryPolicy(maxRetries: retries), clock: clock),
            transport
        )
    }

    @Test(arguments: batchAnswerCases)
    func brokenBatchAnswers(_ c: BatchAnswerCase) throws {
        let (rpc, _) = try client([
            .dynamic { body in
                let ids = requestIDs(body)
                return (
                    c.status,
                    c.body.replacingOccurrences(of: "ID0", with: "\(ids[0])").replacingOccurrences(
                        of: "ID1", with: "\(ids[1])")
                )
            }
        ])
        let error = #expect(throws: ChainCastError.self) {
            _ = try rpc.batch([RPCCall("eth_chainId"), RPCCall("eth_chainId")], maxBatch: 2) {
                _, _ throws(ChainCastError) in
            }
        }
        #expect(error?.status == c.exit)
        #expect(error?.message == c.message)
    }

    @Test func aTransportFailureIsRetriedThenTheBatchSucceeds() throws {
        let (rpc, t) = try client([.fail(TransportError(.connectionReset)), RPCBatchTests.reversed], retries: 1)
        var got: [Int: Int64] = [:]
        _ = try rpc.batch([RPCCall("eth_chainId"), RPCCall("eth_chainId")], maxBatch: 2) {
            i, r throws(ChainCastError) in got[i] = r.value.int64
        }
        #expect(got == [0: 30, 1: 40])
        #expect(t.requests.count == 2)
    }

    @Test func aHandlerErrorStopsTheBatchAtOnce() throws {
        let (rpc, t) = try client([RPCBatchTests.reversed], retries: 3)
        let error = #expect(throws: ChainCastError.self) {
            _ = try rpc.batch([RPCCall("eth_chainId"), RPCCall("eth_chainId")], maxBatch: 2) {
                i, _ throws(ChainCastError) in throw .data("bad answer for call \(i)")
            }
        }
        #expect(error?.message == "bad answer for call 1")
        #expect(error?.status == .dataError)
        #expect(t.requests.count == 1)
    }

    @Test func aBatchRefusedForItsMethodFallsBackToSingles() throws {
        let (rpc, t) = try client([
            .http(200, #"[{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"batch too large"}}]"#, [:]),
            ok("7"), ok("8"),
        ])
        var got: [Int: Int64] = [:]
        _ = try rpc.batch([RPCCall("eth_chainId"), RPCCall("eth_chainId")], maxBatch: 2) {
            i, r throws(ChainCastError) in got[i] = r.value.int64
        }
        #expect(got == [0: 7, 1: 8])
        #expect(t.requests.count == 3)
        #expect(rpc.pool.batchLimit(0) == 1)
    }
}

/// One answer to a single call with no retry budget: the exact message.
let singleAnswerCases: [(FakeTransport.Reply, String)] = [
    (
        .dynamic { body in (502, #"{"jsonrpc":"2.0","id":\#(requestIDs(body)[0]),"result":"0x1"}"#) },
        "eth_chainId on http://node: gave up after 0 retries: HTTP 502"
    ),
    (.http(502, "", [:]), "eth_chainId on http://node: gave up after 0 retries: HTTP 502"),
    (
        .http(200, "", [:]),
        "eth_chainId on http://node: gave up after 0 retries: unreadable response (not JSON or cut short: empty body)"
    ),
    (
        .http(200, #"{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":["odd"],"data":{"why":1}}}"#, [:]),
        #"eth_chainId on http://node: gave up after 0 retries: -32000 ["odd"]"#
    ),
    (
        .http(200, #"{"jsonrpc":"2.0","id":1,"error":{"message":"\#(String(repeating: "e", count: 310))"}}"#, [:]),
        "eth_chainId on http://node: gave up after 0 retries: " + String(repeating: "e", count: 300) + "…"
    ),
    (
        .http(200, #"{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"bad"}}"#, [:]),
        "eth_chainId on http://node: -32602 bad — the endpoint rejected the request's parameters"
    ),
    (
        .http(404, "Not Found", [:]),
        "eth_chainId on http://node: HTTP 404: Not Found — check the URL"
    ),
    (
        .http(200, #"[1]"#, [:]),
        "eth_chainId on http://node: gave up after 0 retries: response is not a JSON-RPC object"
    ),
    (
        .http(200, #"{"jsonrpc":"2.0","id":1}"#, [:]),
        "eth_chainId on http://node: gave up after 0 retries: response has neither result nor error"
    ),
]

@Suite struct RPCSingleAnswerTests {
    @Test(arguments: singleAnswerCases)
    func singleAnswer(_ reply: FakeTransport.Reply, _ message: String) throws {
        let clock = FakeClock()
        let pool = try EndpointPool(urls: ["http://node"], clock: clock)
        let c = RPCClient(
            pool: pool, transport: FakeTransport([reply]), policy: RetryPolicy(maxRetries: 0), clock: clock)
        let e = #expect(throws: ChainCastError.self) { try c.callRaw("eth_chainId") }
        #expect(e?.message == message)
    }

    @Test("retries are announced with their delay; with two endpoints the last one is named")
    func retryNotes() throws {
        let clock = FakeClock()
        let pool = try EndpointPool(urls: ["http://a", "http://b"], clock: clock)
        let c = RPCClient(
            pool: pool, transport: FakeTransport([.http(503, "busy", ["retry-after": "3"]), .http(503, "busy", [:])]),
            policy: RetryPolicy(maxRetries: 1, baseDelay: 0.5, maxDelay: 8), clock: clock, seed: 1)
        let notes = LockedStrings()
        c.onRetry = { notes.append($0) }
        let e = #expect(throws: ChainCastError.self) { try c.callRaw("eth_chainId") }
        #expect(e?.message == "eth_chainId (last on http://b): gave up after 1 retries: HTTP 503: busy")
        #expect(notes.values == ["eth_chainId on http://a: HTTP 503: busy; retry 1/1"])
    }
}

/// @unchecked Sendable: `items` is only touched under `lock`.
final class LockedStrings: @unchecked Sendable {
    private let lock = TestLock()
    private var items: [String] = []
    func append(_ v: String) { lock.with { items.append(v) } }
    var values: [String] { lock.with { items } }
}
