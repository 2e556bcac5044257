import CCKit
import CCTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Bugs the per-command glue let through before the stage driver, the stop-aware
/// sleep and the exact-key field table (issue 10), each checked on the binaries.
@Suite(.serialized) struct StageContractTests {
    static let logs = """
        {"address":"0x00000000000000000000000000000000000000aa","topics":["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef","0x0000000000000000000000000000000000000000000000000000000000000001","0x0000000000000000000000000000000000000000000000000000000000000002"],"data":"0x0000000000000000000000000000000000000000000000000000000000000005","blockNumber":"0x10","blockHash":"0x1111111111111111111111111111111111111111111111111111111111111111","transactionHash":"0x2222222222222222222222222222222222222222222222222222222222222222","transactionIndex":"0x0","logIndex":"0x0","removed":false}

        """

    /// A full disk is 74 with a message in every stage, also when the only write is the final flush.
    @Test(arguments: [["cc-decode", "--abi", "erc20"], ["cc-filter", "true"]])
    func fullDiskIsAnIOError(_ command: [String]) throws {
        let r = try BuiltBinaries.shell(command.joined(separator: " ") + " > /dev/full", stdin: Self.logs)
        #expect(r.status == 74, "\(command): \(r.stderr)")
        #expect(r.stderr.contains("No space left on device"), "\(r.stderr)")
    }

    /// SIGINT while the RPC layer backs off from a dead endpoint: 130 within a second, not
    /// after the whole retry schedule, and not 69.
    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func stopDuringRetriesIsPrompt(_ sig: Int32, _ status: Int32) throws {
        let port = try unusedLoopbackPort()
        let p = try FetchProcess(["--rpc", "http://127.0.0.1:\(port)", "--from", "0", "--to", "10", "-v"])
        Self.expectPromptStop(p, sig, status, within: 1.0)
    }

    /// Signals a cc-fetch that has been running a second and expects `status` within `seconds`
    /// (a hang check, far below the waits it would otherwise sit out).
    static func expectPromptStop(_ p: FetchProcess, _ sig: Int32, _ status: Int32, within seconds: Double) {
        usleep(1_000_000)
        #expect(p.process.isRunning, "cc-fetch ended before the signal: \(p.stderr)")
        let sent = Date()
        p.signal(sig)
        let got = p.wait(timeout: 20)
        let took = Date().timeIntervalSince(sent)
        #expect(got == status, "\(p.stderr)")
        #expect(took < seconds, "stopped \(took) s after the signal")
    }

    /// SIGINT while the block headers for `--with-timestamps` are retried: the same
    /// prompt 130, not a retried `eth_getLogs` that ends in 69 ("broke its contract").
    @Test func stopDuringTimestampRetriesIsPrompt() throws {
        let node = try FixtureNode(["--blocks", "100", "--failing-method", "eth_getBlockByNumber"])
        let p = try FetchProcess(["--rpc", node.url, "--from", "1", "--to", "50", "--with-timestamps"])
        usleep(1_500_000)
        #expect(p.process.isRunning, "cc-fetch gave up before the signal: \(p.stderr)")
        #expect(try node.stat("faults", "failing_method") >= 2)
        let sent = Date()
        p.signal(SIGINT)
        let got = p.wait(timeout: 20)
        let took = Date().timeIntervalSince(sent)
        #expect(got == 130, "\(p.stderr)")
        #expect(p.stderr.isEmpty, "\(p.stderr)")
        #expect(took < 1.0, "stopped \(took) s after the signal")
    }

    /// A server that accepts the connection and never answers: the stop waited
    /// for the request's timeout (60 s by default), and with `--retries 0` the
    /// stop became 69 "gave up". Now a signal aborts the request within about
    /// a second (libcurl's progress callback) and is the exit status.
    @Test(arguments: [[String](), ["--retries", "0"]])
    func stopDuringASilentRequestIsPrompt(_ extra: [String]) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
                bind(listener, p, len) == 0 && listen(listener, 16) == 0 && getsockname(listener, p, &len) == 0
            }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: addr.sin_port))
        let p = try FetchProcess(
            ["--rpc", "http://127.0.0.1:\(port)", "--from", "0", "--to", "10", "--timeout", "30"] + extra)
        Self.expectPromptStop(p, SIGTERM, 143, within: 5.0)
    }

    /// A missing start is a usage error (64) before the node is asked anything.
    @Test func missingFromIsUsageBeforeAnyRequest() throws {
        let node = try FixtureNode(["--blocks", "100"])
        let (status, out, err) = try FetchProcess.run(["--rpc", node.url, "--to", "50"])
        #expect(status == 64, "\(err)")
        #expect(out.isEmpty)
        #expect(err.contains("--from"), "\(err)")
        #expect(try node.stat("http_requests") == 0)
    }

    /// A node that adds members (newer fields, or a hostile `$cc`/`event`/`args`) gives
    /// exactly the output of a node without them: members are found by their exact key,
    /// and only Record 1's members are written.
    @Test(arguments: [
        #""blobGasUsed":"0x1","blockTimestampX":"0x99""#,
        #""blockNumberX":"0x5","logIndexes":"0x9","addressee":"0x00","removedAt":true"#,
        #""$cc":"checkpoint","filter":"0000000000000000","event":"Transfer","args":{"value":"1"},"signature":"x""#,
        #""chainId":99,"blockhash":"0x00""#,
    ])
    func extraLogMembersAreIgnored(_ extra: String) throws {
        let clean = try FixtureNode(["--blocks", "400"])
        let noisy = try FixtureNode(["--blocks", "400", "--extra-log-members", extra])
        let args = ["--from", "0", "--to", "399", "--chunk-size", "100"]
        let want = try FetchProcess.run(["--rpc", clean.url] + args)
        let got = try FetchProcess.run(["--rpc", noisy.url] + args)
        #expect(want.0 == 0, "\(want.2)")
        #expect(got.0 == 0, "\(got.2)")
        #expect(lines(got.1).count > 500)
        #expect(got.1 == want.1)
    }
}

/// A loopback port nothing listens on (bound, then closed).
func unusedLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0
        }
    }
    guard ok else { throw FixtureNodeError("cannot bind a loopback port") }
    return Int(UInt16(bigEndian: addr.sin_port))
}
