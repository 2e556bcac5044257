import ArgumentParser
import CCCLI
import CCCore
import CCFetch
import CCJSON

/// `cc-fetch plan`: the shards of a range as NDJSON, for schedulers that want them listed.
struct Plan: ChainCastCommand {
    static let toolName = "cc-fetch"
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the shards of a fixed range as NDJSON, one line per shard (no node is contacted).",
        discussion: """
            Each line names the shard (K/N, from 0), its chunk count, block count, first and last block, \
            and the cc-fetch arguments that fetch it. The N shards together cover every block of the range \
            once.

            Example:
              cc-fetch plan --shards 8 --from 6082465 --to 21000000 | jq -r .args
            """)

    @Option(help: ArgumentHelp("Number of shards.", valueName: "N"))
    var shards: UInt64

    @Option(help: ArgumentHelp("First block (a number).", valueName: "BLOCK"))
    var from: UInt64

    @Option(help: ArgumentHelp("Last block (a number).", valueName: "BLOCK"))
    var to: UInt64

    @Option(help: ArgumentHelp("Blocks per chunk (default 10000).", valueName: "BLOCKS"))
    var shardChunk: UInt64 = ShardPlan.defaultChunk

    func validate() throws {
        if shards < 1 { throw ValidationError("--shards must be at least 1") }
        if from > to { throw ValidationError("--from \(from) is after --to \(to)") }
        if shardChunk < 1 { throw ValidationError("--shard-chunk must be at least 1") }
    }

    mutating func run() throws {
        let output = OutputWriter(fd: 1)
        for k in 0..<shards {
            let plan = ShardPlan(index: k, count: shards, chunk: shardChunk, from: from, to: to)
            try output.write(Array((plan.jsonLine + "\n").utf8))
        }
        try output.flush()
    }
}
