import Testing

@testable import CCCore
@testable import CCFetch

@Suite struct BlockSpecTests {
    @Test func parsesEveryForm() throws {
        #expect(try BlockSpec(parsing: "19000000") == .number(19_000_000))
        #expect(try BlockSpec(parsing: "19_000_000") == .number(19_000_000))
        #expect(try BlockSpec(parsing: "0x121eac0") == .number(0x121eac0))
        #expect(try BlockSpec(parsing: "latest") == .tag(.latest))
        #expect(try BlockSpec(parsing: "Finalized") == .tag(.finalized))
        #expect(try BlockSpec(parsing: "safe") == .tag(.safe))
        #expect(try BlockSpec(parsing: "earliest") == .tag(.earliest))
        #expect(try BlockSpec(parsing: "-1000") == .behindHead(1000))
        #expect(try BlockSpec(parsing: "2024-01-01T00:00:00Z") == .time(1_704_067_200))
        #expect(try BlockSpec(parsing: "2024-01-01") == .time(1_704_067_200))
        #expect(try BlockSpec(parsing: "2024-01-01T02:00:00+02:00") == .time(1_704_067_200))
        // Block times are whole seconds: at or after …:00.250 is at or after …:01.
        #expect(try BlockSpec(parsing: "2024-01-01T00:00:00.250Z") == .time(1_704_067_201))
    }

    @Test(arguments: [
        "", "-", "-x", "0x", "0xzz", "0x1ffffffffffffffff", "99999999999999999999999", "pending",
        "2024-13-01T00:00:00Z", "2023-02-29", "2024-01-01T00:00:00", "yesterday", "12abc",
    ])
    func rejectsGarbage(_ text: String) {
        #expect(throws: ChainCastError.self) { try BlockSpec(parsing: text) }
        do { _ = try BlockSpec(parsing: text) } catch { #expect(error.status == .usage) }
    }

    @Test func formatsTimesBack() {
        #expect(ISO8601Time.format(1_704_067_200) == "2024-01-01T00:00:00Z")
        #expect(ISO8601Time.format(0) == "1970-01-01T00:00:00Z")
        #expect(ISO8601Time.parse("2000-02-29T23:59:59Z") == 951_868_799)
        for t: Int64 in [0, 86_399, 951_868_799, 1_704_067_200, 4_102_444_800] {
            #expect(ISO8601Time.parse(ISO8601Time.format(t)) == t)
        }
    }
}

/// One ISO-8601 text and the Unix time it names (nil: refused).
struct ISOCase: CustomTestStringConvertible, Sendable {
    var text: String
    var time: Int64?
    var testDescription: String { text }
}

@Suite struct ISO8601TimeTests {
    @Test(arguments: [
        ISOCase(text: "2024-01-01t00:00:00z", time: 1_704_067_200),
        ISOCase(text: "2024-01-01 00:00Z", time: 1_704_067_200),
        ISOCase(text: "2024-01-01T00:00:00,5Z", time: 1_704_067_201),
        ISOCase(text: "2024-01-01T00:00:00.000Z", time: 1_704_067_200),
        ISOCase(text: "2023-12-31T21:30:00-0230", time: 1_704_067_200),
        ISOCase(text: "2016-12-31T23:59:60Z", time: 1_483_228_800),
        ISOCase(text: "1969-12-31T23:59:59Z", time: -1),
        ISOCase(text: "0001-01-01T00:00:00Z", time: -62_135_596_800),
        ISOCase(text: "1900-02-29", time: nil),
        ISOCase(text: "2000-02-30", time: nil),
        ISOCase(text: "2024-04-31", time: nil),
        ISOCase(text: "2024-01-00", time: nil),
        ISOCase(text: "2024-01-01X00:00Z", time: nil),
        ISOCase(text: "2024-01-01T0", time: nil),
        ISOCase(text: "2024-01-01T00:00:", time: nil),
        ISOCase(text: "2024-01-01T00:00:00.Z", time: nil),
        ISOCase(text: "2024-01-01T24:00:00Z", time: nil),
        ISOCase(text: "2024-01-01T00:60Z", time: nil),
        ISOCase(text: "2024-01-01T00:00:61Z", time: nil),
        ISOCase(text: "2024-01-01T00:00+1", time: nil),
        ISOCase(text: "2024-01-01T00:00+24:00", time: nil),
        ISOCase(text: "2024-01-01T00:00+01:60", time: nil),
        ISOCase(text: "2024-01-01T00:00Zjunk", time: nil),
        ISOCase(text: "24-01-01", time: nil),
    ])
    func parses(_ c: ISOCase) {
        #expect(ISO8601Time.parse(c.text) == c.time)
    }

    @Test func formatsBeforeTheEpoch() {
        #expect(ISO8601Time.format(-1) == "1969-12-31T23:59:59Z")
        #expect(ISO8601Time.format(-62_135_596_800) == "0001-01-01T00:00:00Z")
    }

    @Test func specsPrintAsWritten() throws {
        #expect(
            try ["  1234\t", "0x10", "safe", "-5", "2024-01-01"].map { try BlockSpec(parsing: $0).description }
                == ["1234", "16", "safe", "-5", "2024-01-01T00:00:00Z"])
        #expect(" \r\n x \t\n".trimmingASCIIWhitespace() == "x")
    }
}

@Suite struct ChainPresetTests {
    @Test func knowsTheIssuesChains() {
        for name in [
            "ethereum", "sepolia", "holesky", "polygon", "amoy", "bsc", "arbitrum", "optimism", "base",
            "avalanche", "gnosis", "linea", "scroll", "zksync",
        ] {
            #expect(ChainPreset.named(name) != nil, "\(name)")
        }
        #expect(ChainPreset.named("mainnet")?.chainId == 1)
        #expect(ChainPreset.named("Base")?.chainId == 8453)
        #expect(ChainPreset.byChainId(137)?.name == "polygon")
        #expect(Set(ChainPreset.all.map(\.chainId)).count == ChainPreset.all.count)
        #expect(ChainPreset.named("ethereum")?.pollInterval == 6)
    }
}

@Suite struct ReorgTrackerTests {
    /// Block `n` of branch `fork`: the branch in the first word, the number in the last.
    func hash(_ n: UInt64, _ fork: UInt64) -> Word32 { Word32(fork, 0, 0, n) }

    func h(_ n: UInt64, _ fork: UInt64 = 0xa) -> BlockHeader {
        BlockHeader(number: n, hash: hash(n, fork), parentHash: hash(n - 1, fork), timestamp: n * 12)
    }

    @Test func linksAndRollsBack() {
        var t = ReorgTracker(depth: 4)
        for n: UInt64 in 10...15 { #expect(t.check(h(n)) == .extends); t.append(h(n), logs: [[UInt8(n)]]) }
        #expect(t.oldest == 12)
        #expect(t.header(at: 13)?.hash == hash(13, 0xa))
        #expect(t.header(at: 11) == nil)
        var b16 = h(16, 0xb)
        b16.parentHash = hash(15, 0xb)
        #expect(t.check(b16) == .conflicts)
        let orphaned = t.rollback(above: 13)
        #expect(orphaned.map(\.header.number) == [15, 14])
        #expect(orphaned.map(\.logs) == [[[15]], [[14]]])
        #expect(t.tip?.number == 13)
    }
}

@Suite struct LogFilterTests {
    let a1 = "0x00000000000000000000000000000000000000aa"
    let t0 = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"

    @Test func canonicalHashIgnoresOrderCaseAndTrailingWildcards() {
        let x = Word32(hex: a1, byteCount: 20)!
        let y = Word32(hex: "0xA0B86991C6218B36C1D19D4A2E9EB0CE3606EB48", byteCount: 20)!
        let t = Word32(hex: t0, byteCount: 32)!
        let f1 = LogFilter(addresses: [x, y], topics: [[t], nil, nil])
        let f2 = LogFilter(addresses: [y, x, y], topics: [[t]])
        #expect(f1 == f2)
        #expect(f1.canonicalHash(chainId: 1) == f2.canonicalHash(chainId: 1))
        #expect(f1.canonicalHash(chainId: 1) != f1.canonicalHash(chainId: 10))
        #expect(f1.canonicalHash(chainId: 1).utf8.count == 16)
        #expect(
            f1.canonicalText(chainId: 1) == """
                cc-fetch filter v1
                chain=1
                address=0x00000000000000000000000000000000000000aa,0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48
                topic0=\(t0)

                """)
    }

    @Test func jsonParams() {
        let f = LogFilter(
            addresses: [Word32(hex: a1, byteCount: 20)!],
            topics: [nil, [Word32(hex: t0, byteCount: 32)!, Word32(0, 0, 0, 1)]])
        #expect(
            LogQuery.range(BlockRange(16, 255)).params(filterFields: f.jsonFields) == """
                [{"fromBlock":"0x10","toBlock":"0xff","address":"\(a1)","topics":[null,["0x0000000000000000000000000000000000000000000000000000000000000001","\(t0)"]]}]
                """)
        let hash = "0x" + String(repeating: "ab", count: 32)
        #expect(
            LogQuery.block(hash: Word32(hex: hash, byteCount: 32)!).params(filterFields: LogFilter().jsonFields)
                == #"[{"blockHash":"\#(hash)"}]"#)
    }

    @Test func matching() {
        let x = Word32(hex: a1, byteCount: 20)!
        let f = LogFilter(addresses: [x], topics: [nil, [Word32(0, 0, 0, 7)]])
        #expect(f.matchesAddress(x))
        #expect(!f.matchesAddress(Word32(0, 0, 0, 1)))
        #expect(f.matchesTopic(0, nil))
        #expect(f.matchesTopic(1, Word32(0, 0, 0, 7)))
        #expect(!f.matchesTopic(1, nil))
        #expect(!f.matchesTopic(1, Word32(0, 0, 0, 8)))
        #expect(f.matchesTopic(2, nil))
        #expect(Word32(hex: "0x12", byteCount: 20) == nil)
        #expect(Word32(hex: "0xzz000000000000000000000000000000000000aa", byteCount: 20) == nil)
    }
}

@Suite struct ShardPlanTests {
    @Test(arguments: [
        ("0/1", true), ("2/3", true), ("3/3", false), ("1/0", false), ("1", false), ("a/3", false), ("1/2/3", false),
        ("/3", false), ("01/3", false), ("+1/3", false), ("1/03", false), ("0/10", true), (" 1/3", false),
    ])
    func parsesKOfN(_ text: String, _ valid: Bool) {
        #expect((ShardPlan.parse(text) != nil) == valid)
    }

    @Test func edgesOfTheBlockSpace() {
        // More shards than chunks: a shard with no chunk plans nothing.
        #expect(
            ShardPlan(index: 4, count: 5, chunk: 10, from: 0, to: 29).jsonLine
                == #"{"shard":"4/5","index":4,"count":5,"from":0,"to":29,"chunk":10,"chunks":0,"blocks":0,"first":null,"last":null,"args":"--from 0 --to 29 --shard 4/5 --shard-chunk 10"}"#
        )
        #expect(Array(ShardPlan(index: 0, count: 1, chunk: 0, from: 0, to: 9).ranges(startingAt: 0)) == [])
        // Chunks near 2^64 end at the range's end, without overflowing.
        let top = UInt64.max
        #expect(
            Array(ShardPlan(index: 1, count: 2, chunk: 1 << 62, from: 0, to: top).ranges(startingAt: 0))
                == [BlockRange(1 << 62, (1 << 63) - 1), BlockRange(3 << 62, top)])
        #expect(
            Array(ShardPlan(index: 0, count: 1, chunk: top, from: 5, to: top).ranges(startingAt: 7))
                == [BlockRange(7, top)])
        // A plan of 2^63 blocks is arithmetic, not a list (it allocated 35 GB and aborted).
        #expect(
            ShardPlan(index: 1, count: 2, from: 0, to: UInt64(Int64.max)).jsonLine.hasPrefix(
                #"{"shard":"1/2","index":1,"count":2,"from":0,"to":9223372036854775807,"chunk":10000,"#
                    + #""chunks":461168601842739,"blocks":4611686018427385808,"first":10000,"#))
    }

    /// The arithmetic (first chunk at a start, block counts, plan lines)
    /// against the chunks listed one by one, over many small plans.
    @Test func arithmeticMatchesTheListedChunks() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let count = UInt64.random(in: 1...5, using: &rng)
            let plan = ShardPlan(
                index: UInt64.random(in: 0..<count, using: &rng), count: count,
                chunk: UInt64.random(in: 1...7, using: &rng), from: UInt64.random(in: 0...20, using: &rng),
                to: UInt64.random(in: 0...60, using: &rng))
            guard plan.from <= plan.to else { continue }
            var listed: [BlockRange] = []
            var g: UInt64 = 0
            while plan.from + g * plan.chunk <= plan.to {
                let lo = plan.from + g * plan.chunk
                if g % plan.count == plan.index { listed.append(BlockRange(lo, min(plan.to, lo + plan.chunk - 1))) }
                g += 1
            }
            let start = UInt64.random(in: 0...64, using: &rng)
            let want = listed.filter { $0.to >= start }.map { BlockRange(max($0.from, start), $0.to) }
            #expect(Array(plan.ranges(startingAt: start)) == want, "\(plan) from \(start)")
            let end = UInt64.random(in: 0...64, using: &rng)
            let blocks = listed.reduce(UInt64(0)) { n, r in
                let lo = max(r.from, start)
                let hi = min(r.to, end)
                return n + (lo <= hi ? hi - lo + 1 : 0)
            }
            #expect(plan.blocks(startingAt: start, through: end) == blocks, "\(plan) [\(start), \(end)]")
            let line = plan.jsonLine
            #expect(line.contains(#""chunks":\#(listed.count),"#), "\(line)")
            #expect(line.contains(#""blocks":\#(listed.reduce(0) { $0 + $1.count }),"#), "\(line)")
            #expect(line.contains(#""first":\#(listed.first.map { String($0.from) } ?? "null"),"#), "\(line)")
            #expect(line.contains(#""last":\#(listed.last.map { String($0.to) } ?? "null"),"#), "\(line)")
        }
    }
}

@Suite struct ProgressFormatTests {
    @Test(arguments: [(1.5, 2, "1.50"), (2.0, 0, "2"), (0.04, 1, "0.0"), (12.345, 2, "12.35"), (7.0, 1, "7.0")])
    func fixed(_ v: Double, _ decimals: Int, _ text: String) {
        #expect(formatFixed(v, decimals) == text)
    }

    @Test(arguments: [
        (59.4, "59s"), (61, "1m01s"), (3599, "59m59s"), (3600, "1h00m"), (7325, "2h02m"), (36000, "10h00m"),
    ])
    func duration(_ s: Double, _ text: String) {
        #expect(formatDuration(s) == text)
    }
}
