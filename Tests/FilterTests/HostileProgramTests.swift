import CCTestSupport
import Foundation
import Testing

/// Issue 14: generated or hostile programs get a usage error (64) naming
/// the limit, never a crash (139), a hang or unbounded memory; `$` keys stay
/// control-only.
@Suite(.serialized) struct HostileProgramTests {
    let event = decodedEvent(block: 7, log: 0, value: "5")

    func file(_ name: String, _ text: String) throws -> String {
        let path = TestDirectory.path(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func deepProgramsAreUsageErrorsNotCrashes() throws {
        let cases: [(String, [String])] = [
            ("3,000 parentheses", [String(repeating: "(", count: 3000) + "1" + String(repeating: ")", count: 3000)]),
            ("20,000-segment path", ["args" + String(repeating: ".a", count: 20000)]),
            ("100k '!'", [String(repeating: "!", count: 100_000) + "true"]),
            ("5,000 '**'", ["2" + String(repeating: "**2", count: 5000)]),
            ("20,000 '+'", ["1" + String(repeating: "+1", count: 20000) + " > 0"]),
            ("10,000 nested lists", [String(repeating: "[", count: 10000) + String(repeating: "]", count: 10000)]),
            ("10,000-segment --set", ["true", "--set", "a" + String(repeating: ".b", count: 10000) + "=1"]),
            ("10,000-segment --del", ["true", "--del", "a" + String(repeating: "[0]", count: 10000)]),
            ("deep --group-by", ["--group-by", String(repeating: "(", count: 5000) + "1", "--agg", "count()"]),
        ]
        for (what, args) in cases {
            let r = try BinaryRunner.run(args, stdin: event + "\n")
            #expect(r.status == 64, "\(what): \(r.status) \(r.stderr.prefix(300))")
            #expect(r.stderr.contains("program nested deeper than 256 levels"), "\(what): \(r.stderr.prefix(300))")
            #expect(r.stdout == "")
        }
        // At the limit, it still works.
        let deep = String(repeating: "(", count: 250) + "blockNumber == 7" + String(repeating: ")", count: 250)
        let ok = try BinaryRunner.run(
            [deep, "--set", "x=" + String(repeating: "-", count: 250) + "1"], stdin: event + "\n")
        #expect(ok.status == 0, "\(ok.stderr.prefix(300))")
        #expect(ok.stdout.hasSuffix(",\"x\":1}\n"))
    }

    /// The library itself (not only the command) compiles deep programs on
    /// a large stack, so a caller on a small worker thread gets the error.
    @Test func libraryCompilesDeepProgramsOnAnyThread() {
        let deep = String(repeating: "(", count: 3000) + "1" + String(repeating: ")", count: 3000)
        #expect(compileError(deep)?.contains("program nested deeper than 256 levels") == true)
        let ok = String(repeating: "(", count: 250) + "1" + String(repeating: ")", count: 250)
        #expect(compileError(ok + " == 1") == nil)
        #expect(compileError(String(repeating: "!", count: 250) + "true") == nil)
    }

    @Test func flatTwentyThousandTermAllowlistsWork() throws {
        let others = (0..<20000).map { String(format: "\"0x%040x\"", $0) }
        let mine = "\"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48\""
        let other8 = "\"0x00000000c6218b36c1d19d4a2e9eb0ce3606eb48\""
        let programs = [
            (others + [mine]).map { "address == \($0)" }.joined(separator: " || "),
            (others + [mine]).map { "address == \($0)" }.joined(separator: "\nor "),
            "address in [" + (others + [mine]).joined(separator: ", ") + "]",
            (others + [other8]).map { "address != \($0)" }.joined(separator: " && "),
        ]
        let other = decodedEvent(block: 8, log: 0).replacingOccurrences(of: "0xA0b86991", with: "0x00000000")
        for p in programs {
            let r = try BinaryRunner.run(["-f", try file("allow", p)], stdin: event + "\n" + other + "\n")
            #expect(r.status == 0, "\(r.stderr.prefix(300))")
            #expect(r.lines == [event])
        }
    }

    @Test func hugeProgramFilesAreCapped() throws {
        let r = try BinaryRunner.run(["-f", "/dev/zero"])
        #expect(r.status == 64)
        #expect(r.stderr == "cc-filter: program file /dev/zero is larger than 16 MiB (cc-filter's limit)\n")
    }

    @Test func dollarKeysAreControlOnly() throws {
        let cases: [[String]] = [
            ["true", "--set", "$cc=\"checkpoint\""], ["true", "--set", "$x.y=1"],
            ["--map", "{\"$cc\": \"checkpoint\", blockNumber: 99}"], ["--map", "{..., \"$x\": 1}"],
            ["true", "--del", "$cc"], ["--agg", "{\"$cc\": count()}"],
        ]
        for args in cases {
            let r = try BinaryRunner.run(args, stdin: event + "\n")
            #expect(r.status == 64, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("keys beginning with '$' are for control records"), "\(args): \(r.stderr)")
            #expect(r.stdout == "")
        }
        // Nested `$` keys are data, not control.
        let nested = try BinaryRunner.run(["--map", "{meta: {\"$cc\": 1}}"], stdin: event + "\n")
        #expect(nested.lines == ["{\"meta\":{\"$cc\":1}}"])
    }

    @Test func expressionsMayStartWithAMinus() throws {
        let r = try BinaryRunner.run(["--where", "-(2**511) < blockNumber"], stdin: event + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lines == [event])
        let m = try BinaryRunner.run(["--map", "-1", "-"], stdin: event + "\n")
        #expect(m.status == 64)
        #expect(m.stderr.contains("--map needs an object"))
        let pos = try BinaryRunner.run(["--", "-blockNumber < 0"], stdin: event + "\n")
        #expect(pos.lines == [event])
    }

    @Test func regexWorkIsLinearAndStoppable() throws {
        let memo = "{\"event\":\"T\",\"args\":{\"memo\":\"" + String(repeating: "a", count: 30) + "!\"}}"
        let start = ContinuousClock.now
        let r = try BinaryRunner.run(
            ["!matches(args.memo, \"^(a+)+$\") && !matches(args.memo, \"^(\\\\w+\\\\s?)*$\")"], stdin: memo + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lines == [memo])
        #expect(ContinuousClock.now - start < .seconds(10))
        // A search that would run for minutes (2 MB × ~7,000 states) stops at
        // SIGTERM with 143 at once, not at the end.
        let big = try file("big", "{\"s\":\"" + String(repeating: "ab", count: 1 << 20) + "\"}\n")
        let script = """
            cc-filter 'matches(s, "(a|b|ab|ba|aa|bb){0,400}c")' \(big) > /dev/null & pid=$!
            sleep 1; t0=$(date +%s%N); kill -TERM $pid; wait $pid; st=$?
            echo "$st $(( ($(date +%s%N) - t0) / 1000000 ))"
            """
        let s = try BuiltBinaries.shell(script)
        let parts = s.stdout.split(separator: " ").map { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1 }
        #expect(parts.first == 143, "\(s.stdout) \(s.stderr)")
        #expect((parts.last ?? 99999) < 3000, "stopped after \(parts.last ?? -1) ms")
    }

    @Test func stringWorkIsBounded() throws {
        let a = "{\"a\":\"" + String(repeating: "a", count: 100_000) + "\"}"
        let start = ContinuousClock.now
        // A long needle that almost matches everywhere: linear, not 5e9 steps.
        let r = try BinaryRunner.run(
            [
                "--map",
                "{n: len(replace(a, concat(substr(a, 0, 50000), \"b\"), \"x\")), m: len(replace(a, \"aa\", \"b\"))}",
            ],
            stdin: a + "\n")
        #expect(r.lines == ["{\"n\":100000,\"m\":50000}"], "\(r.stderr)")
        #expect(ContinuousClock.now - start < .seconds(20))
        // Squaring a 100 kB string would be 10 GB: a runtime error, not an allocation.
        let sq = try BinaryRunner.run(["--map", "{n: len(replace(a, \"a\", a))}", "--strict"], stdin: a + "\n")
        #expect(sq.status == 65)
        #expect(sq.stderr.contains("replace() result longer than 16 MiB"), "\(sq.stderr)")
        // An 8,000-key --map: a hash index, not a quadratic scan per event.
        let keys = (0..<8000).map { "k\($0):chainId" }.joined(separator: ",")
        let m = try BinaryRunner.run(["--map", "{" + keys + "}"], stdin: String(repeating: event + "\n", count: 3))
        #expect(m.status == 0)
        #expect(m.lines.count == 3)
        #expect(m.lines[0].hasPrefix("{\"k0\":1,\"k1\":1,") && m.lines[0].hasSuffix(",\"k7999\":1}"))
    }
}
