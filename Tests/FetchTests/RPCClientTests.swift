import CCKit
import Testing

/// RPCClient, RetryPolicy, TokenBucket and EndpointPool with a scripted
/// transport and a fake clock: exact backoff schedules, no real sleeping.
@Suite struct RPCClientTests {
    static let url = "https://eth-mainnet.example.com/v2/SECRETKEY123"

    func client(
        _ script: [FakeTransport.Reply], urls: [String] = [url], retries: Int = 4, seed: UInt64 = 42
    ) throws -> (RPCClient, FakeTransport, FakeClock) {
        let clock = FakeClock()
        let transport = FakeTransport(script)
        let pool = try EndpointPool(urls: urls, clock: clock)
        let client = RPCClient(
            pool: pool, transport: transport, policy: RetryPolicy(maxRetries: retries, baseDelay: 0.5, maxDelay: 8),
            clock: clock, seed: seed)
        return (client, transport, clock)
    }

    func expectedDelays(_ n: Int, seed: UInt64 = 42, retryAfter: [Double?]? = nil) -> [Double] {
        var rng = SplitMix64(seed: seed)
        let policy = RetryPolicy(maxRetries: 4, baseDelay: 0.5, maxDelay: 8)
        return (0..<n).map { policy.delay(attempt: $0, retryAfter: retryAfter?[$0], using: &rng) }
    }

    @Test func requestCarriesIdMethodAndParams() throws {
        let (c, t, _) = try client([ok(#""0x10""#)])
        let raw = try c.callRaw("eth_getBlockByNumber", paramsJSON: #"["latest",false]"#)
        #expect(String(decoding: raw, as: UTF8.self) == #""0x10""#)
        #expect(
            t.sentBodies == [#"{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["latest",false]}"#])
        _ = try? c.callRaw("eth_chainId")
        #expect(t.sentBodies.last == #"{"jsonrpc":"2.0","id":2,"method":"eth_chainId","params":[]}"#)
    }

    @Test func transientFailuresBackOffWithFullJitter() throws {
        let (c, t, clock) = try client([
            .http(503, "<html>busy</html>", [:]), .fail(TransportError(.connectionReset, "Empty reply from server")),
            .http(200, "<html>cloudflare</html>", [:]), rpcError(-32603, "internal error"), ok(#""0x1""#),
        ])
        #expect(try c.callRaw("eth_blockNumber") == Array(#""0x1""#.utf8))
        #expect(t.requests.count == 5)
        #expect(clock.sleeps == expectedDelays(4))
        for (n, d) in clock.sleeps.enumerated() { #expect(d >= 0 && d <= 0.5 * Double(1 << n)) }
    }

    @Test func retryAfterIsHonoured() throws {
        let (c, _, clock) = try client([.http(429, "Too Many Requests", ["retry-after": "5"]), ok("true")])
        _ = try c.callRaw("eth_chainId")
        #expect(clock.sleeps == [5])
    }

    @Test func retryAfterOnA503IsHonouredToo() throws {
        let (c, _, clock) = try client([.http(503, "maintenance", ["retry-after": "7"]), ok("true")])
        _ = try c.callRaw("eth_chainId")
        #expect(clock.sleeps == [7])
    }

    @Test func infuraBackoffSecondsCountsAsRetryAfter() throws {
        let body =
            #"{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"project ID request rate exceeded","data":{"backoff_seconds":3.0}}}"#
        let (c, _, clock) = try client([.http(200, body, [:]), ok("true")])
        _ = try c.callRaw("eth_chainId")
        #expect(clock.sleeps == [3])
    }

    @Test func givesUpAfterTheRetryBudgetWithExit69() throws {
        let (c, t, _) = try client(Array(repeating: .http(503, "down", [:]), count: 10), retries: 2)
        let error = #expect(throws: ChainCastError.self) { try c.callRaw("eth_blockNumber") }
        #expect(error?.status == .unavailable)
        #expect(
            error?.message
                == "eth_blockNumber on https://eth-mainnet.example.com/…: gave up after 2 retries: HTTP 503: down")
        #expect(t.requests.count == 3)
    }

    @Test func unauthorizedStopsAtOnceWithARedactedURL() throws {
        let (c, t, clock) = try client([rpcError(-32600, "Must be authenticated!", status: 401), ok("1")])
        let error = #expect(throws: ChainCastError.self) {
            _ = try c.call(RPCCall("eth_getLogs", paramsJSON: "[{}]")) { _ throws(ChainCastError) in () }
        }
        #expect(error?.status == .config)
        #expect(
            error?.message
                == "eth_getLogs on https://eth-mainnet.example.com/…: HTTP 401: -32600 Must be authenticated! — check the API key in the URL"
        )
        #expect(t.requests.count == 1)
        #expect(clock.sleeps.isEmpty)
    }

    @Test func methodNotFoundStopsWithExit69() throws {
        let (c, _, _) = try client([rpcError(-32601, "the method eth_getLogs does not exist/is not available")])
        let error = #expect(throws: ChainCastError.self) { try c.callRaw("eth_getLogs", paramsJSON: "[{}]") }
        #expect(error?.status == .unavailable)
    }

    @Test func providerMessagesLoseTheKey() throws {
        let (c, _, _) = try client([rpcError(-32600, "invalid api key SECRETKEY123")])
        let error = #expect(throws: ChainCastError.self) { try c.callRaw("eth_chainId") }
        #expect(error?.message.contains("SECRETKEY123") == false)
        #expect(error?.message.contains("invalid api key …") == true)
    }

    @Test func rangeRefusalsGoBackToTheCaller() throws {
        let msg = "query returned more than 10000 results. Try with this block range [0x10, 0x1f]."
        let (c, t, clock) = try client([rpcError(-32005, msg)])
        let outcome = try c.call(
            RPCCall("eth_getLogs", paramsJSON: #"[{"fromBlock":"0x10","toBlock":"0x40"}]"#),
            allowRefusal: true
        ) { r throws(ChainCastError) in r.value.count }
        guard case .refused(let failure, let message) = outcome else {
            Issue.record("expected a refusal")
            return
        }
        #expect(failure == ProviderError(.rangeRefused(.results((16, 31))), "infura-results"))
        #expect(message == "-32005 " + msg)
        #expect(t.requests.count == 1 && clock.sleeps.isEmpty)
    }

    @Test func timeoutIsARefusalForRangedCallsAndARetryOtherwise() throws {
        let (c, _, _) = try client([.fail(TransportError(.timeout))])
        let outcome = try c.call(RPCCall("eth_getLogs", paramsJSON: "[{}]"), allowRefusal: true) {
            _ throws(ChainCastError) in 0
        }
        if case .refused(let f, _) = outcome { #expect(f.kind == .timeout) } else { Issue.record("not refused") }
        let (c2, t2, _) = try client([.fail(TransportError(.timeout)), ok("7")])
        #expect(try c2.callRaw("eth_blockNumber") == Array("7".utf8))
        #expect(t2.requests.count == 2)
    }

    @Test func mismatchedIdAndMissingResultAreRetried() throws {
        let (c, t, _) = try client([
            .http(200, #"{"jsonrpc":"2.0","id":999,"result":"0x1"}"#, [:]),
            .http(200, #"{"jsonrpc":"2.0","id":1}"#, [:]),
            .http(200, #"{"jsonrpc":"2.0","id":1,"res"#, [:]),
            .http(200, #"[1,2]"#, [:]),
            .http(200, #"[{"jsonrpc":"2.0","id":1,"result":"0x2"}]"#, [:]),
        ])
        #expect(try c.callRaw("eth_blockNumber") == Array(#""0x2""#.utf8))
        #expect(t.requests.count == 5)
    }

    @Test func handlerErrorsPropagateWithoutRetry() throws {
        let (c, t, _) = try client([ok("[1,2]"), ok("[1,2]")])
        let error = #expect(throws: ChainCastError.self) {
            _ = try c.call(RPCCall("eth_getLogs", paramsJSON: "[{}]")) { _ throws(ChainCastError) -> Int in
                throw .data("bad log")
            }
        }
        #expect(error?.message == "bad log")
        #expect(t.requests.count == 1)
    }

    @Test func failingEndpointRestsWhileAnotherTakesTheWork() throws {
        let urls = ["https://a.example/key1234567", "https://b.example/key7654321"]
        let (c, t, clock) = try client([.http(503, "busy", [:]), ok("1"), ok("2"), ok("3")], urls: urls)
        _ = try c.callRaw("eth_blockNumber")
        #expect(t.sentURLs == [urls[0], urls[1]])
        #expect(clock.sleeps.isEmpty)  // failover, no backoff
        #expect(c.pool.isResting(0))
        _ = try c.callRaw("eth_blockNumber")
        _ = try c.callRaw("eth_blockNumber")
        #expect(t.sentURLs == [urls[0], urls[1], urls[1], urls[1]])
        clock.advance(1.5)
        #expect(!c.pool.isResting(0))
    }

    @Test func fullJitterStaysWithinItsBounds() {
        let policy = RetryPolicy(maxRetries: 10, baseDelay: 0.25, maxDelay: 30)
        var rng = SplitMix64(seed: 7)
        for attempt in 0..<20 {
            let ceiling = min(30, 0.25 * Double(1 << min(attempt, 20)))
            for _ in 0..<50 {
                let d = policy.delay(attempt: attempt, retryAfter: nil, using: &rng)
                #expect(d >= 0 && d <= ceiling)
            }
        }
        #expect(policy.delay(attempt: 0, retryAfter: 4, unit: 0.5) == 4)
        #expect(policy.delay(attempt: 9, retryAfter: 4, unit: 1) == 30)
        #expect(policy.delay(attempt: 0, retryAfter: 10_000, unit: 0) == 300)
    }

    @Test func tokenBucketSpacesRequests() {
        let clock = FakeClock()
        let bucket = TokenBucket(ratePerSecond: 10, clock: clock)
        let waits = (0..<5).map { _ in bucket.reserve() }
        #expect(zip(waits, [0, 0.1, 0.2, 0.3, 0.4]).allSatisfy { abs($0 - $1) < 1e-9 })
        clock.advance(1)
        #expect(bucket.reserve() == 0)
        #expect(bucket.reserve(5) == 0.5)  // a batch of five spends five tokens
        let bursty = TokenBucket(ratePerSecond: 2, burst: 3, clock: clock)
        #expect((0..<4).map { _ in bursty.reserve() } == [0, 0, 0, 0.5])
    }

    @Test func nonsenseNumbersDoNotTrap() throws {
        let policy = RetryPolicy(maxRetries: -3, baseDelay: .nan, maxDelay: .infinity, maxRetryAfter: -1)
        #expect(policy.maxRetries == 0)
        #expect(policy.delay(attempt: Int.max, retryAfter: .infinity, unit: .nan) == 0)
        let bucket = TokenBucket(ratePerSecond: .nan, burst: .nan, clock: FakeClock())
        #expect(bucket.reserve() == 0)
        _ = try CurlTransport(options: .init(connectTimeout: .nan, requestTimeout: -.infinity))
        try SystemClock().sleep(seconds: .nan)
        try SystemClock().sleep(seconds: -1)
        #expect(parseRetryAfter(String(repeating: "9", count: 400), now: 0) == nil)
    }

    @Test func tokenBucketPacesTheClient() throws {
        let clock = FakeClock()
        let pool = try EndpointPool(urls: [Self.url], clock: clock)
        let c = RPCClient(
            pool: pool, transport: FakeTransport([ok("1"), ok("2"), ok("3")]),
            rateLimiter: TokenBucket(ratePerSecond: 4, clock: clock), clock: clock)
        for _ in 0..<3 { _ = try c.callRaw("eth_blockNumber") }
        #expect(clock.sleeps == [0.25, 0.25])
    }

    @Test func poolPrefersIdleEndpointsAndWaitsWhenAllRest() throws {
        let clock = FakeClock()
        let pool = try EndpointPool(urls: ["http://a", "http://b", "http://c"], baseCooldown: 2, clock: clock)
        let first = pool.checkout()
        let second = pool.checkout()
        #expect(first.index != second.index && first.wait == 0)
        pool.checkin(first.index, failed: true)
        pool.checkin(second.index, failed: true, retryAfter: 10)
        let third = pool.checkout()
        pool.checkin(third.index, failed: true)
        pool.checkin(third.index, failed: true)  // second failure in a row: 4 s
        let waiting = pool.checkout()
        #expect(waiting.index == first.index && waiting.wait == 2)
        #expect(pool.endpoints.map(\.name) == ["http://a", "http://b", "http://c"])
        #expect(throws: ChainCastError.self) { try EndpointPool(urls: []) }
    }
}

@Suite struct RPCBatchTests {
    func setup(_ script: [FakeTransport.Reply]) throws -> (RPCClient, FakeTransport) {
        let clock = FakeClock()
        let transport = FakeTransport(script)
        let pool = try EndpointPool(urls: ["http://node"], clock: clock)
        return (
            RPCClient(pool: pool, transport: transport, policy: RetryPolicy(maxRetries: 3), clock: clock), transport
        )
    }

    /// Answers a batch in reverse order, each result the request's id times ten.
    static let reversed: FakeTransport.Reply = .dynamic { body in
        let items = requestIDs(body).reversed().map { #"{"jsonrpc":"2.0","id":\#($0),"result":\#($0 * 10)}"# }
        return (200, "[" + items.joined(separator: ",") + "]")
    }

    @Test func batchesAndMatchesAnswersById() throws {
        let (c, t) = try setup([Self.reversed, Self.reversed])
        let calls = (0..<5).map { RPCCall("eth_getBlockByNumber", paramsJSON: "[\"0x\($0)\",false]") }
        var got = [Int: Int64]()
        let refusals = try c.batch(calls, maxBatch: 3) { i, r throws(ChainCastError) in got[i] = r.value.int64 }
        #expect(refusals.allSatisfy { $0 == nil })
        #expect(got == [0: 10, 1: 20, 2: 30, 3: 40, 4: 50])
        #expect(t.requests.count == 2)
        #expect(
            t.sentBodies[0].hasPrefix(
                #"[{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x0",false]},"#))
    }

    @Test func rejectedBatchesFallBackToSingleRequests() throws {
        let (c, t) = try setup([
            .http(
                200,
                #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"batch requests are not supported"}}"#,
                [:]),
            ok("1"), ok("2"), ok("3"),
        ])
        let calls = (0..<3).map { _ in RPCCall("eth_blockNumber") }
        var got: [Int] = []
        _ = try c.batch(calls, maxBatch: 10) { i, _ throws(ChainCastError) in got.append(i) }
        #expect(got == [0, 1, 2])
        #expect(t.requests.count == 4)
        #expect(c.pool.batchLimit(0) == 1)
    }

    @Test func tooLargeBatchesAreHalved() throws {
        let (c, t) = try setup([
            rpcError(-32600, "batch limit 2 exceeded (got 4)"), Self.reversed, Self.reversed,
        ])
        var got = Set<Int>()
        _ = try c.batch((0..<4).map { _ in RPCCall("eth_chainId") }, maxBatch: 4) { i, _ throws(ChainCastError) in
            got.insert(i)
        }
        #expect(got == [0, 1, 2, 3])
        #expect(t.requests.count == 3)
        #expect(c.pool.batchLimit(0) == 2)
    }

    @Test func missingAndFailedItemsAreResent() throws {
        let (c, t) = try setup([
            .dynamic { body in
                let ids = requestIDs(body)
                return (
                    200,
                    #"[{"jsonrpc":"2.0","id":\#(ids[0]),"result":"a"},{"jsonrpc":"2.0","id":\#(ids[1]),"error":{"code":-32000,"message":"header not found"}}]"#
                )
            },
            Self.reversed,
        ])
        var got = [Int]()
        _ = try c.batch((0..<3).map { _ in RPCCall("eth_getBlockByNumber") }, maxBatch: 3) {
            i, _ throws(ChainCastError) in got.append(i)
        }
        #expect(got.sorted() == [0, 1, 2])
        #expect(t.requests.count == 2)
        #expect(requestIDs(t.sentBodies[1]).count == 2)
    }

    @Test func rangeRefusalsInBatchesAreReported() throws {
        let (c, _) = try setup([
            .dynamic { body in
                let ids = requestIDs(body)
                return (
                    200,
                    #"[{"jsonrpc":"2.0","id":\#(ids[0]),"result":[]},{"jsonrpc":"2.0","id":\#(ids[1]),"error":{"code":-32000,"message":"exceed maximum block range: 5000"}}]"#
                )
            }
        ])
        let refusals = try c.batch([RPCCall("eth_getLogs"), RPCCall("eth_getLogs")], maxBatch: 2, allowRefusal: true) {
            _, _ throws(ChainCastError) in
        }
        #expect(refusals == [nil, ProviderError(.rangeRefused(.blocks(maxBlocks: 5000)), "geth-range")])
    }
}

@Suite struct RPCSecretEchoTests {
    @Test func anErrorBodyEchoingBase64UserinfoIsScrubbed() throws {
        let url = "https://alice:hunter22@rpc.example.com/v3/abc"
        let transport = FakeTransport([.http(401, "bad Authorization: Basic YWxpY2U6aHVudGVyMjI= for alice", [:])])
        let pool = try EndpointPool(urls: [url], clock: FakeClock())
        let c = RPCClient(
            pool: pool, transport: transport, policy: RetryPolicy(maxRetries: 0, baseDelay: 0.5, maxDelay: 8),
            clock: FakeClock(), seed: 1)
        let error = #expect(throws: ChainCastError.self) { try c.callRaw("eth_chainId") }
        #expect(error?.message.contains("YWxpY2U6aHVudGVyMjI") == false)
        #expect(error?.message.contains("hunter22") == false)
    }
}
