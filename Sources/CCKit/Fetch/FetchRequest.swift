/// Everything the command line asked of one `cc-fetch` run.
package struct FetchRequest: Sendable {
    package enum OnReorg: String, Sendable, CaseIterable {
        /// Exit 75: a person decides.
        case fail
        /// Re-fetch from the fork point, sending removals for the orphaned logs.
        case rewind
    }

    package var rpcURLs: [String]
    package var chain: ChainPreset?
    package var from: BlockSpec?
    package var to: BlockSpec = .tag(.latest)
    package var filter = LogFilter()
    package var checkpointPath: String?
    /// `--shard K/N`: fetch only this shard's chunks of the fixed range (`from`/`to` are filled in from it).
    package var shard: ShardPlan?
    package var onReorg: OnReorg = .rewind
    package var follow = false
    package var pollInterval: Double?
    package var confirmations: UInt64?
    package var withTimestamps = false
    package var chunkSize: UInt64?
    package var maxChunkSize: UInt64 = 1_000_000
    package var concurrency = 4
    package var batch = 1
    package var metricsFile: String?
    package var verbose = false
    package var progress = false

    package init(rpcURLs: [String]) { self.rpcURLs = rpcURLs }
}
