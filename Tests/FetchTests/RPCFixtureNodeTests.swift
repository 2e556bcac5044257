import CCKit
import CCTestSupport
import Testing

/// The fixture node is what every cc-fetch test trusts, so its chain and its
/// eth_getLogs semantics are checked here through the real client.
@Suite struct RPCFixtureNodeTests {
    static let transfer = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
    static let approval = "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925"

    struct Log: Equatable {
        var address: String
        var topics: [String]
        var block: UInt64
        var blockHash: String
        var tx: String
        var txIndex: UInt64
        var logIndex: UInt64
    }

    func client(_ node: FixtureNode) throws -> RPCClient {
        RPCClient(
            pool: try EndpointPool(urls: [node.url]), transport: try CurlTransport(),
            policy: RetryPolicy(maxRetries: 2, baseDelay: 0.01))
    }

    func logs(_ c: RPCClient, _ filter: String) throws -> [Log] {
        let outcome = try c.call(RPCCall("eth_getLogs", paramsJSON: "[\(filter)]")) { r throws(ChainCastError) in
            var out: [Log] = []
            r.value.forEachElement { v in
                var topics: [String] = []
                v["topics"]?.forEachElement { topics.append($0.string()) }
                out.append(
                    Log(
                        address: v["address"]?.string() ?? "", topics: topics, block: v["blockNumber"]?.quantity ?? 0,
                        blockHash: v["blockHash"]?.string() ?? "", tx: v["transactionHash"]?.string() ?? "",
                        txIndex: v["transactionIndex"]?.quantity ?? 0, logIndex: v["logIndex"]?.quantity ?? 0))
            }
            return out
        }
        guard case .success(let l) = outcome else { return [] }
        return l
    }

    func block(_ c: RPCClient, _ tag: String) throws -> (number: UInt64, hash: String, parent: String, time: UInt64)? {
        let outcome = try c.call(RPCCall("eth_getBlockByNumber", paramsJSON: "[\"\(tag)\",false]")) {
            r throws(ChainCastError) -> (UInt64, String, String, UInt64)? in
            guard r.value.kind == .object else { return nil }
            return (
                r.value["number"]?.quantity ?? 0, r.value["hash"]?.string() ?? "",
                r.value["parentHash"]?.string() ?? "", r.value["timestamp"]?.quantity ?? 0
            )
        }
        guard case .success(let b) = outcome else { return nil }
        return b
    }

    @Test func chainIsDeterministicAndLinked() throws {
        let a = try FixtureNode(["--blocks", "300", "--seed", "9"])
        let b = try FixtureNode(["--blocks", "300", "--seed", "9"])
        let ca = try client(a)
        let cb = try client(b)
        #expect(
            try logs(ca, #"{"fromBlock":"0x0","toBlock":"0x12b"}"#)
                == logs(cb, #"{"fromBlock":"0x0","toBlock":"0x12b"}"#))
        let head = try #require(try block(ca, "latest"))
        #expect(head.number == 299)
        #expect(head.time == 1_700_000_000 + 12 * 299)
        let parent = try #require(try block(ca, "0x12a"))
        #expect(head.parent == parent.hash)
        #expect(try block(ca, "0x12c") == nil)
        #expect(try block(ca, "finalized")?.number == 299 - 64)
        #expect(try block(ca, "safe")?.number == 299 - 32)
        #expect(try block(ca, "earliest")?.number == 0)
    }

    @Test func logsHaveConsistentIndexes() throws {
        let node = try FixtureNode(["--blocks", "500"])
        let all = try logs(try client(node), #"{"fromBlock":"0x1","toBlock":"0x1f3"}"#)
        #expect(all.count > 1000)
        var previous: Log?
        for log in all {
            if let p = previous, p.block == log.block {
                #expect(log.logIndex == p.logIndex + 1)
                #expect(log.txIndex == p.txIndex || log.txIndex == p.txIndex + 1)
                #expect((log.txIndex == p.txIndex) == (log.tx == p.tx))
            } else {
                #expect(log.logIndex == 0 && log.txIndex == 0)
                if let p = previous { #expect(log.block > p.block) }
            }
            #expect(log.topics.first == Self.transfer || log.topics.first == Self.approval)
            #expect(log.topics.count == 3 || log.topics.count == 4)
            previous = log
        }
        #expect(Set(all.map(\.address)).count == 20)
    }

    @Test func filtersFollowEthGetLogsSemantics() throws {
        let node = try FixtureNode(["--blocks", "400"])
        let c = try client(node)
        let range = #""fromBlock":"0x1","toBlock":"0x18f""#
        let all = try logs(c, "{\(range)}")
        let token = all[0].address
        let other = all.first { $0.address != token }!.address
        #expect(
            try logs(c, #"{\#(range),"address":"\#(token.uppercased().replacingOccurrences(of: "0X", with: "0x"))"}"#)
                == all.filter { $0.address == token })
        #expect(
            try logs(c, #"{\#(range),"address":["\#(token)","\#(other)"]}"#)
                == all.filter { $0.address == token || $0.address == other })
        #expect(
            try logs(c, #"{\#(range),"topics":["\#(Self.approval)"]}"#) == all.filter { $0.topics[0] == Self.approval })
        let to = all[3].topics[2]
        #expect(try logs(c, #"{\#(range),"topics":[null,null,"\#(to)"]}"#) == all.filter { $0.topics[2] == to })
        #expect(
            try logs(c, #"{\#(range),"topics":[["\#(Self.approval)","\#(Self.transfer)"],null,["\#(to)"]]}"#)
                == all.filter { $0.topics[2] == to })
        // Like geth: N positions only match logs with at least N topics; [] is a wildcard.
        let fourTopics = all.filter { $0.topics.count == 4 }
        #expect(!fourTopics.isEmpty && fourTopics.count < all.count)
        #expect(try logs(c, #"{\#(range),"topics":[null,null,null,null]}"#) == fourTopics)
        #expect(try logs(c, #"{\#(range),"topics":[[],null,null,[]]}"#) == fourTopics)
        #expect(try logs(c, #"{\#(range),"topics":[]}"#) == all)
        let one = all[10]
        #expect(try logs(c, #"{"blockHash":"\#(one.blockHash)"}"#) == all.filter { $0.block == one.block })
    }

    @Test func gethErrorsForBadRanges() throws {
        let node = try FixtureNode(["--blocks", "100"])
        let c = try client(node)
        for (filter, message) in [
            (#"{"fromBlock":"0x10","toBlock":"0x5"}"#, "invalid block range params"),
            (#"{"fromBlock":"0x10","toBlock":"0x500"}"#, "block range extends beyond current head block"),
            (#"{"blockHash":"0x00","fromBlock":"0x1"}"#, "cannot specify both BlockHash and FromBlock/ToBlock"),
            (#"{"topics":[null,null,null,null,null]}"#, "exceed max topics"),
        ] {
            let error = #expect(throws: ChainCastError.self) { try logs(c, filter) }
            #expect(error?.message.contains(message) == true, "\(filter)")
        }
    }

    @Test func reorgReplacesTheLastBlocks() throws {
        let node = try FixtureNode(["--blocks", "200"])
        let c = try client(node)
        let before = try logs(c, #"{"fromBlock":"0xb4","toBlock":"0xc7"}"#)
        let oldHead = try #require(try block(c, "latest"))
        let old195 = try #require(try block(c, "0xc3"))
        let reply = try node.control(#"{"reorg":{"depth":3}}"#)
        #expect(reply.contains(#""reorg_from": 197"#))
        let after = try logs(c, #"{"fromBlock":"0xb4","toBlock":"0xc7"}"#)
        #expect(before.filter { $0.block < 197 } == after.filter { $0.block < 197 })
        #expect(before.filter { $0.block >= 197 } != after.filter { $0.block >= 197 })
        let newHead = try #require(try block(c, "latest"))
        #expect(newHead.number == oldHead.number && newHead.hash != oldHead.hash)
        #expect(try block(c, "0xc3")?.hash == old195.hash)
        let outcome = try c.call(RPCCall("eth_getBlockByHash", paramsJSON: "[\"\(oldHead.hash)\",false]")) {
            r throws(ChainCastError) in r.value.isNull
        }
        guard case .success(let gone) = outcome else { return }
        #expect(gone)  // the replaced block is no longer served
    }

    @Test func headAdvancesAndReorgsOnSchedule() throws {
        let node = try FixtureNode([
            "--blocks", "1000", "--head-start", "100", "--head-advance-every", "0.2",
            "--reorg-at", "101", "--reorg-depth", "2",
        ])
        let c = try client(node)
        let start = try #require(try block(c, "latest"))
        #expect(start.number >= 100 && start.number <= 101)
        let b100 = try #require(try block(c, "0x64"))
        try SystemClock().sleep(seconds: 0.7)
        let later = try #require(try block(c, "latest"))
        #expect(later.number >= 102)
        #expect(try block(c, "0x64")?.hash != b100.hash)  // blocks 100…101 were replaced when the head passed 101
        #expect(try block(c, "0x63") != nil)
        #expect(try node.statsJSON().contains(#""reorg_starts": [100]"#))
    }
}
