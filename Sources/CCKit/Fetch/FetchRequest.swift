/// Everything the command line asked of one `cc-fetch` run.
public struct FetchRequest: Sendable {
    public enum OnReorg: String, Sendable, CaseIterable {
        /// Exit 75: a person decides.
        case fail
        /// Re-fetch from the fork point, sending removals for the orphaned logs.
        case rewind
    }

    public var rpcURLs: [String]
    public var chain: ChainPreset?
    public var from: BlockSpec?
    public var to: BlockSpec = .tag(.latest)
    public var filter = LogFilter()
    public var checkpointPath: String?
    /// `--shard K/N`: fetch only this shard's chunks of the fixed range (`from`/`to` are filled in from it).
    public var shard: ShardPlan?
    public var onReorg: OnReorg = .rewind
    public var follow = false
    public var pollInterval: Double?
    public var confirmations: UInt64?
    public var withTimestamps = false
    public var chunkSize: UInt64?
    public var maxChunkSize: UInt64 = 1_000_000
    public var concurrency = 4
    public var batch = 1
    public var metricsFile: String?
    public var verbose = false
    public var progress = false

    public init(rpcURLs: [String]) { self.rpcURLs = rpcURLs }
}
