import CCTestSupport
import Foundation
import Testing

/// The built binary, through real pipes.
@Suite(.serialized) struct FilterEndToEndTests {
    let a = decodedEvent(block: 100, log: 0, value: "5000000000000000000")
    let b = decodedEvent(block: 100, log: 1, value: "10")
    let c = decodedEvent(block: 101, log: 0, event: "Approval", value: "7000000000000000000")

    func input(_ lines: [String]) -> String { lines.joined(separator: "\n") + "\n" }

    @Test func filtersAndCopiesLinesVerbatim() throws {
        let r = try BinaryRunner.run(
            ["event == \"Transfer\" && args.value > 10**18"],
            stdin: input([a, marker(100), b, rawLog, c, marker(101)]))
        #expect(r.status == 0)
        #expect(r.stderr == "")
        #expect(r.lines == [a, marker(100), rawLog, marker(101)])
    }

    @Test func dropRawAndWhereAndFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ccf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let f1 = dir.appendingPathComponent("1.ndjson").path, f2 = dir.appendingPathComponent("2.ndjson").path
        try input([a, rawLog]).write(toFile: f1, atomically: true, encoding: .utf8)
        try (c + "\n\n" + b).write(toFile: f2, atomically: true, encoding: .utf8)  // blank line, no final newline
        let r = try BinaryRunner.run([
            "--where", "blockNumber >= 100", "--where", "event != \"Approval\"", "--drop-raw", f1, f2,
        ])
        #expect(r.status == 0)
        #expect(r.lines == [a, b])
        let prog = dir.appendingPathComponent("p.ccf").path
        try "# approvals only\nevent == \"Approval\"\n".write(toFile: prog, atomically: true, encoding: .utf8)
        let r2 = try BinaryRunner.run(["-f", prog, f1, f2])
        #expect(r2.lines == [rawLog, c])
        let missing = try BinaryRunner.run(["true", dir.appendingPathComponent("nope").path])
        #expect(missing.status == 66)
    }

    @Test func mapSetDel() throws {
        let r = try BinaryRunner.run(
            ["--map", "{block: blockNumber, to: lower(args.to), eth: formatUnits(args.value, 18)}"],
            stdin: input([a, marker(100)]))
        #expect(
            r.lines == [
                "{\"block\":100,\"to\":\"0x21a31ee1afc51d94c2efccaa2092ad1028285549\",\"eth\":\"5.0\"}", marker(100),
            ])
        let keep = try BinaryRunner.run(
            ["true", "--map", "{..., event: upper(event), n: 1}", "--del", "args", "--del", "address"],
            stdin: input([b]))
        #expect(
            keep.lines == [
                "{\"chainId\":1,\"blockNumber\":100,\"logIndex\":1,\"removed\":false,\"event\":\"TRANSFER\",\"n\":1}"
            ])
        let set = try BinaryRunner.run(
            ["true", "--set", "args.eth=formatUnits(args.value, 18)", "--set", "tag=\"big\"", "--del", "args.from"],
            stdin: input([a]))
        #expect(
            set.lines == [
                "{\"chainId\":1,\"blockNumber\":100,\"logIndex\":0,\"address\":\"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48\",\"removed\":false,\"event\":\"Transfer\",\"args\":{\"to\":\"0x21a31Ee1afC51d94C2eFcCAa2092aD1028285549\",\"value\":\"5000000000000000000\",\"eth\":\"5.0\"},\"tag\":\"big\"}"
            ])
    }

    @Test func syntaxErrorsExit64WithCaret() throws {
        let r = try BinaryRunner.run(["args.value > (10**18"], stdin: input([a]))
        #expect(r.status == 64)
        #expect(r.stdout == "")
        #expect(
            r.stderr
                == "cc-filter: expression:1:21: expected ')' to close '(' at column 14\n  args.value > (10**18\n                      ^\n"
        )
        let unknown = try BinaryRunner.run(["--where", "nope(1)"], stdin: "not json at all\n")
        #expect(unknown.status == 64)  // reported before any input is read
        #expect(unknown.stderr.hasPrefix("cc-filter: --where:1:1: unknown function 'nope'"))
        let noExpr = try BinaryRunner.run([], stdin: "")
        #expect(noExpr.status == 64)
    }

    @Test func runtimeErrorsDropOrStop() throws {
        let r = try BinaryRunner.run(["args.value / (blockNumber - 100) > 0"], stdin: input([a, c]))
        #expect(r.status == 0)
        #expect(r.lines == [c])
        #expect(
            r.stderr == """
                cc-filter: line 1 (block 100, log 0): division by zero in '/'; event dropped
                cc-filter: 1 event dropped by runtime errors (use --strict to stop at the first)

                """)
        let strict = try BinaryRunner.run(
            ["--strict", "args.value / (blockNumber - 100) > 0"], stdin: input([c, a, c]))
        #expect(strict.status == 65)
        #expect(strict.lines == [c])
        #expect(strict.stderr == "cc-filter: line 2 (block 100, log 0): division by zero in '/'\n")
    }

    @Test func invalidLines() throws {
        let r = try BinaryRunner.run(["true"], stdin: input([a, "{\"event\": ", b]))
        #expect(r.status == 65)
        #expect(r.lines == [a])
        #expect(r.stderr.hasPrefix("cc-filter: line 2: invalid JSON"))
        let skip = try BinaryRunner.run(["true", "--skip-invalid"], stdin: input([a, "[1]", "garbage", b]))
        #expect(skip.status == 0)
        #expect(skip.lines == [a, b])
        #expect(skip.stderr.contains("skipped 2 invalid lines"))
    }

    @Test func garbageInputNeverCrashes() throws {
        var rng = SystemRandomNumberGenerator()
        var lines: [String] = []
        let pieces = [
            "{", "}", "[", "]", "\"", ":", ",", "\\", "\\u12", "1e999", "-", "null", "\"$cc\"", "\"args\"",
            "\"value\"", "\"0x\"", "{\"args\":", "\u{0}", "\u{FF}", "99999999999999999999999999999999999",
        ]
        for _ in 0..<300 {
            var s = ""
            for _ in 0..<Int.random(in: 1...12, using: &rng) { s += pieces.randomElement(using: &rng)! }
            lines.append(s)
        }
        lines.append(decodedEvent(block: 1, log: 0, value: "0x" + String(repeating: "f", count: 200)))
        lines.append("{\"event\":\"Transfer\",\"args\":{\"value\":\"12abc\"}}")
        lines.append("{\"event\":\"Transfer\",\"args\":{\"value\":1.5e400}}")
        let r = try BinaryRunner.run(
            ["--skip-invalid", "args.value > 10**18 || len(event) > 100"], stdin: input(lines))
        #expect(r.status == 0)
        #expect(r.stderr.contains("invalid line") || r.stderr.contains("dropped"))
    }

    @Test func closedPipeExitsZero() throws {
        let big = String(repeating: a + "\n", count: 20000)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ccf-big-\(UUID().uuidString).ndjson")
            .path
        try big.write(toFile: dir, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let st = try BinaryRunner.shell(
            "'\(BuiltBinaries.path("cc-filter"))' true '\(dir)' | head -1 | wc -l; echo ${PIPESTATUS[0]}")
        #expect(st.stdout == "1\n0\n")
        #expect(st.stderr == "")
    }
}
