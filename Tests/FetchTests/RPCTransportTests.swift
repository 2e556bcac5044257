import CCKit
import CCTestSupport
import Testing

/// CurlTransport against the real fixture node over loopback.
@Suite struct RPCTransportTests {
    static let chainId = Array(#"{"jsonrpc":"2.0","id":7,"method":"eth_chainId","params":[]}"#.utf8)

    func text(_ r: HTTPResponse) -> String { String(decoding: r.body, as: UTF8.self) }

    @Test func answersAndReusesOneConnection() throws {
        let node = try FixtureNode(["--blocks", "100", "--chain-id", "31337"])
        let transport = try CurlTransport()
        for _ in 0..<20 {
            let r = try transport.post(url: node.url, body: Self.chainId)
            #expect(r.status == 200)
            #expect(text(r) == #"{"jsonrpc":"2.0","id":7,"result":"0x7a69"}"#)
        }
        // keep-alive: twenty requests, one connection (the stats query opens its own)
        #expect(try node.stat("connections") == 2)
        #expect(try node.stat("http_requests") == 20)
    }

    @Test func fixtureHelperCallsTheNode() throws {
        let node = try FixtureNode(["--blocks", "42"])
        #expect(try node.rpc("eth_blockNumber") == #"{"jsonrpc":"2.0","id":1,"result":"0x29"}"#)
        try node.control(#"{"reset_stats":true}"#)
        #expect(try node.stat("http_requests") == 0)
    }

    @Test func followsRedirectsKeepingTheBody() throws {
        let node = try FixtureNode(["--blocks", "10", "--api-key", "abcdef123"])
        let r = try CurlTransport().post(url: node.url + "/__redirect/v2/abcdef123", body: Self.chainId)
        #expect(r.status == 200)
        #expect(text(r) == #"{"jsonrpc":"2.0","id":7,"result":"0x539"}"#)
    }

    @Test func decodesGzipBodies() throws {
        let node = try FixtureNode(["--blocks", "200"])
        let transport = try CurlTransport()
        let body = #"{"jsonrpc":"2.0","id":1,"method":"eth_getLogs","params":[{"fromBlock":"0x1","toBlock":"0x64"}]}"#
        let r = try transport.post(url: node.url, body: Array(body.utf8))
        #expect(r.status == 200)
        #expect(r.header("Content-Encoding") == "gzip")
        #expect(text(r).hasPrefix(#"{"jsonrpc":"2.0","id":1,"result":[{"address":"0x"#))
        #expect(text(r).hasSuffix("}]}"))
    }

    @Test func reportsRateLimitWithRetryAfter() throws {
        let node = try FixtureNode(["--blocks", "10", "--rate-limit-every", "2", "--retry-after", "3"])
        let transport = try CurlTransport()
        #expect(try transport.post(url: node.url, body: Self.chainId).status == 200)
        let limited = try transport.post(url: node.url, body: Self.chainId)
        #expect(limited.status == 429)
        #expect(limited.retryAfter() == 3)
    }

    @Test func reports503AsAResponse() throws {
        let node = try FixtureNode(["--blocks", "10", "--fail-503-every", "1"])
        let r = try CurlTransport().post(url: node.url, body: Self.chainId)
        #expect(r.status == 503)
        #expect(r.header("content-type") == "text/html")
    }

    @Test func droppedConnectionIsConnectionReset() throws {
        let node = try FixtureNode(["--blocks", "10", "--drop-every", "1"])
        #expect(throws: TransportError(.connectionReset, "Empty reply from server")) {
            try CurlTransport().post(url: node.url, body: Self.chainId)
        }
    }

    @Test func resetConnectionIsConnectionReset() throws {
        let node = try FixtureNode(["--blocks", "10", "--reset-every", "1"])
        let error = #expect(throws: TransportError.self) { try CurlTransport().post(url: node.url, body: Self.chainId) }
        #expect(error?.kind == .connectionReset)
    }

    @Test func truncatedBodyIsTruncated() throws {
        let node = try FixtureNode(["--blocks", "10", "--truncate-every", "1", "--no-gzip"])
        let error = #expect(throws: TransportError.self) { try CurlTransport().post(url: node.url, body: Self.chainId) }
        #expect(error?.kind == .truncated)
    }

    @Test func bodyOverTheCapIsResponseTooLargeAndTheNextRequestWorks() throws {
        let node = try FixtureNode(["--blocks", "200"])
        var options = CurlTransport.Options()
        options.maxResponseBytes = 1000
        let transport = try CurlTransport(options: options)
        let body = #"{"jsonrpc":"2.0","id":1,"method":"eth_getLogs","params":[{"fromBlock":"0x1","toBlock":"0x64"}]}"#
        #expect(throws: TransportError(.responseTooLarge, "over 1000 bytes")) {
            try transport.post(url: node.url, body: Array(body.utf8))
        }
        // The handle is reusable after an aborted transfer.
        #expect(
            text(try transport.post(url: node.url, body: Self.chainId)) == #"{"jsonrpc":"2.0","id":7,"result":"0x539"}"#
        )
    }

    @Test func slowServerTimesOut() throws {
        let node = try FixtureNode(["--blocks", "10", "--latency-ms", "1500"])
        let transport = try CurlTransport(options: .init(connectTimeout: 2, requestTimeout: 0.3))
        let error = #expect(throws: TransportError.self) { try transport.post(url: node.url, body: Self.chainId) }
        #expect(error?.kind == .timeout)
    }

    @Test func nothingListeningIsConnectionRefused() throws {
        let node = try FixtureNode(["--blocks", "10"])
        let url = node.url
        node.stop()
        let error = #expect(throws: TransportError.self) { try CurlTransport().post(url: url, body: Self.chainId) }
        #expect(error?.kind == .connectionRefused)
    }

    @Test func unsupportedSchemeIsInvalidURL() throws {
        let error = #expect(throws: TransportError.self) {
            try CurlTransport().post(url: "ftp://example.invalid/x", body: Self.chainId)
        }
        #expect(error?.kind == .invalidURL)
    }

    @Test func apiKeyPathIsRequired() throws {
        let node = try FixtureNode(["--blocks", "10", "--api-key", "s3cr3t"])
        let transport = try CurlTransport()
        #expect(try transport.post(url: node.url + "/v2/wrong", body: Self.chainId).status == 401)
        #expect(try transport.post(url: node.url + "/v2/s3cr3t", body: Self.chainId).status == 200)
    }

    @Test func retryAfterAcceptsSecondsAndHTTPDates() {
        #expect(parseRetryAfter("120", now: 0) == 120)
        #expect(parseRetryAfter(" 1.5 ", now: 0) == 1.5)
        // 2015-10-21T07:28:00Z is 1445412480
        #expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now: 1_445_412_470) == 10)
        #expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now: 1_445_412_490) == 0)
        #expect(parseRetryAfter("soon", now: 0) == nil)
        #expect(parseRetryAfter("-5", now: 0) == nil)
        #expect(parseRetryAfter("", now: 0) == nil)
    }

    @Test(arguments: [
        // 2024-02-29T12:00:00Z (January and February count in the year before).
        ("Thu, 29 Feb 2024 12:00:00 GMT", 1_709_208_000.0 as Double?),
        ("Sun, 01 Jan 1970 00:00:05 GMT", 5),
        ("Thu, 29 Foo 2024 12:00:00 GMT", nil),
        ("Thu, 32 Feb 2024 12:00:00 GMT", nil),
        ("Thu, 29 Feb 1969 12:00:00 GMT", nil),
        ("Thu, 29 Feb 2024 24:00:00 GMT", nil),
        ("Thu, 29 Feb 2024 12:00 GMT", nil),
        ("Thu, 29 Feb 2024 12:00:00 UTC", nil),
    ])
    func retryAfterDates(_ text: String, _ seconds: Double?) {
        #expect(parseRetryAfter(text, now: 0) == seconds)
    }

    @Test(arguments: [
        ("1000000", 1_000_000 as Int?), ("64K", 65_536), ("64kb", 65_536), ("2M", 2 << 20), ("1G", 1 << 30),
        ("0", nil), ("-1K", nil), ("K", nil), ("9223372036854775807G", nil), ("12X", nil),
    ])
    func byteCounts(_ text: String, _ bytes: Int?) {
        #expect(ByteCountArgument(argument: text)?.bytes == bytes)
        if bytes != nil { #expect(ByteCountArgument(argument: text)?.defaultValueDescription == text) }
    }
}
