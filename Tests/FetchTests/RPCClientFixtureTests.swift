import CCKit
import CCTestSupport
import Foundation
import Testing

/// A real clock that also records the sleeps it is asked for.
final class RecordingClock: RPCClock, @unchecked Sendable {
    private let lock = TestLock()
    private var recorded: [Double] = []
    private let real = SystemClock()
    func now() -> Double { real.now() }
    func sleep(seconds: Double) throws(ChainCastError) {
        lock.with { recorded.append(seconds) }
        try real.sleep(seconds: seconds)
    }
    var sleeps: [Double] { lock.with { recorded } }
}

/// RPCClient + CurlTransport against the fixture node with faults switched on.
@Suite struct RPCClientFixtureTests {
    func client(_ node: FixtureNode, path: String = "", retries: Int = 6, clock: any RPCClock = SystemClock()) throws
        -> RPCClient
    {
        RPCClient(
            pool: try EndpointPool(urls: [node.url + path], clock: clock),
            transport: try CurlTransport(options: .init(connectTimeout: 2, requestTimeout: 5)),
            policy: RetryPolicy(maxRetries: retries, baseDelay: 0.01, maxDelay: 0.05), clock: clock, seed: 1)
    }

    static let logs100 = RPCCall("eth_getLogs", paramsJSON: #"[{"fromBlock":"0x1","toBlock":"0x64"}]"#)

    func countLogs(_ c: RPCClient, _ call: RPCCall = logs100) throws -> Int {
        let outcome = try c.call(call) { r throws(ChainCastError) in r.value.count }
        guard case .success(let n) = outcome else { return -1 }
        return n
    }

    @Test func retryAfterFrom429IsHonoured() throws {
        let node = try FixtureNode(["--blocks", "200", "--rate-limit-every", "2", "--retry-after", "1"])
        let clock = RecordingClock()
        let c = try client(node, clock: clock)
        let expected = try countLogs(c)
        let started = clock.now()
        #expect(try countLogs(c) == expected)
        #expect(clock.sleeps == [1])
        #expect(clock.now() - started >= 1)
        #expect(try node.stat("faults", "429") == 1)
    }

    @Test func serviceUnavailableDropsTruncationAndGarbageAreRetried() throws {
        for fault in [
            "--fail-503-every", "--drop-every", "--reset-every", "--truncate-every", "--garbage-every",
            "--header-not-found-every", "--fail-500-every",
        ] {
            let node = try FixtureNode(["--blocks", "200", fault, "2", "--no-gzip"])
            let c = try client(node)
            let first = try countLogs(c)
            #expect(first > 100)
            for _ in 0..<3 { #expect(try countLogs(c) == first, "\(fault)") }
            #expect(try node.stat("http_requests") == 7, "\(fault)")
        }
    }

    @Test func wrongKeyStopsWithExit78AndARedactedURL() throws {
        let node = try FixtureNode(["--blocks", "200", "--api-key", "k3y-abcdef"])
        let c = try client(node, path: "/v2/wrong-key-123")
        let error = #expect(throws: ChainCastError.self) { try countLogs(c) }
        #expect(error?.status == .config)
        #expect(
            error?.message
                == "eth_getLogs on http://127.0.0.1:\(node.port)/…: HTTP 401: -32600 Must be authenticated! — check the API key in the URL"
        )
        #expect(try countLogs(try client(node, path: "/v2/k3y-abcdef")) > 0)
    }

    @Test func rangeLimitComesBackWithTheProvidersSuggestion() throws {
        let node = try FixtureNode(["--blocks", "3000", "--range-limit", "1000", "--error-style", "alchemy"])
        let c = try client(node)
        let call = RPCCall("eth_getLogs", paramsJSON: #"[{"fromBlock":"0x64","toBlock":"0x9c4"}]"#)
        let outcome = try c.call(call, allowRefusal: true) { r throws(ChainCastError) in r.value.count }
        guard case .refused(let failure, _) = outcome else {
            Issue.record("expected a refusal")
            return
        }
        #expect(
            failure == ProviderError(.rangeRefused(.blocks(from: 100, to: 1099, maxBlocks: 1000)), "alchemy-range"))
    }

    static let styles = [
        "1rpc", "alchemy", "ankr", "ankr-tac", "arbitrum", "aurora", "avalanche", "base", "besu", "blast", "blockpi",
        "chainstack", "cloudflare", "coinbase", "drpc", "erigon", "geth", "harmony", "infura", "llamarpc", "merkle",
        "moonriver", "nethermind", "optimism", "publicnode", "quicknode", "reth", "somnia", "swell", "thirdweb",
        "zksync",
    ]

    /// Every error style the node can speak, for both limits, reaches the
    /// caller as a refusal that splitting fixes, with a usable hint whenever
    /// the message carries one.
    @Test(arguments: ["range_limit", "result_limit"])
    func everyFixtureStyleIsRecognised(limit: String) throws {
        let node = try FixtureNode(["--blocks", "400"])
        let c = try client(node)
        for style in Self.styles {
            try node.control(#"{"faults":{"error_style":"\#(style)","\#(limit)":50}}"#)
            let outcome = try c.call(Self.logs100, allowRefusal: true) { r throws(ChainCastError) in r.value.count }
            guard case .refused(let failure, let message) = outcome else {
                Issue.record("\(style) \(limit): not refused")
                continue
            }
            #expect(failure.kind.splitsRange, "\(style) \(limit): \(failure) \(message)")
            if message.contains("should work: [") || message.contains("block range [")
                || message.contains("retry with the range")
            {
                switch failure.kind {
                case .rangeRefused(let hint) where hint.from != nil:
                    #expect(hint.from == 1, "\(style) \(limit): \(message)")
                default: Issue.record("\(style) \(limit): no hint from \(message)")
                }
            }
        }
    }

    @Test func rejectedBatchesFallBackAgainstTheNode() throws {
        let node = try FixtureNode(["--blocks", "300", "--reject-batches"])
        let c = try client(node)
        let calls = (1...6).map {
            RPCCall("eth_getBlockByNumber", paramsJSON: "[\"0x\(String($0, radix: 16))\",false]")
        }
        var numbers = [Int: UInt64]()
        _ = try c.batch(calls, maxBatch: 6) { i, r throws(ChainCastError) in numbers[i] = r.value["number"]?.quantity }
        #expect(numbers == [0: 1, 1: 2, 2: 3, 3: 4, 4: 5, 5: 6])
        #expect(try node.stat("faults", "batch_rejected") == 1)
        #expect(try node.stat("http_requests") == 7)
    }

    @Test func batchesWorkAgainstTheNode() throws {
        let node = try FixtureNode(["--blocks", "300", "--max-batch", "4"])
        let c = try client(node)
        let calls = (0..<10).map { k in
            RPCCall(
                "eth_getLogs",
                paramsJSON:
                    #"[{"fromBlock":"0x\#(String(k * 10 + 1, radix: 16))","toBlock":"0x\#(String(k * 10 + 10, radix: 16))"}]"#
            )
        }
        var total = 0
        _ = try c.batch(calls, maxBatch: 8) { _, r throws(ChainCastError) in total += r.value.count }
        let all = try countLogs(c, RPCCall("eth_getLogs", paramsJSON: #"[{"fromBlock":"0x1","toBlock":"0x64"}]"#))
        #expect(total == all)
        #expect(c.pool.batchLimit(0) == 4)
    }

    @Test func failingEndpointIsRestedAndTheOtherTakesTheWork() throws {
        let bad = try FixtureNode(["--blocks", "200", "--fail-503-every", "1"])
        let good = try FixtureNode(["--blocks", "200"])
        let pool = try EndpointPool(urls: [bad.url + "/key-aaaaaaaa", good.url + "/key-bbbbbbbb"], baseCooldown: 30)
        let c = RPCClient(
            pool: pool, transport: try CurlTransport(), policy: RetryPolicy(maxRetries: 3, baseDelay: 0.01), seed: 3)
        for _ in 0..<10 { #expect(try countLogs(c) > 0) }
        #expect(try bad.stat("http_requests") == 1)
        #expect(try good.stat("http_requests") == 10)
        #expect(pool.isResting(0) && !pool.isResting(1))
    }

    /// Four workers, each with its own client and connection, share the pool
    /// and the token bucket, against a node that fails now and then.
    @Test func workersShareThePoolAndTheBucket() throws {
        let node = try FixtureNode(["--blocks", "400", "--fail-503-every", "7", "--drop-every", "11"])
        let pool = try EndpointPool(urls: [node.url])
        let bucket = TokenBucket(ratePerSecond: 400, burst: 4)
        let small = RPCCall("eth_getLogs", paramsJSON: #"[{"fromBlock":"0x1","toBlock":"0xa"}]"#)
        let expected = try countLogs(try client(node), small)
        let counts = LockedList()
        let group = DispatchGroup()
        for w in 0..<4 {
            let transport = try CurlTransport()
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                let c = RPCClient(
                    pool: pool, transport: transport, policy: RetryPolicy(maxRetries: 8, baseDelay: 0.005),
                    rateLimiter: bucket, seed: UInt64(w))
                for _ in 0..<10 {
                    let n = (try? self.countLogs(c, small)) ?? -1
                    counts.append(n)
                }
            }
        }
        group.wait()
        #expect(counts.values.count == 40)
        #expect(counts.values.allSatisfy { $0 == expected })
        #expect(try node.stat("get_logs", "ok") == 41)
    }
}
