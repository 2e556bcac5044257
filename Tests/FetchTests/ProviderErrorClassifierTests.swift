import CCKit
import Testing

/// One provider message shape per case: the text as the provider sends it,
/// and what cc-fetch must make of it.
struct ShapeCase: CustomTestStringConvertible, Sendable {
    var name: String
    var status: Int = 200
    var code: Int?
    var message: String
    var data: String?
    var retryAfter: Double?
    var expected: ProviderErrorKind
    var shape: String

    var testDescription: String { name }
}

private func range(_ n: UInt64) -> ProviderErrorKind { .rangeRefused(.blocks(maxBlocks: n)) }

let providerShapes: [ShapeCase] = [
    // Ranges the provider suggests.
    ShapeCase(
        name: "Alchemy free-tier range", code: -32602,
        message:
            "Under the Free tier plan, you can make eth_getLogs requests with up to a 10 block range. Based on your parameters, this block range should work: [0x112a880, 0x112a889]",
        expected: .rangeRefused(.blocks(from: 0x112a880, to: 0x112a889, maxBlocks: 10)), shape: "alchemy-range"),
    ShapeCase(
        name: "Alchemy response size", code: -32602,
        message:
            "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can request any block range with a cap of 10K logs in the response. Based on your parameters and the response size limit, this block range should work: [0xc5dc00, 0xc614a7]",
        expected: .rangeRefused(.results((0xc5dc00, 0xc614a7))), shape: "alchemy-results"),
    ShapeCase(
        name: "Infura result limit with range", code: -32005,
        message: "query returned more than 10000 results. Try with this block range [0x112A880, 0x112A908].",
        expected: .rangeRefused(.results((0x112a880, 0x112a908))), shape: "infura-results"),
    ShapeCase(
        name: "Infura result limit, range only in data", code: -32005,
        message: "query returned more than 10000 results", data: #"{"from":"0x10","to":"0x20","limit":10000}"#,
        expected: .rangeRefused(.results((16, 32))), shape: "infura-results"),
    ShapeCase(
        name: "zkSync result limit", code: -32602,
        message: "Query returned more than 10000 results. Try with this block range [0x1, 0x64].",
        expected: .rangeRefused(.results((1, 100))), shape: "infura-results"),
    ShapeCase(
        name: "reth result limit", code: -32602,
        message: "query exceeds max results 20000, retry with the range 19000000-19000450",
        expected: .rangeRefused(.results((19_000_000, 19_000_450))), shape: "reth-results"),
    // Result limits without a suggestion.
    ShapeCase(
        name: "geth / zkEVM result limit", code: -32000, message: "query returned more than 10000 results",
        expected: .rangeRefused(.results()), shape: "geth-results"),
    ShapeCase(
        name: "erigon result limit", code: -32000,
        message: "query returns too many logs, narrow your filter: 20000", expected: .rangeRefused(.results()),
        shape: "erigon-results"),
    ShapeCase(
        name: "Ankr / LlamaRPC result limit", code: -32062, message: "query exceeds max results 10000",
        expected: .rangeRefused(.results()), shape: "max-results"),
    ShapeCase(
        name: "Arbitrum result limit", code: -32000, message: "logs matched by query exceeds limit of 10000",
        expected: .rangeRefused(.results()), shape: "arbitrum-results"),
    // Range limits with a stated size.
    ShapeCase(
        name: "geth / BSC range limit", code: -32000, message: "exceed maximum block range: 5000",
        expected: range(5000), shape: "geth-range"),
    ShapeCase(
        name: "reth / Hyperliquid range limit", code: -32602, message: "query exceeds max block range 100000",
        expected: range(100_000), shape: "reth-range"),
    ShapeCase(
        name: "erigon range limit", code: -32000, message: "block range too large, max range: 1000",
        expected: range(1000), shape: "erigon-base-range"),
    ShapeCase(
        name: "Infura range limit", code: -32602, message: "range 1000000 exceeds limit of 10000",
        expected: range(10_000), shape: "infura-range"),
    ShapeCase(
        name: "QuickNode range limit (HTTP 413)", status: 413, code: -32614,
        message: "eth_getLogs is limited to a 10,000 range", expected: range(10_000), shape: "quicknode-range"),
    ShapeCase(
        name: "publicnode range limit", code: -32000, message: "maximum block range: 50000",
        expected: range(50_000), shape: "publicnode-range"),
    ShapeCase(
        name: "Nethermind range limit", code: -32602,
        message: "'eth_getLogs' exceeded the maximum block range of 10000", expected: range(10_000),
        shape: "nethermind-range"),
    ShapeCase(
        name: "Avalanche range limit", code: -32000,
        message: "requested too many blocks from 0 to 20000, maximum is set to 2048", expected: range(2048),
        shape: "avalanche-range"),
    ShapeCase(
        name: "Cloudflare range limit", code: -32047, message: "Max range: 800", expected: range(800),
        shape: "cloudflare-range"),
    ShapeCase(
        name: "thirdweb range limit", code: -32602,
        message: "Maximum allowed number of requested blocks is 1000", expected: range(1000),
        shape: "thirdweb-range"),
    ShapeCase(
        name: "BlockPI range limit", code: -32000, message: "eth_getLogs is limited to 1024 block range",
        expected: range(1024), shape: "blockpi-range"),
    ShapeCase(
        name: "Blast plan range limit", code: -32000,
        message: "eth_getLogs block range exceeds the range allowed for your plan (5000 > 1000)",
        expected: range(1000), shape: "blast-range"),
    ShapeCase(
        name: "Coinbase range limit", code: -32000, message: "please limit the query to at most 1,000 blocks",
        expected: range(1000), shape: "coinbase-range"),
    ShapeCase(
        name: "Swell range limit", code: -32000, message: "block range greater than 1000 max",
        expected: range(1000), shape: "swell-range"),
    ShapeCase(
        name: "Somnia range limit", code: -32000, message: "block range exceeds 1000",
        expected: range(1000), shape: "somnia-range"),
    ShapeCase(
        name: "Merkle range limit", code: -32000, message: "eth_getLogs range is too large, max is 10k blocks",
        expected: range(10_000), shape: "merkle-range"),
    ShapeCase(
        name: "Harmony range limit", code: -32000, message: "GetLogs query must be smaller than size 1024",
        expected: range(1024), shape: "harmony-range"),
    ShapeCase(
        name: "Moonriver range limit", code: -32603, message: "block range is too wide (maximum 1024)",
        expected: range(1024), shape: "moonriver-range"),
    ShapeCase(
        name: "Aurora range limit", code: -32000,
        message: "You can make eth_getLogs requests with up to a 2000 block range", expected: range(2000),
        shape: "aurora-range"),
    ShapeCase(
        name: "Ankr TAC range limit", code: -32000, message: "maximum [from, to] blocks distance: 1000",
        expected: range(1000), shape: "ankr-tac-range"),
    ShapeCase(
        name: "dRPC range limit", code: 35, message: "ranges over 10000 blocks are not supported on freetier",
        expected: range(10_000), shape: "drpc-range"),
    // Range limits without a size.
    ShapeCase(
        name: "Ankr range limit", code: -32600, message: "block range is too wide",
        expected: .rangeRefused(.blocks()), shape: "ankr-range"),
    ShapeCase(
        name: "Base range limit", code: -32000, message: "block range too large",
        expected: .rangeRefused(.blocks()), shape: "erigon-base-range"),
    ShapeCase(
        name: "Optimism range limit", code: -32600, message: "Block range is too large",
        expected: .rangeRefused(.blocks()), shape: "optimism-range"),
    ShapeCase(
        name: "Chainstack range limit", code: -32000, message: "Block range limit exceeded. Upgrade your plan.",
        expected: .rangeRefused(.blocks()), shape: "chainstack-range"),
    ShapeCase(
        name: "Besu range limit", code: -32005, message: "Requested range exceeds maximum range limit",
        expected: .rangeRefused(.blocks()), shape: "besu-range"),
    // Response size.
    ShapeCase(
        name: "1RPC response size", code: -32000,
        message: "response size should not greater than 10000000 bytes", expected: .rangeRefused(RangeRefusal(.size)),
        shape: "1rpc-size"),
    ShapeCase(
        name: "Optimism backend response", code: -32000, message: "backend response too large",
        expected: .rangeRefused(RangeRefusal(.size)), shape: "optimism-size"),
    ShapeCase(
        name: "rindexer-style response too big", code: -32000, message: "response is too big",
        expected: .rangeRefused(RangeRefusal(.size)), shape: "generic-size"),
    ShapeCase(
        name: "HTTP 413 without a message", status: 413, message: "", expected: .rangeRefused(RangeRefusal(.size)),
        shape: "http-413"),
    // Timeouts.
    ShapeCase(
        name: "geth query timeout", code: -32000, message: "query timeout exceeded", expected: .timeout,
        shape: "timeout"),
    ShapeCase(
        name: "Infura query duration", code: -32005,
        message: "Query duration must not exceed 10 seconds", expected: .timeout, shape: "timeout"),
    ShapeCase(name: "HTTP 504", status: 504, message: "", expected: .timeout, shape: "http-504"),
    ShapeCase(name: "Cloudflare 524", status: 524, message: "", expected: .timeout, shape: "http-524"),
    ShapeCase(name: "HTTP 408", status: 408, message: "", expected: .timeout, shape: "http-408"),
    ShapeCase(
        name: "proxy connection timeout is transient, not a slow query", status: 503,
        message: "upstream connect error or disconnect/reset before headers. reset reason: connection timeout",
        expected: .transient, shape: "upstream"),
    // Throttling.
    ShapeCase(
        name: "HTTP 429 with Retry-After", status: 429, message: "Too Many Requests", retryAfter: 2,
        expected: .rateLimited(retryAfter: 2), shape: "http-429"),
    ShapeCase(
        name: "Alchemy compute units (code 429)", code: 429,
        message: "Your app has exceeded its compute units per second capacity.",
        expected: .rateLimited(retryAfter: nil),
        shape: "http-429"),
    ShapeCase(
        name: "Infura request rate with backoff", code: -32005, message: "project ID request rate exceeded",
        data: #"{"see":"https://infura.io/dashboard","current_rps":13.333,"allowed_rps":10.0,"backoff_seconds":30.0}"#,
        expected: .rateLimited(retryAfter: 30), shape: "rate-limit"),
    ShapeCase(
        name: "Ankr rate limit", code: -32090,
        message: "Too many requests, reason: call rate limit exhausted, retry in 10s",
        expected: .rateLimited(retryAfter: nil), shape: "rate-limit"),
    ShapeCase(
        name: "EIP-1474 limit exceeded", code: -32005, message: "limit exceeded",
        expected: .rateLimited(retryAfter: nil), shape: "code-32005"),
    // Transient.
    ShapeCase(
        name: "HTTP 503 page", status: 503, message: "<html><body><h1>503</h1></body></html>",
        expected: .transient, shape: "http-503"),
    ShapeCase(
        name: "HTTP 502 Bad Gateway", status: 502, message: "Bad Gateway", expected: .transient,
        shape: "upstream"),
    ShapeCase(
        name: "internal error", status: 500, code: -32603, message: "internal error", expected: .transient,
        shape: "internal-error"),
    ShapeCase(
        name: "Base no healthy backend", code: -32011, message: "no backend is currently healthy to serve traffic",
        expected: .transient, shape: "upstream"),
    ShapeCase(
        name: "header not found", code: -32000, message: "header not found", expected: .headerNotFound,
        shape: "header-not-found"),
    ShapeCase(
        name: "unknown block", code: -32000, message: "unknown block", expected: .headerNotFound,
        shape: "header-not-found"),
    // Permanent.
    ShapeCase(
        name: "HTTP 401", status: 401, code: -32600, message: "Must be authenticated!",
        expected: .permanentAuth, shape: "http-401"),
    ShapeCase(name: "HTTP 403", status: 403, message: "Forbidden", expected: .permanentAuth, shape: "http-403"),
    ShapeCase(
        name: "Infura bad project id", code: -32600, message: "invalid project id",
        expected: .permanentAuth, shape: "auth"),
    ShapeCase(
        name: "method not found", code: -32601,
        message: "the method eth_getLogs does not exist/is not available", expected: .methodNotFound,
        shape: "method-not-found"),
    ShapeCase(
        name: "invalid params unrelated to ranges", code: -32602,
        message: "invalid argument 0: hex string has leading zero digits after 0x", expected: .invalidParams,
        shape: "code-32602"),
    ShapeCase(name: "HTTP 404", status: 404, message: "Not Found", expected: .badEndpoint, shape: "http-404"),
    ShapeCase(
        name: "redirect left unfollowed", status: 301, message: "Moved Permanently", expected: .badEndpoint,
        shape: "http-301"),
    ShapeCase(
        name: "batches not supported", code: -32600, message: "batch requests are not supported",
        expected: .batchRejected, shape: "batch"),
    ShapeCase(
        name: "batch too large", code: -32600, message: "batch limit 10 exceeded (got 50)",
        expected: .batchRejected, shape: "batch"),
    // Bare JSON-RPC codes whose message names nothing known.
    ShapeCase(name: "bare -32601", code: -32601, message: "nope", expected: .methodNotFound, shape: "method-not-found"),
    ShapeCase(name: "bare -32004", code: -32004, message: "nope", expected: .methodNotFound, shape: "code-32004"),
    ShapeCase(name: "bare -32603", code: -32603, message: "nope", expected: .transient, shape: "code-32603"),
    ShapeCase(name: "bare -32700", code: -32700, message: "nope", expected: .transient, shape: "code-32700"),
    ShapeCase(name: "bare -32001", code: -32001, message: "nope", expected: .headerNotFound, shape: "code-32001"),
    ShapeCase(name: "bare HTTP 400", status: 400, message: "nope", expected: .invalidParams, shape: "http-400"),
    ShapeCase(
        name: "result window", code: -32000, message: "Result window is too large", expected: .rangeRefused(.results()),
        shape: "generic-results"),
    ShapeCase(
        name: "suggested range without a result limit", code: -32000,
        message: "range too big, try with this block range [0x10, 0x1f]",
        expected: .rangeRefused(.results((16, 31))), shape: "suggested-range"),
    ShapeCase(
        name: "merkle range without a number", code: -32000, message: "range is too large, max is unknown",
        expected: .rangeRefused(.blocks()), shape: "merkle-range"),
    ShapeCase(
        name: "too many blocks", code: -32000, message: "too many blocks in one query",
        expected: .rangeRefused(.blocks()), shape: "generic-range"),
    // Numbers and hints the way providers garble them.
    ShapeCase(
        name: "a limit past 2^64", code: -32000, message: "exceed maximum block range: 99999999999999999999999",
        expected: .rangeRefused(.blocks()), shape: "generic-range"),
    ShapeCase(
        name: "a limit in thousands", code: -32000, message: "exceed maximum block range: 10k",
        expected: range(10_000), shape: "geth-range"),
    ShapeCase(
        name: "k that starts a word", code: -32000, message: "exceed maximum block range: 10kb",
        expected: range(10), shape: "geth-range"),
    ShapeCase(
        name: "an upside-down suggestion", code: -32602,
        message: "Based on your parameters, this block range should work: [0x20, 0x10]",
        expected: .rangeRefused(.blocks()), shape: "alchemy-range"),
    ShapeCase(
        name: "a suggestion past 64 bits", code: -32602,
        message: "this block range should work: [0x12345678901234567, 0x12345678901234568]",
        expected: .rangeRefused(.blocks()), shape: "alchemy-range"),
    ShapeCase(
        name: "a suggestion without digits", code: -32602, message: "this block range should work: [0x, 0x5]",
        expected: .rangeRefused(.blocks()), shape: "alchemy-range"),
    ShapeCase(
        name: "Infura data without its end", code: -32005, message: "query returned more than 10000 results",
        data: #"{"from":"0x10","limit":10000}"#, expected: .rangeRefused(.results()), shape: "geth-results"),
    ShapeCase(
        name: "Infura data upside down", code: -32005, message: "query returned more than 10000 results",
        data: #"{"from":"0x20","to":"0x10"}"#, expected: .rangeRefused(.results()), shape: "geth-results"),
    ShapeCase(
        name: "Infura backoff with a space", code: -32005, message: "daily request count exceeded",
        data: #"{"backoff_seconds": 2.5}"#, expected: .rateLimited(retryAfter: 2.5), shape: "rate-limit"),
    ShapeCase(
        name: "Infura backoff that is not a number", code: -32005, message: "daily request count exceeded",
        data: #"{"backoff_seconds":"soon"}"#, expected: .rateLimited(retryAfter: nil), shape: "rate-limit"),
    ShapeCase(name: "unrecognised", code: -32000, message: "execution reverted", expected: .other, shape: "unknown"),
]

@Suite struct ProviderErrorClassifierTests {
    @Test(arguments: providerShapes)
    func classifiesShape(_ c: ShapeCase) {
        let got = ProviderErrorClassifier.classify(
            httpStatus: c.status, code: c.code, message: c.message, data: c.data, retryAfter: c.retryAfter)
        #expect(got == ProviderError(c.expected, c.shape))
    }

    @Test func coversAtLeastTwentyFiveRangeAndSizeShapes() {
        let splitting = Set(providerShapes.filter { $0.expected.splitsRange }.map(\.shape))
        #expect(splitting.count >= 25)
    }

    @Test func transportFailures() {
        #expect(
            ProviderErrorClassifier.classify(TransportError(.timeout)) == ProviderError(.timeout, "transport-timeout"))
        #expect(ProviderErrorClassifier.classify(TransportError(.connectionReset)).kind == .transient)
        #expect(ProviderErrorClassifier.classify(TransportError(.connectionRefused)).kind == .transient)
        #expect(ProviderErrorClassifier.classify(TransportError(.truncated)).kind == .transient)
        #expect(ProviderErrorClassifier.classify(TransportError(.dns)).kind == .transient)
        #expect(ProviderErrorClassifier.classify(TransportError(.invalidURL)).kind == .badEndpoint)
        #expect(ProviderErrorClassifier.classify(TransportError(.tls)).kind == .badEndpoint)
        #expect(
            ProviderErrorClassifier.classify(TransportError(.other)) == ProviderError(.transient, "transport-other"))
        #expect(
            ProviderErrorClassifier.classify(TransportError(.responseTooLarge)).kind
                == .rangeRefused(RangeRefusal(.size)))
    }

    @Test func unparseableBodies() {
        #expect(
            ProviderErrorClassifier.classifyUnparseableBody(httpStatus: 200, body: "<html>oops</html>")
                == ProviderError(.transient, "non-json-body"))
        #expect(
            ProviderErrorClassifier.classifyUnparseableBody(httpStatus: 401, body: "Unauthorized").kind
                == .permanentAuth)
        #expect(
            ProviderErrorClassifier.classifyUnparseableBody(
                httpStatus: 413, body: "eth_getLogs is limited to a 5,000 range")
                == ProviderError(range(5000), "quicknode-range"))
        // A cut-short body that still names the limit is a refusal, not noise.
        #expect(
            ProviderErrorClassifier.classifyUnparseableBody(
                httpStatus: 200, body: "<p>block range too large, max range: 100")
                == ProviderError(range(100), "erigon-base-range"))
    }

    @Test func meaningOfKinds() {
        #expect(ProviderErrorKind.rangeRefused(.blocks()).splitsRange)
        #expect(ProviderErrorKind.timeout.splitsRange && ProviderErrorKind.timeout.isRetryable)
        #expect(!ProviderErrorKind.transient.splitsRange && ProviderErrorKind.transient.isRetryable)
        #expect(ProviderErrorKind.permanentAuth.stopStatus == .config)
        #expect(ProviderErrorKind.methodNotFound.stopStatus == .unavailable)
        #expect(ProviderErrorKind.rateLimited(retryAfter: nil).stopStatus == nil)
    }

    @Test func rangeHintSpans() {
        #expect(RangeRefusal(.blocks, from: 100, to: 149).span(startingAt: 100) == 50)
        #expect(RangeRefusal(.blocks, from: 100, to: 149, maxBlocks: 10).span(startingAt: 100) == 50)
        #expect(RangeRefusal(.blocks, from: 120, to: 149, maxBlocks: 10).span(startingAt: 100) == 10)
        #expect(RangeRefusal(.blocks, maxBlocks: 2000).span(startingAt: 7) == 2000)
        #expect(RangeRefusal(.blocks).span(startingAt: 7) == nil)
        // A suggestion elsewhere still gives its length; an upside-down one gives nothing.
        #expect(RangeRefusal(.results, from: 200, to: 209).span(startingAt: 7) == 10)
        #expect(RangeRefusal(.results, from: 209, to: 200).span(startingAt: 209) == nil)
        #expect(RangeRefusal(.results, from: 200, to: 209).suggestedTo(startingAt: 7) == 16)
    }

    @Test func describesWhatTheProviderSaid() {
        #expect(
            ProviderError(.rangeRefused(.blocks(from: 1, to: 10, maxBlocks: 10)), "alchemy-range").description
                == "alchemy-range (try 1-10, at most 10 blocks)")
        #expect(ProviderError(.rangeRefused(.blocks(maxBlocks: 0)), "generic-range").description == "generic-range")
        #expect(ProviderError(.timeout, "timeout").description == "timeout")
        #expect(ProviderError(.timeout, "timeout").rangeRefusal == RangeRefusal(.time))
        #expect(ProviderError(.transient, "http-502").description == "http-502")
        #expect(ProviderError(.transient, "http-502").rangeRefusal == nil)
        #expect(!ProviderErrorKind.permanentAuth.isRetryable && ProviderErrorKind.other.isRetryable)
    }

    @Test func garbageNeverCrashes() {
        for message in [
            "", "[", "should work: [0x", "this block range should work: [0xffffffffffffffffff, 0x1]",
            "query exceeds max results 1, retry with the range 9-", "max is 99999999999999999999999k",
            "\u{0}\u{FFFF}", String(repeating: "limited to a ", count: 1000),
        ] {
            _ = ProviderErrorClassifier.classify(httpStatus: 200, code: nil, message: message, data: message)
        }
    }
}

/// A 5xx error page is the server's failure whatever words it contains: it is
/// retried and fails over, never taken for a bad key (78 at once).
@Suite struct ServerErrorPagesAreNotAuthFailures {
    static let pages = [
        "<html><body><h1>500 Internal Server Error</h1><a href=/login>Unauthorized? Sign in</a></body></html>",
        "<html><title>502</title>Access forbidden by upstream policy</html>",
        "<html>Error: upstream failed for apikey route</html>",
        "<html>503 — check your project id in the dashboard</html>",
    ]

    @Test(arguments: [500, 502, 503], pages)
    func classifiedAsTransient(status: Int, page: String) {
        let kind = ProviderErrorClassifier.classifyUnparseableBody(httpStatus: status, body: page).kind
        #expect(kind == .transient)
        #expect(ProviderErrorClassifier.classify(httpStatus: status, message: page).kind == .transient)
    }

    @Test func stillAuthOn4xxAndJSONRPCErrors() {
        #expect(ProviderErrorClassifier.classify(httpStatus: 401, message: "Unauthorized").kind == .permanentAuth)
        #expect(
            ProviderErrorClassifier.classify(httpStatus: 200, code: -32000, message: "invalid project id").kind
                == .permanentAuth)
        #expect(ProviderErrorClassifier.classify(httpStatus: 400, message: "apikey missing").kind == .permanentAuth)
    }

    @Test func failsOverToAHealthySecondEndpoint() throws {
        let transport = FakeTransport([
            .http(500, Self.pages[0], [:]), .http(200, #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#, [:]),
        ])
        let clock = FakeClock()
        let pool = try EndpointPool(urls: ["https://a.example.com/k1", "https://b.example.com/k2"], clock: clock)
        let c = RPCClient(
            pool: pool, transport: transport, policy: RetryPolicy(maxRetries: 3, baseDelay: 0.5, maxDelay: 8),
            clock: clock, seed: 1)
        let raw = try c.callRaw("eth_chainId")
        #expect(String(decoding: raw, as: UTF8.self) == #""0x1""#)
        #expect(transport.sentURLs == ["https://a.example.com/k1", "https://b.example.com/k2"])
    }
}
