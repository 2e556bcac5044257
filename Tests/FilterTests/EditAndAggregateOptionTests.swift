import CCTestSupport
import Foundation
import Testing

/// `--set`/`--del` on lists (negative indexes, out of range, wrong kinds),
/// `--agg`/`--group-by`/`--sort`/`--window` refusals and sorting of mixed
/// columns, through the built binary with exact output, message and status.
@Suite(.serialized) struct EditAndAggregateOptionTests {
    static let doc = "{\"a\":[1,[2,3],{\"k\":4}],\"o\":{\"p\":1},\"s\":\"x\"}"

    @Test(arguments: [
        (["--set", "a[0]=9"], "{\"a\":[9,[2,3],{\"k\":4}],\"o\":{\"p\":1},\"s\":\"x\"}"),
        (["--set", "a[-1].k=5"], "{\"a\":[1,[2,3],{\"k\":5}],\"o\":{\"p\":1},\"s\":\"x\"}"),
        (["--set", "a[1][-2]=7"], "{\"a\":[1,[7,3],{\"k\":4}],\"o\":{\"p\":1},\"s\":\"x\"}"),
        (["--set", "a[-1].n.m=1"], "{\"a\":[1,[2,3],{\"k\":4,\"n\":{\"m\":1}}],\"o\":{\"p\":1},\"s\":\"x\"}"),
        (["--set", "o[\"k\\\"]=\"]=2"], "{\"a\":[1,[2,3],{\"k\":4}],\"o\":{\"p\":1,\"k\\\"]=\":2},\"s\":\"x\"}"),
        (["--set", "o.p=o.p+1", "--del", "o.p"], "{\"a\":[1,[2,3],{\"k\":4}],\"o\":{},\"s\":\"x\"}"),
        (["--del", "a[0]"], "{\"a\":[[2,3],{\"k\":4}],\"o\":{\"p\":1},\"s\":\"x\"}"),
        (["--del", "a[-1].k"], "{\"a\":[1,[2,3],{}],\"o\":{\"p\":1},\"s\":\"x\"}"),
        (["--del", "a[1][-1]"], "{\"a\":[1,[2],{\"k\":4}],\"o\":{\"p\":1},\"s\":\"x\"}"),
        // Paths that lead nowhere change nothing.
        (["--del", "a[1][5]"], doc), (["--del", "a[-9]"], doc), (["--del", "s[0]"], doc), (["--del", "o.p.q"], doc),
        (["--del", "missing.x"], doc), (["--del", "a[0][0]"], doc), (["--del", "a[-1].k.z"], doc),
        (["--del", "a[2].z.y"], doc), (["--del", "o.q[0]"], doc),
    ])
    func setAndDeleteOnListsAndObjects(options: [String], expected: String) throws {
        let r = try BinaryRunner.run(["--strict", "true"] + options, stdin: Self.doc + "\n")
        #expect(r.stderr == "")
        #expect(r.status == 0)
        #expect(r.lines == [expected])
    }

    /// A path through a value of the wrong kind is a runtime error: 65 with
    /// --strict, else the event is dropped and counted. A key into a list or
    /// a number used to replace it by an object, silently.
    @Test(arguments: [
        ("a[3]=1", "--set [3]: index out of range for a list of 3"),
        ("a[-4]=1", "--set [-4]: index out of range for a list of 3"), ("s[0]=1", "--set [0]: not a list"),
        ("o.q[0]=1", "--set [0]: not a list"), ("o.p.q=1", "--set .q: not an object"),
        ("a[\"k\"]=1", "--set .k: not an object"), ("s.t.u=1", "--set .t: not an object"),
    ])
    func setThroughTheWrongKindIsARuntimeError(set: String, message: String) throws {
        let strict = try BinaryRunner.run(["--strict", "true", "--set", set], stdin: Self.doc + "\n")
        #expect(strict.status == 65)
        #expect(strict.stdout == "")
        #expect(strict.stderr == "cc-filter: line 1: \(message)\n")
        let lax = try BinaryRunner.run(["true", "--set", set], stdin: Self.doc + "\n")
        #expect(lax.status == 0)
        #expect(lax.stdout == "")
        #expect(
            lax.stderr
                == "cc-filter: line 1: \(message); event dropped\n"
                + "cc-filter: 1 event dropped by runtime errors (use --strict to stop at the first)\n")
    }

    @Test(arguments: [
        (
            ["--set", "x"],
            "cc-filter: --set:1:2: --set needs KEY=EXPR, e.g. --set 'valueEth=formatUnits(args.value, 18)'\n  x\n   ^\n"
        ),
        (
            ["--set", "[0]=1"],
            "cc-filter: --set key:1:1: expected a path such as args.value or meta[\"tag\"]\n  [0]\n  ^\n"
        ),
        (["--del", "[0]"], "cc-filter: --del:1:1: expected a path such as args.value or meta[\"tag\"]\n  [0]\n  ^\n"),
        (["--agg", "sum(1,2)"], "cc-filter: --agg:1:1: sum() takes one argument\n  sum(1,2)\n  ^\n"),
        (["--agg", "count(1,2)"], "cc-filter: --agg:1:1: count() takes zero or one argument\n  count(1,2)\n  ^\n"),
        (
            ["--agg", "count(), count(), count()"],
            "cc-filter: --agg:1:19: duplicate column \"count()\"; use --agg '{name: count(…), …}'\n  count(), count(), count()\n                    ^\n"
        ),
        (
            ["--agg", "{a: count(), a: sum(v)}"],
            "cc-filter: --agg:1:14: duplicate object key \"a\"\n  {a: count(), a: sum(v)}\n               ^\n"
        ),
        (
            ["--agg", "{}"],
            "cc-filter: --agg:1:1: --agg needs at least one aggregate, e.g. 'count(), sum(args.value)'\n  {}\n  ^\n"
        ),
        (
            ["--agg", "[1]"],
            "cc-filter: --agg:1:1: expected an aggregate: count(), sum(x), min(x), max(x), avg(x), first(x), last(x), distinct(x)\n  [1]\n  ^\n"
        ),
        (
            ["--agg", "{n: count()}.n"],
            "cc-filter: --agg:1:1: expected {name: aggregate(…), …}\n  {n: count()}.n\n  ^\n"
        ),
        (
            ["--agg", "count()", "--window", "foo"],
            "cc-filter: --window: expected blocks:N, time:DURATION (30s, 5m, 1h, 1d), marker or end, got 'foo'\n"
        ),
        (
            ["--agg", "count()", "--window", "blocks:0"],
            "cc-filter: --window: expected blocks:N, time:DURATION (30s, 5m, 1h, 1d), marker or end, got 'blocks:0'\n"
        ),
        (
            ["--agg", "count()", "--window", "time:5x"],
            "cc-filter: --window: expected blocks:N, time:DURATION (30s, 5m, 1h, 1d), marker or end, got 'time:5x'\n"
        ),
        (
            ["--agg", "count()", "--sort", "nope"],
            "cc-filter: --sort:1:1: no column \"nope\"; the rows have count (add :desc for largest first)\n  nope\n  ^\n"
        ),
        (
            ["--group-by", "k", "--agg", "count()", "--sort", "nope:asc"],
            "cc-filter: --sort:1:1: no column \"nope\"; the rows have key, count (add :desc for largest first)\n  nope:asc\n  ^\n"
        ),
        (
            ["--group-by", "", "--agg", "count()"],
            "cc-filter: --group-by:1:1: expected at least one expression\n  \n  ^\n"
        ),
        // Columns in messages are the user's, not those of the bracketed copy the list is parsed from.
        (
            ["--group-by", "k, -(blockNumber, upper(1)", "--agg", "count()"],
            "cc-filter: --group-by:1:17: expected ')' to close '(' at column 5\n  k, -(blockNumber, upper(1)\n                  ^\n"
        ),
        // `a] + [b` used to parse as one expression and group by nothing.
        (
            ["--group-by", "k] + [k", "--agg", "count()"],
            "cc-filter: --group-by:1:1: expected a comma-separated list of expressions\n  k] + [k\n  ^\n"
        ),
    ])
    func refusesBadOptions(options: [String], stderr: String) throws {
        let r = try BinaryRunner.run(options, stdin: "{\"blockNumber\":1,\"k\":\"b\"}\n")
        #expect(r.status == 64)
        #expect(r.stdout == "")
        #expect(r.stderr == stderr)
    }
}

/// Sorting aggregated rows whose columns mix numbers, decimals, strings,
/// booleans, objects and nulls.
@Suite(.serialized) struct AggregateSortTests {
    static let input =
        [
            "{\"blockNumber\":1,\"k\":\"b\",\"v\":\"10\",\"w\":null,\"o\":{\"z\":1}}",
            "{\"blockNumber\":2,\"k\":\"a\",\"v\":\"-25\",\"w\":true,\"o\":[1]}",
            "{\"blockNumber\":3,\"k\":\"c\",\"v\":null,\"w\":\"x\",\"o\":null}",
            "{\"blockNumber\":4,\"k\":\"a\",\"v\":\"4\",\"w\":false,\"o\":\"s\"}",
            "{\"blockNumber\":5,\"k\":\"d\",\"v\":\"-0\",\"w\":2,\"o\":true}",
        ].joined(separator: "\n") + "\n"
    static let w = "{\"window\":{\"fromBlock\":1,\"toBlock\":5},"

    @Test(arguments: [
        (
            ["--group-by", "k", "--agg", "count(), sum(v)", "--sort", "key"],
            [
                "\"key\":\"a\",\"count\":2,\"sum\":\"-21\"}", "\"key\":\"b\",\"count\":1,\"sum\":\"10\"}",
                "\"key\":\"c\",\"count\":1,\"sum\":\"0\"}", "\"key\":\"d\",\"count\":1,\"sum\":\"0\"}",
            ]
        ),
        (
            ["--group-by", "k", "--agg", "count(), sum(v)", "--sort", "key:desc", "--limit", "2"],
            ["\"key\":\"d\",\"count\":1,\"sum\":\"0\"}", "\"key\":\"c\",\"count\":1,\"sum\":\"0\"}"]
        ),
        (
            ["--group-by", "k", "--agg", "avg(v), min(v), max(v)", "--sort", "avg"],
            [
                "\"key\":\"a\",\"avg\":\"-10.5\",\"min\":\"-25\",\"max\":\"4\"}",
                "\"key\":\"d\",\"avg\":\"0\",\"min\":\"-0\",\"max\":\"-0\"}",
                "\"key\":\"b\",\"avg\":\"10\",\"min\":\"10\",\"max\":\"10\"}",
                "\"key\":\"c\",\"avg\":null,\"min\":null,\"max\":null}",
            ]
        ),
        (
            ["--group-by", "k", "--agg", "avg(v)", "--sort", "avg:desc"],
            [
                "\"key\":\"b\",\"avg\":\"10\"}", "\"key\":\"d\",\"avg\":\"0\"}", "\"key\":\"a\",\"avg\":\"-10.5\"}",
                "\"key\":\"c\",\"avg\":null}",
            ]
        ),
        (
            ["--group-by", "k", "--agg", "first(w), last(o), distinct(w)", "--sort", "first"],
            [
                "\"key\":\"d\",\"first\":\"2\",\"last\":true,\"distinct\":1}",
                "\"key\":\"c\",\"first\":\"x\",\"last\":null,\"distinct\":1}",
                "\"key\":\"a\",\"first\":true,\"last\":\"s\",\"distinct\":2}",
                "\"key\":\"b\",\"first\":null,\"last\":{\"z\":1},\"distinct\":0}",
            ]
        ),
        (
            ["--group-by", "k", "--agg", "last(o)", "--sort", "last:desc"],
            [
                "\"key\":\"b\",\"last\":{\"z\":1}}", "\"key\":\"d\",\"last\":true}", "\"key\":\"a\",\"last\":\"s\"}",
                "\"key\":\"c\",\"last\":null}",
            ]
        ),
        (
            ["--agg", "distinct(o), count(o), count()", "--window", "end"],
            ["\"distinct\":4,\"count\":4,\"count()\":5}"]
        ),
        (
            [
                "--group-by",
                "-blockNumber, !k, k ? 1 : 2, blockNumber + 1, k && blockNumber, null || k, k in [\"a\"], [k][0], {x: k}.x",
                "--agg", "count()", "--limit", "1",
            ],
            ["\"key\":[-1,false,1,2,true,true,false,\"b\",\"b\"],\"count\":1}"]
        ),
    ])
    func sortsMixedColumns(options: [String], rows: [String]) throws {
        let r = try BinaryRunner.run(options, stdin: Self.input)
        #expect(r.stderr == "")
        #expect(r.status == 0)
        #expect(r.lines == rows.map { Self.w + $0 })
    }
}

/// Objects past 16 keys are indexed by hash; deleting from one must keep
/// the index right for the next lookup.
@Suite(.serialized) struct WideObjectEditTests {
    static let keys = (0..<18).map { "k\($0)" }
    static func object(_ keys: [String]) -> String {
        "{" + keys.map { "\"\($0)\":\($0.dropFirst())" }.joined(separator: ",") + "}"
    }

    @Test func deletesTwoKeysOfAWideEvent() throws {
        let r = try BinaryRunner.run(
            ["--strict", "true", "--del", "k3", "--del", "k15", "--set", "k16=0"], stdin: Self.object(Self.keys) + "\n")
        #expect(r.stderr == "")
        #expect(r.status == 0)
        let kept = Self.keys.filter { $0 != "k3" && $0 != "k15" }
        #expect(r.lines == [Self.object(kept).replacingOccurrences(of: "\"k16\":16", with: "\"k16\":0")])
    }

    @Test func deletesThreeLevelsDown() throws {
        let r = try BinaryRunner.run(
            ["--del", "o.p.q", "--del", "o.n.q"], stdin: "{\"o\":{\"p\":{\"q\":1,\"r\":2},\"n\":{\"z\":0}}}\n")
        #expect(r.stderr == "")
        #expect(r.lines == ["{\"o\":{\"p\":{\"r\":2},\"n\":{\"z\":0}}}"])
    }

    /// A second aggregate of one kind is named after its text.
    @Test func repeatedAggregatesAreNamedByTheirText() throws {
        let r = try BinaryRunner.run(
            ["--agg", "count(), count(true), count(false), count(null), count(args[\"odd name\"])"],
            stdin: "{\"blockNumber\":1,\"args\":{\"odd name\":1}}\n{\"blockNumber\":2,\"args\":{}}\n")
        #expect(r.stderr == "")
        #expect(
            r.lines == [
                "{\"window\":{\"fromBlock\":1,\"toBlock\":2},\"count\":2,\"count(true)\":2,\"count(false)\":2,"
                    + "\"count(null)\":0,\"count(args[\\\"odd name\\\"])\":1}"
            ])
    }

    @Test func firstAndLastKeepFractionsAsText() throws {
        let r = try BinaryRunner.run(
            ["--agg", "first(x), last(x)"], stdin: "{\"blockNumber\":1,\"x\":1.5}\n{\"blockNumber\":2,\"x\":2.5e1}\n")
        #expect(r.stderr == "")
        #expect(r.status == 0)
        #expect(r.lines == ["{\"window\":{\"fromBlock\":1,\"toBlock\":2},\"first\":\"1.5\",\"last\":\"25\"}"])
    }
}

/// Closing counts and the cap on repeated messages.
@Suite(.serialized) struct StreamDiagnosticsTests {
    @Test func aRawLogThatFailsThePredicatePassesThrough() throws {
        let r = try BinaryRunner.run(["topics + 1 > 0"], stdin: rawLog + "\n")
        #expect(r.status == 0)
        #expect(r.stderr == "")
        #expect(r.lines == [rawLog])
    }

    @Test func pluralCounts() throws {
        let invalid = try BinaryRunner.run(["--skip-invalid", "true"], stdin: "x\ny\n{\"a\":1}\n")
        #expect(invalid.status == 0)
        #expect(invalid.lines == ["{\"a\":1}"])
        #expect(
            invalid.stderr == """
                cc-filter: warning: line 1: invalid JSON: unexpected 'x', expected a value at column 1
                cc-filter: warning: line 2: invalid JSON: unexpected 'y', expected a value at column 1
                cc-filter: skipped 2 invalid lines

                """)
        let raw = try BinaryRunner.run(["--agg", "count()"], stdin: rawLog + "\n" + rawLog + "\n{\"blockNumber\":1}\n")
        #expect(raw.status == 0)
        #expect(raw.lines == ["{\"window\":{\"fromBlock\":1,\"toBlock\":1},\"count\":1}"])
        #expect(
            raw.stderr
                == "cc-filter: warning: dropped 2 raw (undecoded) logs: --agg aggregates decoded events only "
                + "(decode them first with cc-decode, or --drop-raw to silence this)\n")
    }

    /// Twenty messages, then one line saying the rest are only counted.
    @Test func messagesStopAfterTwenty() throws {
        let r = try BinaryRunner.run(["a + 1 > 0"], stdin: String(repeating: "{\"a\":\"x\"}\n", count: 22))
        #expect(r.status == 0)
        #expect(r.stdout == "")
        let shown = (1...20).map { "cc-filter: line \($0): '+' needs a number, got string \"x\"; event dropped\n" }
        #expect(
            r.stderr
                == shown.joined() + "cc-filter: further runtime errors are counted but not shown\n"
                + "cc-filter: 22 events dropped by runtime errors (use --strict to stop at the first)\n")
        let invalid = try BinaryRunner.run(["--skip-invalid", "true"], stdin: String(repeating: "x\n", count: 22))
        let warned = (1...20).map {
            "cc-filter: warning: line \($0): invalid JSON: unexpected 'x', expected a value at column 1\n"
        }
        #expect(invalid.stderr == warned.joined() + "cc-filter: skipped 22 invalid lines\n")
    }
}
