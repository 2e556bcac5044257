import ArgumentParser
import CCCLI
import CCCore
import CCFetch
import CCJSON
import CCStream
import Foundation

struct FetchCommand: ChainCastCommand {
    static let toolName = "cc-fetch"
    static let configuration = CommandConfiguration(
        commandName: "cc-fetch",
        abstract: "Get contract event logs from JSON-RPC nodes as an NDJSON stream.",
        usage: """
            cc-fetch [--rpc <URL> ...] [--chain <NAME>] --from <BLOCK> [--to <BLOCK>] [<filter>] [<options>]
              cc-fetch probe [--rpc <URL> ...] [--json]
              cc-fetch plan --shards <N> --from <BLOCK> --to <BLOCK> [--shard-chunk <BLOCKS>]
            """,
        discussion: """
            Writes the logs eth_getLogs returns, one JSON object per line, in block and log order, \
            adding "chainId" (and "blockTimestamp" with --with-timestamps). Ranges adapt to the \
            provider's limits; every answer is checked (inside the range and filter, in order, no \
            duplicates). See cc-fetch(1) and chaincast(7).

            Examples:
              cc-fetch --rpc $RPC --chain ethereum --from 19000000 --to 19010000 \\
                --event 'Transfer(address,address,uint256)'
              cc-fetch --rpc $RPC --from -1000 --follow --checkpoint ck.json \\
                --address 0xA0b86991c6218b36c1D19D4a2e9Eb0cE3606eB48
              cc-fetch probe --rpc $RPC
              cc-fetch plan --shards 8 --from 6082465 --to 21000000   # a line per shard
            """,
        subcommands: [Probe.self, Plan.self])

    @OptionGroup(title: "Endpoints") var rpc: RPCOptions

    @OptionGroup(title: "Range") var range: RangeOptions

    @OptionGroup(title: "Filter") var filter: FilterOptions

    @OptionGroup(title: "Resume and follow") var resume: ResumeOptions

    @OptionGroup(title: "Output and tuning") var tuning: TuningOptions

    func validate() throws {
        if range.shard != nil && resume.follow {
            throw ValidationError("--shard is for a fixed range; run the follower (--follow) as a process of its own")
        }
    }

    mutating func run() throws {
        // A usage check, before the node is contacted: a missing start is 64 at once, not after
        // a full retry schedule against an endpoint that may be down. (Not in validate(): that
        // also runs for `cc-fetch probe` and `plan`, which need no start.)
        if range.from == nil && resume.checkpoint == nil && !resume.follow && tuning.replay == nil {
            throw ValidationError(
                "say where to start: --from BLOCK (or --checkpoint FILE, or --follow for new logs only)")
        }
        SignalState.install()
        let output = OutputWriter(fd: 1, capacity: 1 << 20)
        if let replay = tuning.replay {
            try ReplayRun(path: replay, filter: try filter.logFilter(), chainId: tuning.replayChainId, output: output)
                .run()
            return
        }
        let urls = try rpc.urls()
        var request = FetchRequest(rpcURLs: urls)
        try range.apply(to: &request)
        request.filter = try filter.logFilter()
        try resume.apply(to: &request)
        try tuning.apply(to: &request)
        request.progress = FetchProgress.stderrIsTerminal && !tuning.quiet
        let factory = try NodeFactory(urls: urls, options: rpc, batch: request.batch, verbose: request.verbose)
        let run = FetchRun(request: request, output: output, makeNode: { try factory.make(filter: $0) })
        if urls.count > 1 {
            // Failover sends any range to any endpoint: each one's chain, asked once, without retries.
            var once = rpc
            once.retries = 0
            let singles = try urls.map { url in (url, try NodeFactory(urls: [url], options: once)) }
            run.endpointChainIds = { singles.map { url, f in (url, { try f.make().chainId() }) } }
        }
        try run.run()
    }
}

struct RangeOptions: ParsableArguments {
    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "First block: a number (decimal or 0x), latest, safe, finalized, earliest, -N (the last N blocks) or an ISO-8601 time (first block at or after it).",
            valueName: "BLOCK"))
    var from: String?

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "Last block, same forms as --from (default: latest), but a time means the last block before it and -N is N below the head. Never beyond the head minus --confirmations.",
            valueName: "BLOCK"))
    var to: String?

    @Option(
        help: ArgumentHelp(
            "Chain preset: ethereum, sepolia, holesky, polygon, amoy, bsc, arbitrum, optimism, base, avalanche, gnosis, linea, scroll, zksync. The node's eth_chainId must match (exit 78).",
            valueName: "NAME"))
    var chain: String?

    @Option(
        help: ArgumentHelp(
            "Fetch only shard K of N (0 <= K < N) of the fixed range --from..--to: chunks of --shard-chunk blocks dealt round-robin. Part of the checkpoint's identity.",
            valueName: "K/N"))
    var shard: String?

    @Option(help: ArgumentHelp("Blocks per chunk with --shard (default 10000).", valueName: "BLOCKS"))
    var shardChunk: UInt64?

    func apply(to r: inout FetchRequest) throws {
        if let from { r.from = try BlockSpec(parsing: from) }
        if let to { r.to = try BlockSpec(parsing: to) }
        if shardChunk != nil && shard == nil { throw ChainCastError.usage("--shard-chunk needs --shard K/N") }
        if let shard {
            guard let (k, n) = ShardPlan.parse(shard) else {
                throw ChainCastError.usage("--shard \(shard): expected K/N with 0 <= K < N, like 2/8")
            }
            guard case .number(let a) = r.from, case .number(let b) = r.to, a <= b else {
                throw ChainCastError.usage(
                    "--shard needs a fixed range: --from and --to as block numbers, --from <= --to")
            }
            let chunk = shardChunk ?? ShardPlan.defaultChunk
            guard chunk >= 1 else { throw ChainCastError.usage("--shard-chunk must be at least 1") }
            r.shard = ShardPlan(index: k, count: n, chunk: chunk, from: a, to: b)
        }
        if let chain {
            guard let preset = ChainPreset.named(chain) else {
                throw ChainCastError.usage(
                    "--chain \(chain): unknown; known: \(ChainPreset.all.map(\.name).joined(separator: ", "))")
            }
            r.chain = preset
        }
    }
}

struct FilterOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Contract address; repeat, give a comma list, or @FILE (one or more per line).",
            valueName: "ADDR"))
    var address: [String] = []

    @Option(
        help: ArgumentHelp(
            "Event signature whose Keccak-256 is topic0, e.g. 'Transfer(address,address,uint256)' or 'event Transfer(address indexed from, ...)'; repeat for any of several.",
            valueName: "SIG"))
    var event: [String] = []

    @Option(
        help: ArgumentHelp(
            "Every event of this ABI (built-in name like erc20, file, or inline declarations; same forms as cc-decode --abi) as topic0.",
            valueName: "SOURCE"))
    var abi: [String] = []

    // .unconditional: a negative integer (-1) is a value, not an option.
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "topic0: a 32-byte word, an address (padded), an integer, true/false, null (any), or a comma list (any of).",
            valueName: "VALUE"))
    var topic0: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("topic1, same forms.", valueName: "VALUE"))
    var topic1: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("topic2, same forms.", valueName: "VALUE"))
    var topic2: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("topic3, same forms.", valueName: "VALUE"))
    var topic3: String?

    @Option(
        help: ArgumentHelp(
            "An indexed parameter of the --event declaration by name, encoded by its type: --arg to=0xADDR (a comma list: any of).",
            valueName: "NAME=VALUE"))
    var arg: [String] = []

    func logFilter() throws -> LogFilter {
        try LogFilter.fromCommandLine(
            addresses: address, events: event, abis: abi, topics: [topic0, topic1, topic2, topic3], args: arg)
    }
}

struct ResumeOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Checkpoint file written by cc-sink. When it exists, resume after its block (checked to be still canonical); emit a checkpoint marker after each completed range.",
            valueName: "FILE"))
    var checkpoint: String?

    @Option(
        name: .customLong("on-reorg"),
        help: ArgumentHelp(
            "When the checkpoint's block is no longer canonical (a reorg while the pipeline was stopped): rewind (removals for the orphaned logs, a rewind record at the fork point, re-fetch from there) or fail (exit 75, for a person to look first).",
            valueName: "rewind|fail"))
    var onReorg: FetchRequest.OnReorg = .rewind

    @Flag(help: "After the range, keep polling the head and write new logs as blocks reach --confirmations.")
    var follow = false

    @Option(
        name: .customLong("poll-interval"),
        help: ArgumentHelp(
            "Seconds between head polls with --follow (default: half the chain's block time).", valueName: "SECONDS"))
    var pollInterval: Double?

    @Option(
        help: ArgumentHelp(
            "Blocks below the head before logs are written (default: the chain preset's). With --follow, a reorg of blocks already written (any N) is undone with removed:true lines and a rewind record.",
            valueName: "N"))
    var confirmations: UInt64?

    func apply(to r: inout FetchRequest) throws {
        r.checkpointPath = checkpoint
        r.onReorg = onReorg
        r.follow = follow
        if let p = pollInterval {
            guard p > 0 else { throw ChainCastError.usage("--poll-interval must be above 0") }
            r.pollInterval = p
        }
        r.confirmations = confirmations
    }
}

struct TuningOptions: ParsableArguments {
    @Flag(
        name: .customLong("with-timestamps"),
        help: "Add blockTimestamp to every log (the node's own field, or block headers fetched in batches and cached).")
    var withTimestamps = false

    @Option(
        name: .customLong("chunk-size"),
        help: ArgumentHelp(
            "Blocks in the first eth_getLogs call (default: the chain preset's); ranges split on provider limits and grow after fast, small answers.",
            valueName: "N"))
    var chunkSize: UInt64?

    @Option(name: .customLong("max-chunk-size"), help: ArgumentHelp("Largest span ranges may grow to.", valueName: "N"))
    var maxChunkSize: UInt64 = 100_000

    @Option(help: ArgumentHelp("Requests in flight (worker threads, each with its own connection).", valueName: "N"))
    var concurrency: Int = 4

    @Option(
        help: ArgumentHelp("eth_getLogs calls per HTTP request (JSON-RPC batch); 1 sends no batches.", valueName: "N"))
    var batch: Int = 1

    @Option(
        name: .customLong("metrics-file"),
        help: ArgumentHelp(
            "Write Prometheus text-format counters to FILE every few seconds and at exit.", valueName: "FILE"))
    var metricsFile: String?

    @Flag(name: .shortAndLong, help: "Messages about the run on stderr, and a closing summary.")
    var verbose = false

    @Flag(name: .shortAndLong, help: "No progress line, even on a terminal.")
    var quiet = false

    @Option(help: .hidden) var replay: String?
    @Option(name: .customLong("replay-chain-id"), help: .hidden) var replayChainId: UInt64 = 1

    func apply(to r: inout FetchRequest) throws {
        r.withTimestamps = withTimestamps
        if let c = chunkSize {
            guard c > 0 else { throw ChainCastError.usage("--chunk-size must be above 0") }
            r.chunkSize = c
        }
        guard maxChunkSize > 0 else { throw ChainCastError.usage("--max-chunk-size must be above 0") }
        r.maxChunkSize = maxChunkSize
        guard (1...256).contains(concurrency) else { throw ChainCastError.usage("--concurrency must be 1 to 256") }
        r.concurrency = concurrency
        guard (1...1000).contains(batch) else { throw ChainCastError.usage("--batch must be 1 to 1000") }
        r.batch = batch
        if let metricsFile { try OutputFileCheck.creatable(metricsFile, option: "--metrics-file") }
        r.metricsFile = metricsFile
        r.verbose = verbose
    }
}

extension FetchRequest.OnReorg: ExpressibleByArgument {}
