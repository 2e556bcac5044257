import CCKit
import CCTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The built binary against the fixture node, faults injected; every run must
/// write exactly the oracle's logs in order — no gap, no duplicate.
@Suite(.serialized) struct FetchEndToEndTests {
    static let range = ["--from", "0", "--to", "2999"]

    static let faults: [[String]] = [
        ["--range-limit", "500", "--error-style", "geth"],
        ["--range-limit", "700", "--error-style", "alchemy"],
        ["--range-limit", "400", "--error-style", "quicknode"],
        ["--result-limit", "1200", "--error-style", "infura"],
        ["--result-limit", "900", "--error-style", "reth"],
        ["--result-limit", "1000", "--error-style", "erigon"],
        ["--rate-limit-every", "4", "--retry-after", "0"],
        ["--fail-503-every", "5"],
        ["--drop-every", "6"],
        ["--truncate-every", "5"],
        ["--garbage-every", "7"],
        ["--latency-ms", "20"],
        ["--header-not-found-every", "6"],
    ]

    @Test(arguments: faults)
    func eachFaultAlone(_ fault: [String]) throws {
        try fetchMatchesOracle(fault, extra: ["--chunk-size", "2000", "--concurrency", "4"])
    }

    @Test func allFaultsTogether() throws {
        try fetchMatchesOracle(
            [
                "--range-limit", "800", "--result-limit", "1500", "--error-style", "alchemy", "--rate-limit-every", "7",
                "--retry-after", "0", "--fail-503-every", "11", "--drop-every", "13", "--truncate-every", "17",
                "--garbage-every", "19", "--latency-ms", "5",
            ],
            extra: ["--chunk-size", "5000", "--concurrency", "6", "--checkpoint", "/nonexistent-dir/ck.json"],
            expectMarkers: true)
    }

    @Test func batchesAndTimestamps() throws {
        let clean = try FixtureNode(["--blocks", "3000"])
        let node = try FixtureNode(["--blocks", "3000", "--range-limit", "300"])
        let (status, out, err) = try FetchProcess.run(
            [
                "--rpc", node.url, "--from", "100", "--to", "1999", "--batch", "3", "--chunk-size", "300",
                "--with-timestamps",
            ])
        #expect(status == 0, "\(err)")
        let got = records(out)
        let want = try oracleLines(url: clean.url, from: 100, to: 1999)
        #expect(got.count == want.count)
        for (g, w) in zip(got, want) {
            let n = blockOf(w)!
            let ts = String(1_700_000_000 + 12 * n, radix: 16)
            #expect(g == String(w.dropLast()) + #","blockTimestamp":"0x\#(ts)"}"#)
        }
    }

    func fetchMatchesOracle(_ fault: [String], extra: [String], expectMarkers: Bool = false) throws {
        let clean = try FixtureNode(["--blocks", "3200"])
        let node = try FixtureNode(["--blocks", "3200"] + fault)
        let want = try oracleLines(url: clean.url, from: 0, to: 2999)
        #expect(want.count > 10_000)
        let (status, out, err) = try FetchProcess.run(["--rpc", node.url] + Self.range + extra, timeout: 300)
        #expect(status == 0, "\(fault): \(err)")
        let got = records(out)
        #expect(got.count == want.count, "\(fault)")
        #expect(
            got == want,
            "\(fault): first difference at \(got.indices.first(where: { $0 >= want.count || got[$0] != want[$0] }) ?? -1)"
        )
        if expectMarkers {
            let ms = markers(out)
            #expect(!ms.isEmpty)
            #expect(ms.last?.contains(#""blockNumber":2999"#) == true)
            // A marker never comes before a log of a block it covers.
            var maxMarked: UInt64 = 0
            for line in lines(out) {
                if line.hasPrefix(#"{"$cc""#) {
                    let n = UInt64(line.split(separator: ",")[2].split(separator: ":")[1])!
                    #expect(n >= maxMarked)
                    maxMarked = n
                } else if let b = blockOf(line) {
                    #expect(b > maxMarked || maxMarked == 0)
                }
            }
        }
    }

    @Test func filtersByAddressAndEvent() throws {
        let node = try FixtureNode(["--blocks", "2000"])
        let all = try oracleLines(url: node.url, from: 0, to: 1999)
        let addr = String(all[0].dropFirst(#"{"address":""#.count).prefix(42))
        let (status, out, err) = try FetchProcess.run(
            [
                "--rpc", node.url, "--from", "0", "--to", "1999", "--address",
                addr.uppercased().replacingOccurrences(of: "0X", with: "0x"),
                "--event", "Transfer(address,address,uint256)",
            ])
        #expect(status == 0, "\(err)")
        let want = all.filter {
            $0.hasPrefix(#"{"address":"\#(addr)""#)
                && $0.contains("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
        }
        #expect(!want.isEmpty)
        #expect(records(out) == want)
    }

    @Test func chainMismatchIsAConfigurationError() throws {
        let node = try FixtureNode(["--blocks", "100"])
        let (status, _, err) = try FetchProcess.run(["--rpc", node.url, "--chain", "ethereum", "--from", "0"])
        #expect(status == 78)
        #expect(err.contains("expects chain id 1"))
        #expect(err.contains("1337"))
    }

    @Test func usageErrors() throws {
        let cases: [[String]] = [
            ["--rpc", "http://127.0.0.1:1", "--from", "yesterday"],
            ["--rpc", "http://127.0.0.1:1", "--from", "0", "--address", "0x12"],
            ["--rpc", "http://127.0.0.1:1", "--from", "0", "--topic1", "0xzz"],
            ["--from", "0"],
            ["--rpc", "http://127.0.0.1:1", "--from", "0", "--chain", "atlantis"],
        ]
        for args in cases {
            let (status, out, err) = try FetchProcess.run(args)
            #expect(status == 64, "\(args): \(err)")
            #expect(out.isEmpty)
            #expect(err.hasPrefix("cc-fetch: "), "\(err)")
        }
    }

    @Test func unreachableEndpointIs69AndRedacted() throws {
        let (status, _, err) = try FetchProcess.run(
            ["--rpc", "http://user:secret@127.0.0.1:1/v2/KEY123", "--from", "0", "--retries", "1"])
        #expect(status == 69, "\(err)")
        #expect(!err.contains("KEY123") && !err.contains("secret"))
    }

    @Test func closedPipeIsAQuietSuccess() throws {
        let node = try FixtureNode(["--blocks", "3000"])
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [
            "-c",
            "'\(FetchProcess.binary)' --rpc \(node.url) --from 0 --to 2999 | head -1 >/dev/null; echo ${PIPESTATUS[0]}",
        ]
        let pipe = Pipe()
        p.standardOutput = pipe
        let errPipe = Pipe()
        p.standardError = errPipe
        try p.run()
        p.waitUntilExit()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        #expect(String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).isEmpty)
    }

    @Test func sigintStopsCleanlyAt130() throws {
        let node = try FixtureNode(["--blocks", "20000", "--range-limit", "100", "--latency-ms", "30"])
        let ck = TestDirectory.path("ck") + ".json"
        let p = try FetchProcess([
            "--rpc", node.url, "--from", "0", "--to", "19999", "--concurrency", "2", "--checkpoint", ck,
            "--metrics-file", ck + ".prom",
        ])
        #expect(p.waitForOutput { markers($0).count >= 3 })
        p.signal(SIGINT)
        let status = p.wait()
        #expect(status == 130, "\(p.stderr) \(markers(p.stdout).count) markers")
        let out = p.stdout
        #expect(out.hasSuffix("\n"))
        #expect(lines(out).last?.hasPrefix(#"{"$cc""#) == true, "ends on a marker")
        let metrics = (try? String(contentsOfFile: ck + ".prom", encoding: .utf8)) ?? ""
        #expect(metrics.contains("ccfetch_logs_total{chain_id=\"1337\"}"))
    }

    @Test func isoTimesResolveByBinarySearch() throws {
        let node = try FixtureNode(["--blocks", "1000"])
        // Block n has timestamp 1700000000 + 12n: 12 s after block 100 is block 101's time.
        let from = ISO8601Time.format(1_700_000_000 + 12 * 100 + 5)
        let to = ISO8601Time.format(1_700_000_000 + 12 * 110)
        let (status, out, err) = try FetchProcess.run(["--rpc", node.url, "--from", from, "--to", to])
        #expect(status == 0, "\(err)")
        let got = records(out)
        // --to TIME is the last block before that time: block 110 is at it, so not included.
        #expect(got == (try oracleLines(url: node.url, from: 101, to: 109)))
        // Back to back: the next range starts at block 110, and no block is in both.
        let next = ISO8601Time.format(1_700_000_000 + 12 * 120)
        let (s1, out1, _) = try FetchProcess.run(["--rpc", node.url, "--from", to, "--to", next])
        #expect(s1 == 0)
        #expect(records(out1) == (try oracleLines(url: node.url, from: 110, to: 119)))
        // A fraction of a second: block 100's time (…:20) is before …:20.5, so --from
        // starts at 101 and --to ends at 100 (both counted block 100 the other way).
        let t100 = ISO8601Time.format(1_700_000_000 + 12 * 100).dropLast() + ".5Z"
        let t110 = ISO8601Time.format(1_700_000_000 + 12 * 110).dropLast() + ".5Z"
        let (sf, outf, _) = try FetchProcess.run(["--rpc", node.url, "--from", String(t100), "--to", String(t110)])
        #expect(sf == 0)
        #expect(records(outf) == (try oracleLines(url: node.url, from: 101, to: 110)))
        // -N is N blocks, so -0 is none: a usage error rather than the head.
        let (s0, out0, err0) = try FetchProcess.run(["--rpc", node.url, "--from", "-0"])
        #expect(s0 == 64)
        #expect(out0 == "")
        #expect(err0 == "cc-fetch: --from -0 is no blocks (-N is the last N); say --from latest for the head\n")
        // -N is N blocks: the head (999) and the 9 below it; --to -5 is 5 below the head.
        let (s2, out2, _) = try FetchProcess.run(["--rpc", node.url, "--from", "-10", "--to", "-5"])
        #expect(s2 == 0)
        #expect(records(out2) == (try oracleLines(url: node.url, from: 990, to: 994)))
        let (s3, out3, _) = try FetchProcess.run(["--rpc", node.url, "--from", "-1000", "--to", "latest"])
        #expect(s3 == 0)
        #expect(records(out3) == (try oracleLines(url: node.url, from: 0, to: 999)))
        // A time before the first block leaves nothing to end at.
        let (s4, _, err4) = try FetchProcess.run(["--rpc", node.url, "--from", "0", "--to", "2000-01-01T00:00:00Z"])
        #expect(s4 == 64)
        #expect(err4 == "cc-fetch: --to 2000-01-01T00:00:00Z: the chain has no block before that time\n")
    }
}

/// The progress line, as a person sees it: cc-fetch with its stderr on a
/// pseudo-terminal (`script` from util-linux), stdout to /dev/null.
@Suite struct FetchProgressLineTests {
    static func onTerminal(_ arguments: String) throws -> BinaryRun {
        let command = "'\(BuiltBinaries.path("cc-fetch"))' \(arguments) > /dev/null"
        return try BuiltBinaries.run("/usr/bin/script", ["-qfec", command, "/dev/null"])
    }

    @Test func drawnOnATerminalAndClearedAtTheEnd() throws {
        let node = try FixtureNode(["--blocks", "400", "--latency-ms", "60"])
        let r = try Self.onTerminal("--rpc \(node.url) --from 0 --to 399 --chunk-size 40")
        #expect(r.status == 0, "\(r.stdout)")
        let line = #/\r\x1B\[2Kcc-fetch: \d+/400 blocks \(\d+\.\d%\)(, ETA \d+[smh]\d*[sm]?)?, \d+ logs, \d+ logs/s/#
        #expect(r.stdout.contains(line), "\(r.stdout.debugDescription)")
        // Cleared before exit, so the shell prompt starts on a clean line.
        #expect(r.stdout.hasSuffix("\r\u{1B}[2K"), "\(r.stdout.debugDescription)")
    }

    @Test func quietDrawsNothing() throws {
        let node = try FixtureNode(["--blocks", "400", "--latency-ms", "60"])
        let r = try Self.onTerminal("--rpc \(node.url) --from 0 --to 399 --chunk-size 40 -q")
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout == "")
    }
}

@Suite struct FetchArgumentSecretTests {
    @Test func aStrayWordInRpcIsNotEchoed() throws {
        let (status, out, err) = try FetchProcess.run(["--rpc", "http://h/KEY1 KEY2", "--from", "0"])
        #expect(status == 64)
        #expect(out == "")
        #expect(
            err
                == "cc-fetch: --rpc: item 2 of 2 is not an http:// or https:// URL (items are separated by spaces; "
                + "it is not shown, as it may hold a key)\n")
    }
}
