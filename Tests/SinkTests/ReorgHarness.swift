import CCKit
import CCTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `cc-fetch --follow … | cc-decode | [cc-filter |] cc-sink sqlite` against a
/// fixture node that reorgs on demand, in a directory of its own; every run
/// is the same command line, as cron or systemd would rerun it.
final class ReorgHarness {
    let node: FixtureNode
    let dir: String
    let from: Int
    /// cc-fetch's options after `--rpc URL --from FROM --checkpoint ck.json`.
    var fetchOptions: [String]
    var withFilter = false

    init(nodeArguments: [String], from: Int, fetchOptions: [String]) throws {
        node = try FixtureNode(["--logs-per-block", "2"] + nodeArguments)
        dir = try TestDirectory.make("reorg")
        self.from = from
        self.fetchOptions = fetchOptions
    }

    var db: String { dir + "/t.db" }
    var checkpointPath: String { dir + "/ck.json" }
    var log: String { SinkTest.read(dir + "/stderr.log") }

    /// One run; stages joined by FIFOs each stage opens itself.
    final class Run {
        let pipeline: FIFOPipeline
        var processes: [Process] { pipeline.processes }

        init(_ h: ReorgHarness) throws {
            var stages = [
                ([SinkTest.binary("cc-fetch"), "--rpc", h.node.url, "--from", "\(h.from)", "--checkpoint", "ck.json"]
                    + h.fetchOptions),
                [SinkTest.binary("cc-decode"), "--abi", "erc20", "--abi", "erc721"],
            ]
            if h.withFilter { stages.append([SinkTest.binary("cc-filter"), "blockNumber >= 0"]) }
            stages.append([SinkTest.binary("cc-sink"), "sqlite", "t.db", "--checkpoint", "ck.json"])
            pipeline = try FIFOPipeline(stages: stages, dir: h.dir)
        }

        /// Waits up to `seconds` for every stage, SIGKILLs what is left, and
        /// returns the statuses (128 + signal for a killed stage).
        func finish(within seconds: Double) -> [Int32] { pipeline.finish(within: seconds) }

        /// A clean stop: SIGTERM to cc-fetch, the others end on end of input.
        func stop() -> [Int32] {
            kill(processes[0].processIdentifier, SIGTERM)
            return finish(within: 20)
        }
    }

    func start() throws -> Run { try Run(self) }

    /// The checkpoint file's block (nil before the first).
    func checkpointBlock() -> UInt64? { (try? CheckpointFile(path: checkpointPath).read())??.blockNumber }

    /// Waits until `predicate` holds (polling every 20 ms) or `timeout`.
    @discardableResult
    func wait(timeout: Double = 30, _ predicate: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try predicate() { return true }
            usleep(20_000)
        }
        return try predicate()
    }

    func waitForCheckpoint(atLeast block: Int, timeout: Double = 30) -> Bool {
        wait(timeout: timeout) { (checkpointBlock() ?? 0) >= UInt64(block) }
    }

    func head() throws -> Int {
        let r = try node.rpc("eth_blockNumber")
        let obj = try JSONSerialization.jsonObject(with: Data(r.utf8)) as! [String: Any]
        return Int((obj["result"] as! String).dropFirst(2), radix: 16)!
    }

    /// The node's canonical hash of a block.
    func hash(_ block: Int) throws -> String {
        let r = try node.rpc("eth_getBlockByNumber", #"["0x\#(String(block, radix: 16))",false]"#)
        let obj = try JSONSerialization.jsonObject(with: Data(r.utf8)) as! [String: Any]
        return ((obj["result"] as? [String: Any])?["hash"] as? String) ?? ""
    }

    /// Every canonical log of blocks from...to, as "block:blockHash:logIndex", in order.
    func canonical(to: Int) throws -> [String] {
        let r = try node.rpc(
            "eth_getLogs", #"[{"fromBlock":"0x\#(String(from, radix: 16))","toBlock":"0x\#(String(to, radix: 16))"}]"#)
        let obj = try JSONSerialization.jsonObject(with: Data(r.utf8)) as! [String: Any]
        let logs = obj["result"] as! [[String: Any]]
        return logs.map { l in
            let b = Int((l["blockNumber"] as! String).dropFirst(2), radix: 16)!
            let i = Int((l["logIndex"] as! String).dropFirst(2), radix: 16)!
            return "\(b):\(l["blockHash"] as! String):\(i)"
        }
    }

    /// The rows of the events table, as `canonical` shapes them (duplicates kept).
    func rows() throws -> [String] {
        try SinkTest.query(
            db,
            "SELECT block_number || ':' || block_hash || ':' || log_index FROM events "
                + "ORDER BY block_number, log_index, block_hash"
        ).map { $0[0] ?? "" }
    }

    /// What differs between the table and the canonical chain up to `to`, for messages.
    func difference(to: Int) throws -> String {
        let want = try canonical(to: to)
        let got = try rows()
        let orphaned = got.filter { !Set(want).contains($0) }
        let missing = want.filter { !Set(got).contains($0) }
        return
            "\(got.count) rows, \(want.count) canonical; orphaned \(orphaned.prefix(5)), missing \(missing.prefix(5))"
    }

    func diff(_ to: Int) -> Comment { Comment(rawValue: (try? difference(to: to)) ?? "?") }
}
