import CCKit
import CCTestSupport
import Foundation
import Testing

/// How every command starts and ends when its surroundings are wrong: a closed
/// stdout, a metrics file nobody can create, a directory given as INPUT.
@Suite struct StopsAndExitsTests {
    @Test func fetchWithStdoutClosedStopsWith74() throws {
        let node = try FixtureNode(["--blocks", "3000"])
        let start = Date()
        // `timeout -s KILL`: the old binary hung, deaf to SIGTERM.
        let r = try BuiltBinaries.shell("timeout -s KILL 60 cc-fetch --rpc \(node.url) --from 0 --to 2000 >&-")
        #expect(r.status == 74)
        #expect(r.stderr == "cc-fetch: writing standard output: Bad file descriptor\n")
        #expect(Date().timeIntervalSince(start) < 30)
    }

    @Test func otherCommandsWithStdoutClosed() throws {
        let line = #"{"chainId":1,"blockNumber":1,"blockHash":"0x01","logIndex":0,"event":"E","args":{}}"#
        let f = try BuiltBinaries.shell("echo '\(line)' | timeout -s KILL 30 cc-filter true >&-")
        #expect(f.status == 74)
        #expect(f.stderr == "cc-filter: writing standard output: Bad file descriptor\n")
    }

    @Test func metricsFileInAMissingDirectoryIs74BeforeAnyWork() throws {
        let dir = try TestDirectory.make("metrics")
        let m = dir + "/no/such/dir/m.prom"
        let fetch = try BuiltBinaries.run(
            "cc-fetch", ["--rpc", "http://127.0.0.1:1/", "--from", "0", "--to", "1", "--metrics-file", m])
        #expect(fetch.status == 74)
        #expect(
            fetch.stderr
                == "cc-fetch: --metrics-file \(m): cannot create a file in \(dir)/no/such/dir: No such file or directory\n"
        )
        let sink = try BuiltBinaries.run("cc-sink", ["sqlite", dir + "/t.db", "--metrics-file", m], stdin: "")
        #expect(sink.status == 74)
        #expect(
            sink.stderr
                == "cc-sink: --metrics-file \(m): cannot create a file in \(dir)/no/such/dir: No such file or directory\n"
        )
        let asDirectory = try BuiltBinaries.run("cc-sink", ["sqlite", dir + "/t.db", "--metrics-file", dir], stdin: "")
        #expect(asDirectory.status == 74)
        #expect(asDirectory.stderr == "cc-sink: --metrics-file \(dir): Is a directory\n")
    }

    @Test func aDirectoryAsInputIs66InEveryCommand() throws {
        let dir = try TestDirectory.make("input-dir")
        let runs: [(String, [String])] = [
            ("cc-decode", ["--abi", "erc20", dir]),
            ("cc-filter", ["true", dir]),
            ("cc-sink", ["sqlite", dir + "/t.db", dir]),
            ("cc-sink", ["file", dir + "/out.ndjson", dir]),
            ("cc-sink", ["webhook", "http://127.0.0.1:1/", dir]),
        ]
        for (tool, args) in runs {
            let r = try BuiltBinaries.run(tool, args)
            #expect(r.status == 66, "\(tool) \(args): \(r.stderr)")
            #expect(r.stderr == "\(tool): \(dir): Is a directory\n")
        }
    }
}

/// `--rps inf` never granted a token (a silent hang) and `--timeout 0.0001`
/// became curl's 0, no timeout at all (a hang on a silent server).
@Suite struct RPCOptionBoundsTests {
    @Test(arguments: [
        (["--rps", "inf"], "cc-fetch: --rps must be a number above 0\n"),
        (["--rps", "1e309"], "cc-fetch: --rps must be a number above 0\n"),
        (["--timeout", "0.0001"], "cc-fetch: --timeout must be at least 0.001 seconds\n"),
    ])
    func refused(_ args: [String], _ message: String) throws {
        let (s, out, err) = try FetchProcess.run(["--rpc", "http://127.0.0.1:1", "--from", "0", "--to", "1"] + args)
        #expect(s == 64)
        #expect(out == "")
        #expect(err == message)
    }
}

/// Failover sends any range to any endpoint, and only the first answer's
/// chain was checked: two endpoints of different chains wrote one file of
/// both chains' logs under one chain id, exit 0.
@Suite struct EndpointChainTests {
    @Test func endpointsOfTwoChainsAreRefused() throws {
        let a = try FixtureNode(["--blocks", "300"])
        let b = try FixtureNode(["--blocks", "300", "--chain-id", "5", "--seed", "7"])
        let (s, out, err) = try FetchProcess.run(["--rpc", a.url, "--rpc", b.url, "--from", "0", "--to", "299"])
        #expect(s == 78)
        #expect(out == "")
        #expect(
            err == "cc-fetch: the --rpc endpoints are on different chains (\(a.url) chain 1337, \(b.url) chain 5); "
                + "give cc-fetch endpoints of one chain\n")
        // An endpoint that does not answer is failover's business, not a refusal.
        let (s2, out2, err2) = try FetchProcess.run(
            ["--rpc", a.url, "--rpc", "http://127.0.0.1:1", "--from", "0", "--to", "299", "-q"])
        #expect(s2 == 0, "\(err2)")
        let (_, alone, _) = try FetchProcess.run(["--rpc", a.url, "--from", "0", "--to", "299"])
        #expect(out2 == alone)
    }
}
