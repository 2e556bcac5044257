import CCKit
import CCTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the built `cc-fetch` (CC_BIN_DIR, else .build/debug) with real pipes.
final class FetchProcess: @unchecked Sendable {
    // @unchecked: the process and file handles are only touched by the test thread that owns this object.
    let process = Process()
    let stdoutPath: String
    let stderrPath: String

    static var binary: String { BuiltBinaries.path("cc-fetch") }

    init(_ args: [String], env: [String: String] = [:]) throws {
        let dir = try TestDirectory.make("ccfetch")
        stdoutPath = dir + "/out"
        stderrPath = dir + "/err"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = args
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "CC_RPC_URL")
        for (k, v) in env { environment[k] = v }
        process.environment = environment
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits for exit (killing it after `timeout` seconds) and returns the status.
    @discardableResult
    func wait(timeout: Double = 120) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { process.interrupt(); kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Polls stdout until `predicate` holds (or `timeout`).
    func waitForOutput(timeout: Double = 60, _ predicate: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if predicate(stdout) { return true }
            if !process.isRunning { return predicate(stdout) }
            usleep(50_000)
        }
        return false
    }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    static func run(_ args: [String], env: [String: String] = [:], timeout: Double = 120) throws -> (
        Int32, String, String
    ) {
        let p = try FetchProcess(args, env: env)
        let status = p.wait(timeout: timeout)
        return (status, p.stdout, p.stderr)
    }
}

/// The logs a fault-free node returns for [from, to] in one call, as the lines
/// cc-fetch must write (the node's objects plus chainId).
func oracleLines(
    url: String, from: UInt64, to: UInt64, filter: LogFilter = LogFilter(), chainId: UInt64 = 1337,
    withTimestamps: Bool = false
) throws -> [String] {
    let transport = try CurlTransport()
    let body =
        #"{"jsonrpc":"2.0","id":1,"method":"eth_getLogs","params":"#
        + LogQuery.range(BlockRange(from, to)).params(filterFields: filter.jsonFields) + "}"
    let response = try transport.post(url: url, body: Array(body.utf8))
    var bytes = response.body
    return try bytes.withUnsafeMutableBufferPointer { b -> [String] in
        let line = try JSONLine(UnsafeBufferPointer(b))
        guard let result = line.root["result"] else {
            throw FixtureNodeError("oracle: no result: \(String(decoding: response.body.prefix(300), as: UTF8.self))")
        }
        var out: [UInt8] = []
        _ = try LogBatchProcessor(filter: filter, chainId: chainId).process(
            result, range: BlockRange(from, to), into: &out)
        return String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

func lines(_ s: String) -> [String] { s.split(separator: "\n").map(String.init) }
func records(_ s: String) -> [String] { lines(s).filter { !$0.hasPrefix(#"{"$cc""#) } }
func markers(_ s: String) -> [String] { lines(s).filter { $0.hasPrefix(#"{"$cc":"checkpoint""#) } }
func rewinds(_ s: String) -> [String] { lines(s).filter { $0.hasPrefix(#"{"$cc":"rewind""#) } }

/// blockNumber of a raw log line (hex quantity).
func blockOf(_ line: String) -> UInt64? {
    guard let r = line.range(of: #""blockNumber":"0x"#) else { return nil }
    let rest = line[r.upperBound...]
    guard let end = rest.firstIndex(of: "\"") else { return nil }
    return UInt64(rest[..<end], radix: 16)
}

/// The node's hash of a block (eth_getBlockByNumber), nil when it has none.
func oracleHash(url: String, block: UInt64) throws -> String? {
    let body =
        #"{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0x\#(String(block, radix: 16))",false]}"#
    let response = try CurlTransport().post(url: url, body: Array(body.utf8))
    let obj = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
    return (obj?["result"] as? [String: Any])?["hash"] as? String
}
