import CCTestSupport
import Foundation
import Testing

/// Issue 11 items 2, 7 and the aggregate row options; the v1.1 control
/// records (unknown kinds, rewind) through an aggregating cc-filter.
@Suite(.serialized) struct StreamRulesTests {
    let alice = "0x28C6c06298d514Db089934071355E5743bf21d60"
    let bob = "0x21a31Ee1afC51d94C2eFcCAa2092aD1028285549"
    let carol = "0x00000000000000000000000000000000000000c0"

    func input(_ lines: [String]) -> String { lines.joined(separator: "\n") + "\n" }

    func rewind(_ block: Int) -> String {
        "{\"$cc\":\"rewind\",\"chainId\":1,\"blockNumber\":\(block),\"blockHash\":\"0xcd\"}"
    }
    let unknown = "{\"$cc\":\"future-thing\",\"x\":[1,2]}"

    /// A control record whose "$cc" key is written `"\u0024cc"` (a JSON
    /// tool may escape it) counts as what it spells: cc-filter dropped such a
    /// rewind under a predicate and counted such a marker as an event.
    @Test func escapedControlKeysAreControlRecords() throws {
        let rewind = #"{"\u0024cc":"rewind","chainId":1,"blockNumber":5,"blockHash":"0xcd"}"#
        let marker = #"{"\u0024cc":"checkpoint","chainId":1,"blockNumber":5,"blockHash":"0xcd","filter":"ab"}"#
        let plain = try BinaryRunner.run(["event == \"Transfer\""], stdin: input([rewind]))
        #expect(plain.status == 0)
        #expect(plain.stdout == rewind + "\n")
        let agg = try BinaryRunner.run(["--agg", "count()"], stdin: input([decodedEvent(block: 5, log: 0), marker]))
        #expect(agg.status == 0, "\(agg.stderr)")
        let lines = agg.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasPrefix(#"{"\u0024cc":"checkpoint","#), "\(agg.stdout)")
        #expect(lines.last == #"{"window":{"fromBlock":5,"toBlock":5},"count":1}"#, "\(agg.stdout)")
    }

    /// One string spelled with and without escapes (`"Ü"`, `"\u00dc"`,
    /// `"\u00DC"`: jq and Python write the escapes) is one value for `==`
    /// and `distinct`, and now one group too; it made three.
    @Test(arguments: ["event", "[event, args.n]", "{e: event}"])
    func escapedSpellingsAreOneGroup(_ key: String) throws {
        let lines = [#""Ü""#, #""\u00dc""#, #""\u00DC""#].enumerated().map { i, name in
            #"{"blockNumber":1,"blockHash":"0x01","logIndex":\#(i),"event":\#(name),"args":{"n":"1","value":"\#(i + 1)"}}"#
        }
        let r = try BinaryRunner.run(["--group-by", key, "--agg", "count(), sum(args.value)"], stdin: input(lines))
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.stdout.split(separator: "\n")
        #expect(rows.count == 1, "\(r.stdout)")
        #expect(rows.first?.hasSuffix(#""count":3,"sum":"6"}"#) == true, "\(r.stdout)")
    }

    @Test func pathsThatNeverMatchAreNamedWithAGuess() throws {
        let events = input([decodedEvent(block: 1, log: 0), decodedEvent(block: 2, log: 0, event: "Approval")])
        let typo = try BinaryRunner.run(["evnt == \"Transfer\""], stdin: events)
        #expect(typo.status == 0)
        #expect(typo.stdout == "")
        #expect(
            typo.stderr
                == "cc-filter: warning: evnt matched no field in 2 events, so it was null; did you mean event?\n")
        let agg = try BinaryRunner.run(["--group-by", "args.to", "--agg", "count(), sum(args.vaule)"], stdin: events)
        #expect(
            agg.stderr
                == "cc-filter: warning: args.vaule matched no field in 2 events, so it was null; did you mean args.value?\n"
        )
        // Found in some events: no warning; never evaluated (short-circuit): no warning.
        let fine = try BinaryRunner.run(
            ["--where", "event == \"Nope\" && args.vaule > 1", "--where", "args.value != null"], stdin: events)
        #expect(fine.stderr == "")
        // Past the point where found paths stop being tracked (4,096 events).
        let many = input((0..<5000).map { decodedEvent(block: $0, log: 0) })
        let late = try BinaryRunner.run(["event == \"Transfer\" && args.vlaue != null"], stdin: many)
        #expect(
            late.stderr
                == "cc-filter: warning: args.vlaue matched no field in 5000 events, so it was null; did you mean args.value?\n"
        )
        // No events at all: nothing to judge.
        let none = try BinaryRunner.run(["evnt == 1"], stdin: "")
        #expect(none.stderr == "")
    }

    @Test func mistypedInputFilesAreNeverPrograms() throws {
        let dir = try TestDirectory.make("names")
        let real = dir + "/events.ndjson"
        try input([decodedEvent(block: 1, log: 0)]).write(toFile: real, atomically: true, encoding: .utf8)
        for options in [["--agg", "count()"], ["--map", "{b: blockNumber}"], ["--set", "x=1"], ["--del", "args"]] {
            for name in [dir + "/evnts.ndjson", "evnts.ndjson", "./evnts"] {
                let r = try BinaryRunner.run(options + [name], stdin: input([decodedEvent(block: 9, log: 0)]))
                #expect(r.status == 66, "\(options) \(name): \(r.status) \(r.stderr)")
                #expect(r.stdout == "")
                #expect(r.stderr.contains("\(name): no such input file"), "\(r.stderr)")
            }
            let ok = try BinaryRunner.run(options + [real], stdin: "")
            #expect(ok.status == 0, "\(options): \(ok.stderr)")
            #expect(ok.lines.count == 1)
        }
        // The same rule without any of them: no file name is taken as the expression.
        let plain = try BinaryRunner.run(["evnts.ndjson"], stdin: input([decodedEvent(block: 9, log: 0)]))
        #expect(plain.status == 66)
        let existing = try BinaryRunner.run([real], stdin: "")
        #expect(existing.status == 64)
        #expect(existing.stderr.contains("missing EXPR: \(real) is an input file"))
        // A division is still an expression.
        let div = try BinaryRunner.run(["blockNumber/1"], stdin: input([decodedEvent(block: 9, log: 0)]))
        #expect(div.status == 0)
        #expect(div.lines.count == 1)
    }

    @Test func aggregateOutputNeverInterleavesRawLogs() throws {
        let r = try BinaryRunner.run(
            ["--agg", "count()"], stdin: input([rawLog, decodedEvent(block: 1, log: 0), rawLog, marker(1)]))
        #expect(r.status == 0)
        #expect(r.lines == [marker(1), "{\"window\":{\"fromBlock\":1,\"toBlock\":1},\"count\":1}"])
        #expect(
            r.stderr
                == "cc-filter: warning: dropped 2 raw (undecoded) logs: --agg aggregates decoded events only "
                + "(decode them first with cc-decode, or --drop-raw to silence this)\n")
        let quiet = try BinaryRunner.run(["--agg", "count()", "--drop-raw"], stdin: input([rawLog]))
        #expect(quiet.stderr == "")
        #expect(quiet.stdout == "")
    }

    @Test func topReceiversSortedExactlyAndLimitedPerWindow() throws {
        let big = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        let bigMinus = "115792089237316195423570985008687907853269984665640564039457584007913129639934"
        let lines = [
            decodedEvent(block: 100, log: 0, value: bigMinus, to: alice),
            decodedEvent(block: 100, log: 1, value: "1", to: bob),
            decodedEvent(block: 101, log: 0, value: big, to: bob),
            decodedEvent(block: 101, log: 1, value: "9", to: carol),
            decodedEvent(block: 102, log: 0, value: "10", to: carol),
            decodedEvent(block: 205, log: 0, value: "3", to: alice),
            decodedEvent(block: 205, log: 1, value: "4", to: bob),
        ]
        let r = try BinaryRunner.run(
            [
                "--group-by", "args.to", "--agg", "{total: sum(args.value), n: count()}", "--sort", "total:desc",
                "--limit", "2", "--window", "blocks:100",
            ], stdin: input(lines))
        #expect(r.status == 0, "\(r.stderr)")
        let w1 = "{\"window\":{\"fromBlock\":100,\"toBlock\":199},"
        let w2 = "{\"window\":{\"fromBlock\":200,\"toBlock\":299},"
        #expect(
            r.lines == [
                w1
                    + "\"key\":\"\(bob)\",\"total\":\"115792089237316195423570985008687907853269984665640564039457584007913129639936\",\"n\":2}",
                w1 + "\"key\":\"\(alice)\",\"total\":\"\(bigMinus)\",\"n\":1}",
                w2 + "\"key\":\"\(bob)\",\"total\":\"4\",\"n\":1}",
                w2 + "\"key\":\"\(alice)\",\"total\":\"3\",\"n\":1}",
            ])
        let asc = try BinaryRunner.run(
            ["--group-by", "args.to", "--agg", "sum(args.value)", "--sort", "sum", "--limit", "1"], stdin: input(lines))
        #expect(asc.lines == ["{\"window\":{\"fromBlock\":100,\"toBlock\":205},\"key\":\"\(carol)\",\"sum\":\"19\"}"])
        let byKey = try BinaryRunner.run(
            ["--group-by", "args.to", "--agg", "avg(args.value)", "--sort", "avg:desc"],
            stdin: input([lines[3], lines[4], lines[5], lines[6]]))
        #expect(byKey.lines.map { $0.contains(carol) } == [true, false, false])  // 9.5 > 4 > 3
        let bad = try BinaryRunner.run(["--agg", "count()", "--sort", "total"], stdin: "")
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("no column \"total\"; the rows have count"))
        let noAgg = try BinaryRunner.run(["true", "--limit", "3"], stdin: "")
        #expect(noAgg.status == 64)
    }

    @Test func controlRecordsPassInOrderAndRewindDropsOpenWindows() throws {
        let plain = try BinaryRunner.run(
            ["event == \"Transfer\""], stdin: input([unknown, decodedEvent(block: 1, log: 0), rewind(0), marker(1)]))
        #expect(plain.lines == [unknown, decodedEvent(block: 1, log: 0), rewind(0), marker(1)])
        // --window marker: only a checkpoint closes the window; a rewind below
        // the open window drops it (its blocks will be sent again).
        let agg = try BinaryRunner.run(
            ["--group-by", "args.to", "--agg", "count()", "--window", "marker"],
            stdin: input([
                decodedEvent(block: 5, log: 0, to: alice), marker(5),
                decodedEvent(block: 6, log: 0, to: alice), unknown, decodedEvent(block: 7, log: 0, to: bob),
                rewind(5),
                decodedEvent(block: 6, log: 0, to: bob), marker(8),
            ]))
        #expect(agg.status == 0)
        #expect(agg.stderr == "")
        #expect(
            agg.lines == [
                "{\"window\":{\"fromBlock\":5,\"toBlock\":5},\"key\":\"\(alice)\",\"count\":1}", marker(5),
                unknown, rewind(5),
                "{\"window\":{\"fromBlock\":6,\"toBlock\":8},\"key\":\"\(bob)\",\"count\":1}", marker(8),
            ])
        // A rewind inside the open window cannot be undone exactly: a warning.
        let inside = try BinaryRunner.run(
            ["--agg", "count()", "--window", "marker"],
            stdin: input([decodedEvent(block: 5, log: 0), decodedEvent(block: 7, log: 0), rewind(6)]))
        #expect(inside.stderr.contains("rewind to block 6 inside the open aggregation window"))
    }
}
