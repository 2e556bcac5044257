import CCKit
import CCTestSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Helpers for the sink's tests: temp directories, running the built
/// binaries, and generating deterministic decoded-event streams.
enum SinkTest {
    static var repositoryRoot: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/SinkTests/SinkTestSupport.swift
        return url.path
    }

    static func binary(_ name: String) -> String { BuiltBinaries.path(name) }

    /// A fresh directory (see `TestDirectory`).
    static func tempDir(_ label: String = "sink") throws -> String { try TestDirectory.make(label) }

    typealias Result = BinaryRun

    /// Runs a built binary (see `BuiltBinaries.run`).
    static func run(
        _ tool: String, _ arguments: [String], stdin: String = "", environment: [String: String] = [:],
        directory: String? = nil
    ) throws -> Result {
        try BuiltBinaries.run(tool, arguments, stdin: stdin, environment: environment, directory: directory)
    }

    /// Runs a shell command line (for ulimit and pipelines).
    static func shell(_ script: String, environment: [String: String] = [:]) throws -> Result {
        try BuiltBinaries.run("/bin/bash", ["-c", script], environment: environment)
    }

    static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func hash(_ n: Int, salt: Int = 0) -> String {
        "0x" + String(repeating: "0", count: 48) + String(format: "%08x%08x", salt, n)
    }

    /// Block 1's events and marker, with `bad` (a line holding a number the
    /// sink cannot store) as block 2 before its marker; a bad `chainId` goes
    /// first instead, because once a marker named the chain another chain is 78.
    static func streamAround(_ bad: String, field: String) -> String {
        field == "chainId"
            ? bad + "\n" + stream(from: 1, to: 1)
            : stream(from: 1, to: 1) + bad + "\n" + marker(block: 2) + "\n"
    }

    /// A block-2 Transfer whose `field` holds `value`.
    static func transfer(block: Int = 2, withHuge field: String, value: String) -> String {
        transfer(block: block, log: 0).replacingOccurrences(
            of: #""\#(field)":[0-9]+"#, with: #""\#(field)":\#(value)"#, options: .regularExpression)
    }

    /// One decoded Transfer event in the stream's field order.
    static func transfer(
        block: Int, log: Int, chain: Int = 1, removed: Bool = false, value: String? = nil, salt: Int = 0
    ) -> String {
        let v = value ?? String(1_000_000 * block + log)
        return
            #"{"chainId":\#(chain),"blockNumber":\#(block),"blockHash":"\#(hash(block, salt: salt))","blockTimestamp":\#(1_700_000_000 + block * 12),"transactionHash":"\#(hash(block * 1000 + log, salt: 7))","transactionIndex":\#(log / 2),"logIndex":\#(log),"address":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48","removed":\#(removed),"event":"Transfer","signature":"Transfer(address,address,uint256)","args":{"from":"0x000000000000000000000000000000000000dEaD","to":"0x0000000000000000000000000000000000000001","value":"\#(v)"}}"#
    }

    static func marker(block: Int, chain: Int = 1, filter: String = "3f9a", salt: Int = 0) -> String {
        #"{"$cc":"checkpoint","chainId":\#(chain),"blockNumber":\#(block),"blockHash":"\#(hash(block, salt: salt))","filter":"\#(filter)"}"#
    }

    /// Blocks `from...to`, `perBlock` events each, a marker after every
    /// `markerEvery` blocks (and none at the very end when `finalMarker` is false).
    static func stream(
        from: Int, to: Int, perBlock: Int = 3, markerEvery: Int = 1, finalMarker: Bool = true, chain: Int = 1
    ) -> String {
        var s = ""
        for b in from...to {
            for l in 0..<perBlock { s += transfer(block: b, log: l, chain: chain) + "\n" }
            if (b - from + 1) % markerEvery == 0 && (b != to || finalMarker) {
                s += marker(block: b, chain: chain) + "\n"
            }
        }
        if finalMarker && (to - from + 1) % markerEvery != 0 { s += marker(block: to, chain: chain) + "\n" }
        return s
    }

    static func query(_ db: String, _ sql: String) throws -> [[String?]] {
        try SQLiteConnection(path: db, readOnly: true).query(sql)
    }

    /// The exact expected `events` rows of a stream's keys, as "block:log".
    static func keys(_ db: String, table: String = "events") throws -> [String] {
        try query(db, "SELECT block_number || ':' || log_index FROM \(table) ORDER BY block_number, log_index")
            .map { $0[0] ?? "" }
    }

    static func expectedKeys(from: Int, to: Int, perBlock: Int = 3) -> [String] {
        (from...to).flatMap { b in (0..<perBlock).map { "\(b):\($0)" } }
    }
}
