import CCKit
import CCTestSupport
import Foundation
import Testing

/// Small places where the commands and their manuals disagreed (issue 11, item 9).
@Suite struct DriftTests {
    static var root: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }

    @Test("a web server that does not do POST (HTML 501) stops cc-fetch at once with 78")
    func html501IsNotAnEndpoint() throws {
        #expect(ProviderErrorClassifier.classify(httpStatus: 501).kind == .badEndpoint)
        // Python's http.server answers POST with an HTML 501 page.
        let dir = try TestDirectory.make("http501")
        let script = """
            python3 -c '
            import http.server
            s = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
            print(s.server_address[1], flush=True)
            s.serve_forever()' > '\(dir)/port' < /dev/null 2>/dev/null &
            server=$!
            for i in $(seq 50); do [ -s '\(dir)/port' ] && break; sleep 0.1; done
            port=$(cat '\(dir)/port')
            start=$(date +%s)
            timeout 60 '\(BuiltBinaries.path("cc-fetch"))' --rpc http://127.0.0.1:$port --from 0 --to 1 -q \\
              2>&1 >/dev/null < /dev/null
            echo "status $? after $(( $(date +%s) - start ))s"
            kill -9 $server  # SIGTERM may be blocked in what the test runner starts
            wait
            """
        let r = try BuiltBinaries.run("/bin/bash", ["-c", script])
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.last?.hasPrefix("status 78 after ") == true, "\(r.stdout)\(r.stderr)")
        #expect(Int(lines.last?.split(separator: " ")[3].dropLast() ?? "99") ?? 99 < 5)
    }

    @Test("probe says archive unknown when eth_getBalance is not served, not 'no'")
    func probeArchiveUnknown() throws {
        let node = try FixtureNode(["--blocks", "100"])
        defer { node.stop() }
        let r = try BuiltBinaries.run("cc-fetch", ["probe", "--rpc", node.url])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("archive      unknown (eth_getBalance failed: "), "\(r.stdout)")
        let j = try BuiltBinaries.run("cc-fetch", ["probe", "--rpc", node.url, "--json"])
        #expect(j.stdout.contains(#""archive":null"#), "\(j.stdout)")
    }

    @Test("manual pages and help examples that run as written")
    func docs() throws {
        let page = try String(contentsOfFile: Self.root + "/man/cc-fetch.1", encoding: .utf8)
        #expect(page.hasPrefix("'\\\" t\n"))
        let help = try BuiltBinaries.run("cc-decode", ["--help"])
        #expect(!help.stdout.contains("--to +"))
        let seven = try String(contentsOfFile: Self.root + "/man/chaincast.7", encoding: .utf8)
        #expect(seven.contains("jq -c '.[]'"))
        // The flag the message names exists.
        let ev = #"{"chainId":1,"blockNumber":1,"blockHash":"0x01","logIndex":0,"event":"T","args":{}}"#
        let f = try BuiltBinaries.run("cc-filter", ["--agg", "count()", "--window", "time:1h"], stdin: ev + "\n")
        #expect(f.stderr.contains("cc-fetch --with-timestamps"), "\(f.stderr)")
    }

    @Test("cc-sink file refuses a name that promises another format")
    func parquetName() throws {
        let r = try BuiltBinaries.run("cc-sink", ["file", "/nonexistent/out.parquet"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("cc-sink writes NDJSON or CSV, not .parquet"), "\(r.stderr)")
        let ok = try BuiltBinaries.run("cc-sink", ["file", "-", "--format", "ndjson"])
        #expect(ok.status == 0)
    }
}
