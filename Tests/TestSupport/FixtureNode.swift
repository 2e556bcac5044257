import CCKit
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The fixture JSON-RPC node (Tests/Fixtures/fixture_node.py) as a process the
/// test owns: started on a random loopback port, stopped on `stop()` or deinit.
///
///     let node = try FixtureNode(["--blocks", "5000", "--range-limit", "1000", "--error-style", "alchemy"])
///     // node.url == "http://127.0.0.1:PORT"
///     try node.control(#"{"reorg":{"depth":3}}"#)
///
/// @unchecked Sendable: `process` is only read after init; stopping is guarded by `lock`.
public final class FixtureNode: @unchecked Sendable {
    /// `http://127.0.0.1:PORT` (append `/v2/KEY` when started with `--api-key KEY`).
    public let url: String
    public let port: Int
    private let process: Process
    private let lock = NSLock()
    private var stopped = false

    /// Repository root, found from this file's location.
    public static func repositoryRoot(filePath: String = #filePath) -> String {
        var url = URL(fileURLWithPath: filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/TestSupport/FixtureNode.swift
        return url.path
    }

    public static var scriptPath: String { repositoryRoot() + "/Tests/Fixtures/fixture_node.py" }

    /// Starts `python3 fixture_node.py --port 0 <arguments>` and waits (up to
    /// `startTimeout` seconds) for its `listening http://…` line.
    public init(_ arguments: [String] = [], startTimeout: Double = 20) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", Self.scriptPath, "--port", "0"] + arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process

        let fd = stdout.fileHandleForReading.fileDescriptor
        var line: [UInt8] = []
        let deadline = Date().addingTimeInterval(startTimeout)
        var byte: UInt8 = 0
        while line.last != UInt8(ascii: "\n") {
            let left = deadline.timeIntervalSinceNow
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(max(0, left) * 1000))
            if ready <= 0 || read(fd, &byte, 1) != 1 {
                process.terminate()
                process.waitUntilExit()
                throw FixtureNodeError("fixture node did not start (arguments: \(arguments.joined(separator: " ")))")
            }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("listening "), let colon = text.lastIndex(of: ":"),
            let port = Int(text[text.index(after: colon)...])
        else {
            process.terminate()
            throw FixtureNodeError("fixture node printed \(text.debugDescription) instead of its address")
        }
        self.url = String(text.dropFirst("listening ".count))
        self.port = port
    }

    deinit { stop() }

    /// Ends the node and waits for it. SIGKILL: the node keeps nothing worth flushing.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        if stopped { return }
        stopped = true
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// POSTs a JSON object to `/__control` and returns the reply. Keys:
    /// `faults` (object of switches to change), `head`, `advance`,
    /// `reorg` ({"depth": D} or {"from": BLOCK}), `reset_stats`.
    @discardableResult
    public func control(_ json: String) throws -> String {
        let transport = try CurlTransport()
        let response = try transport.post(url: url + "/__control", body: Array(json.utf8))
        let text = String(decoding: response.body, as: UTF8.self)
        guard response.status == 200 else { throw FixtureNodeError("control \(json) failed: \(text)") }
        return text
    }

    /// One JSON-RPC call straight to the node (no retries), returning the
    /// whole response text: `try node.rpc("eth_getLogs", #"[{"fromBlock":"0x1","toBlock":"0x9"}]"#)`.
    /// Counts as an RPC request for the every-Kth faults, so call it before
    /// switching faults on, or reset the counters afterwards.
    public func rpc(_ method: String, _ paramsJSON: String = "[]", path: String = "") throws -> String {
        let body = #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(paramsJSON)}"#
        let response = try CurlTransport().post(url: url + path, body: Array(body.utf8))
        return String(decoding: response.body, as: UTF8.self)
    }

    /// The node's counters (`/__stats`) as JSON text.
    public func statsJSON() throws -> String {
        let transport = try CurlTransport()
        let response = try transport.post(url: url + "/__stats", body: [])
        return String(decoding: response.body, as: UTF8.self)
    }

    /// One counter from `/__stats`, e.g. `stat("http_requests")`, `stat("faults", "429")`.
    public func stat(_ path: String...) throws -> Int {
        let data = Data(try statsJSON().utf8)
        var value: Any? = try JSONSerialization.jsonObject(with: data)
        for key in path { value = (value as? [String: Any])?[key] }
        return (value as? Int) ?? 0
    }
}

public struct FixtureNodeError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
