import Testing

@testable import CCCore
@testable import CCFilter

/// Aggregation windows, with markers, through the built binary.
@Suite(.serialized) struct AggregationTests {
    let alice = "0x28C6c06298d514Db089934071355E5743bf21d60"
    let bob = "0x21a31Ee1afC51d94C2eFcCAa2092aD1028285549"

    func input(_ lines: [String]) -> String { lines.joined(separator: "\n") + "\n" }

    var stream: [String] {
        [
            decodedEvent(
                block: 100, log: 0,
                value: "115792089237316195423570985008687907853269984665640564039457584007913129639935", to: alice,
                timestamp: 1000),
            decodedEvent(block: 101, log: 0, value: "1", to: alice, timestamp: 1012),
            decodedEvent(block: 101, log: 1, value: "5", to: bob, timestamp: 1012),
            marker(101),
            decodedEvent(block: 102, log: 0, value: "7", to: bob, timestamp: 3700),
            marker(102),
            decodedEvent(block: 110, log: 0, event: "Approval", value: "9", to: bob, timestamp: 3800),
        ]
    }

    @Test func defaultWindowEmitsAtEndAndSumsExactly() throws {
        let r = try BinaryRunner.run(
            ["event == \"Transfer\"", "--group-by", "args.to", "--agg", "count(), sum(args.value)"],
            stdin: input(stream))
        #expect(r.status == 0)
        #expect(r.stderr == "")
        #expect(
            r.lines == [
                marker(101), marker(102),
                "{\"window\":{\"fromBlock\":100,\"toBlock\":102},\"key\":\"\(alice)\",\"count\":2,\"sum\":\"115792089237316195423570985008687907853269984665640564039457584007913129639936\"}",
                "{\"window\":{\"fromBlock\":100,\"toBlock\":102},\"key\":\"\(bob)\",\"count\":2,\"sum\":\"12\"}",
            ])
    }

    @Test func markerWindowWritesRowsBeforeTheMarker() throws {
        let r = try BinaryRunner.run(
            [
                "--group-by", "event", "--agg", "count(), min(args.value), max(args.value), avg(args.value)",
                "--window", "marker",
            ],
            stdin: input(Array(stream[1...])))
        #expect(r.status == 0)
        #expect(
            r.lines == [
                "{\"window\":{\"fromBlock\":101,\"toBlock\":101},\"key\":\"Transfer\",\"count\":2,\"min\":\"1\",\"max\":\"5\",\"avg\":\"3\"}",
                marker(101),
                "{\"window\":{\"fromBlock\":102,\"toBlock\":102},\"key\":\"Transfer\",\"count\":1,\"min\":\"7\",\"max\":\"7\",\"avg\":\"7\"}",
                marker(102),
                "{\"window\":{\"fromBlock\":103,\"toBlock\":110},\"key\":\"Approval\",\"count\":1,\"min\":\"9\",\"max\":\"9\",\"avg\":\"9\"}",
            ])
    }

    @Test func blockWindowsCloseAtTheMarkerThatCoversThem() throws {
        let r = try BinaryRunner.run(
            [
                "--agg", "count(), sum(args.value), first(args.to), last(args.to), distinct(args.to)", "--window",
                "blocks:2",
            ],
            stdin: input(Array(stream[1...])))
        #expect(r.status == 0)
        // [100,101] closes at marker(101); [102,103] closes when block 110 arrives, [110,111] at the end.
        #expect(
            r.lines == [
                "{\"window\":{\"fromBlock\":100,\"toBlock\":101},\"count\":2,\"sum\":\"6\",\"first\":\"\(alice)\",\"last\":\"\(bob)\",\"distinct\":2}",
                marker(101),
                marker(102),
                "{\"window\":{\"fromBlock\":102,\"toBlock\":103},\"count\":1,\"sum\":\"7\",\"first\":\"\(bob)\",\"last\":\"\(bob)\",\"distinct\":1}",
                "{\"window\":{\"fromBlock\":110,\"toBlock\":111},\"count\":1,\"sum\":\"9\",\"first\":\"\(bob)\",\"last\":\"\(bob)\",\"distinct\":1}",
            ])
    }

    @Test func timeWindowsUseBlockTimestamp() throws {
        let r = try BinaryRunner.run(
            ["--agg", "{n: count(), total: sum(args.value)}", "--window", "time:1h", "--group-by", "event, args.to"],
            stdin: input(Array(stream[1...])))
        #expect(r.status == 0)
        #expect(
            r.lines == [
                marker(101),
                "{\"window\":{\"fromTime\":0,\"toTime\":3599,\"fromBlock\":101,\"toBlock\":101},\"key\":[\"Transfer\",\"\(alice)\"],\"n\":1,\"total\":\"1\"}",
                "{\"window\":{\"fromTime\":0,\"toTime\":3599,\"fromBlock\":101,\"toBlock\":101},\"key\":[\"Transfer\",\"\(bob)\"],\"n\":1,\"total\":\"5\"}",
                marker(102),
                "{\"window\":{\"fromTime\":3600,\"toTime\":7199,\"fromBlock\":102,\"toBlock\":110},\"key\":[\"Transfer\",\"\(bob)\"],\"n\":1,\"total\":\"7\"}",
                "{\"window\":{\"fromTime\":3600,\"toTime\":7199,\"fromBlock\":102,\"toBlock\":110},\"key\":[\"Approval\",\"\(bob)\"],\"n\":1,\"total\":\"9\"}",
            ])
    }

    @Test func runtimeErrorsLeaveNoPartialTrace() throws {
        let lines = [
            decodedEvent(block: 1, log: 0, value: "10"),
            decodedEvent(block: 1, log: 1, value: "not a number"),
            decodedEvent(block: 2, log: 0, value: "0x20"),
        ]
        let r = try BinaryRunner.run(["--agg", "count(), sum(args.value)"], stdin: input(lines))
        #expect(r.lines == ["{\"window\":{\"fromBlock\":1,\"toBlock\":2},\"count\":2,\"sum\":\"42\"}"])
        #expect(
            r.stderr.contains(
                "line 2 (block 1, log 1): 'sum()' needs a number, got string \"not a number\"; event dropped"))
        let overflow = [
            decodedEvent(block: 1, log: 0, value: String(repeating: "9", count: 154)),
            decodedEvent(block: 1, log: 1, value: String(repeating: "9", count: 154)),
        ]
        let o = try BinaryRunner.run(["--agg", "sum(args.value)", "--strict"], stdin: input(overflow))
        #expect(o.status == 65)
        #expect(o.stderr.contains("integer overflow in 'sum()'"))
    }

    @Test func hugeQuantitiesDoNotTrap() throws {
        let max = "18446744073709551615"
        let lines = [
            "{\"event\":\"T\",\"blockNumber\":\(max),\"blockTimestamp\":\(max),\"args\":{\"value\":\"1\"}}",
            "{\"$cc\":\"checkpoint\",\"blockNumber\":\(max)}",
        ]
        for w in ["blocks:10", "time:1d", "marker"] {
            let r = try BinaryRunner.run(["--agg", "count()", "--window", w], stdin: input(lines))
            #expect(r.status == 0, "\(w): \(r.stderr)")
            #expect(r.lines.count == 2)
        }
    }

    @Test func usageErrors() throws {
        #expect(try BinaryRunner.run(["--group-by", "args.to"]).status == 64)
        #expect(try BinaryRunner.run(["--agg", "count()", "--window", "weeks:2"]).status == 64)
        let bad = try BinaryRunner.run(["--agg", "count(), total(args.value)"])
        #expect(bad.status == 64)
        #expect(bad.stderr.hasPrefix("cc-filter: --agg:1:10: expected an aggregate"))
        let dup = try BinaryRunner.run(
            ["--agg", "sum(args.value), sum(args.fee)"], stdin: input([decodedEvent(block: 1, log: 0)]))
        #expect(dup.lines == ["{\"window\":{\"fromBlock\":1,\"toBlock\":1},\"sum\":\"1000\",\"sum(args.fee)\":\"0\"}"])
    }

    @Test func windowParsing() throws {
        #expect(try AggregationWindow(parsing: "blocks:1000") == .blocks(1000))
        #expect(try AggregationWindow(parsing: "time:1h") == .time(3600))
        #expect(try AggregationWindow(parsing: "time:90") == .time(90))
        #expect(try AggregationWindow(parsing: "time:2d") == .time(172800))
        #expect(try AggregationWindow(parsing: "marker") == .marker)
        #expect(throws: ChainCastError.self) { try AggregationWindow(parsing: "blocks:0") }
        #expect(throws: ChainCastError.self) { try AggregationWindow(parsing: "time:h") }
        #expect(FilterAggregator.average(Int512(10), 4) == "2.5")
        #expect(FilterAggregator.average(Int512(-1), 3) == "-0.333333333333333333")
    }
}
