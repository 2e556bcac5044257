import CCKit
import Testing

/// `RPCLogNode` over a scripted transport: answers that are not what the
/// method promises, and the archive question's three answers.
@Suite struct RPCLogNodeTests {
    func node(_ script: [FakeTransport.Reply], retries: Int = 0) throws -> RPCLogNode {
        let clock = FakeClock()
        let pool = try EndpointPool(urls: ["http://node"], clock: clock)
        let client = RPCClient(
            pool: pool, transport: FakeTransport(script), policy: RetryPolicy(maxRetries: retries), clock: clock)
        return RPCLogNode(client: client, maxBatch: 1)
    }

    static let long = #"{"number":"0x1","extra":""# + String(repeating: "x", count: 100) + #""}"#

    @Test func answersOfTheWrongShape() throws {
        let e1 = #expect(throws: ChainCastError.self) { try node([ok(#"{"a":1}"#)]).chainId() }
        #expect(e1?.message == #"eth_chainId: answer is not a quantity: {"a":1}"#)
        #expect(e1?.status == .unavailable)
        #expect(try node([ok("42")]).clientVersion() == "42")
        #expect(try node([ok(#""geth/v1""#)]).clientVersion() == "geth/v1")
        let e2 = #expect(throws: ChainCastError.self) { try node([ok(Self.long)]).header(tag: .safe) }
        #expect(
            e2?.message
                == "eth_getBlockByNumber: not a block object: " + String(Self.long.prefix(80)) + "…")
        #expect(try node([ok("null")]).header(tag: .finalized) == nil)
    }

    @Test func aTagTheNodeDoesNotHave() throws {
        let resolver = BlockResolver(node: try node([ok("null")]), head: 100)
        let e = #expect(throws: ChainCastError.self) { try resolver.resolve(.tag(.safe), what: "--from") }
        #expect(e?.message == "--from safe: the node has no 'safe' block (it may not support the tag)")
        #expect(e?.status == .unavailable)
        let gone = BlockResolver(node: try node([ok("null")]), head: 100)
        let e2 = #expect(throws: ChainCastError.self) { try gone.firstBlock(atOrAfter: 5, what: "--to") }
        #expect(e2?.message == "--to: the node has no block 100 (below its head 100)")
        #expect(
            try BlockResolver(node: try node([ok("null")]), head: 100).resolve(.tag(.earliest), what: "--from") == 0)
    }

    @Test(
        arguments: [
            (ok(#""0x0""#), "yes"),
            (rpcError(-32000, "missing trie node 00ab (path )"), "no"),
            (rpcError(-32000, "state at block #1 is pruned"), "no"),
            (rpcError(-32602, "invalid argument 1: hex number > 64 bits"), "no"),
            (rpcError(-32601, "the method eth_getBalance does not exist/is not available"), "unknown"),
            (.http(429, "slow down", [:]), "unknown"),
        ] as [(FakeTransport.Reply, String)])
    func archiveQuestion(_ reply: FakeTransport.Reply, _ expected: String) throws {
        // One answer only: the question is asked once whatever the retry budget.
        let n = try node([reply], retries: 5)
        var got: String
        do { got = try n.hasState(at: 1) ? "yes" : "no" } catch { got = "unknown" }
        #expect(got == expected)
    }
}
