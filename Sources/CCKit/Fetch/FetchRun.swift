import CCCore
import CCJSON
import CCStream
import Foundation

/// One `cc-fetch` run: checks the chain, resolves the range (or resumes from
/// the checkpoint file), fetches it with `LogFetcher`, then follows the head
/// when asked. Writes records to `output`, messages to stderr.
package final class FetchRun {
    let request: FetchRequest
    let makeNode: @Sendable (LogFilter) throws -> LogNode
    let output: OutputWriter
    package let metrics = FetchMetrics()
    var node: LogNode!
    var chainId: UInt64 = 0
    var preset = ChainPreset.generic
    var confirmations: UInt64 = 0
    var filterHash = ""
    var progress: FetchProgress
    var lastMetricsWrite = 0.0
    var totalBlocks: UInt64?
    var doneBlocks: UInt64 = 0
    /// Follow mode with 0 confirmations keeps the recent chain and its lines.
    var tracker: ReorgTracker?
    var fetcher: LogFetcher!
    let tool = "cc-fetch"
    /// The last block whose logs are out and its hash (a range's end, a
    /// marker, a rewind, the verified checkpoint): what the follow loop's
    /// ancestry check starts from.
    var lastEmitted: (number: UInt64, hash: Word32)?
    /// The command line's `--from` (or where a follow without it started):
    /// a rewind never goes below the block before it.
    var datasetStart: UInt64?
    /// With several `--rpc` endpoints: each one's `eth_chainId` question, so
    /// that one on another chain is refused before any of its logs is
    /// written under the chain id of the first (failover mixed two chains).
    package var endpointChainIds: (@Sendable () -> [(url: String, chainId: () throws -> UInt64)])?

    package init(
        request: FetchRequest, output: OutputWriter, makeNode: @escaping @Sendable (LogFilter) throws -> LogNode
    ) {
        self.request = request
        self.output = output
        self.makeNode = makeNode
        progress = FetchProgress(enabled: request.progress)
    }

    func note(_ message: String) { Diagnostics.error(tool, message) }

    package func run() throws {
        do {
            try runInner()
            try finish()
        } catch {
            // Whatever stops us, what is complete is written and the metrics file is current.
            progress.clear()
            try? output.flush()
            writeMetrics(force: true)
            throw error
        }
    }

    func finish() throws {
        progress.clear()
        try output.flush()
        writeMetrics(force: true)
        if request.verbose {
            let secs = progress.elapsed
            let logs = metrics.logs.load(ordering: .relaxed)
            note(
                "\(logs) logs from \(metrics.blocks.load(ordering: .relaxed)) blocks in \(formatFixed(secs, 2)) s "
                    + "(\(Int(Double(logs) / max(secs, 0.001))) logs/s), \(metrics.requests.load(ordering: .relaxed)) eth_getLogs calls, "
                    + "\(metrics.splits.load(ordering: .relaxed)) splits, final chunk \(fetcher?.chunkSize ?? 0) blocks"
            )
        }
    }

    func runInner() throws {
        node = try makeNode(request.filter)
        let head: UInt64
        (chainId, head) = try chainIdAndHead()
        if let chain = request.chain {
            guard chain.chainId == chainId else {
                throw ChainCastError.config(
                    "--chain \(chain.name) expects chain id \(chain.chainId) but \(request.rpcURLs.map(redactURL).joined(separator: ", ")) reports \(chainId)"
                )
            }
            preset = chain
        } else {
            preset = ChainPreset.byChainId(chainId) ?? .generic
        }
        confirmations = request.confirmations ?? preset.confirmations
        filterHash = request.filter.canonicalHash(chainId: chainId)
        if let shard = request.shard { filterHash = shard.filterHash(filterHash) }

        var settings = FetchSettings(filter: request.filter, chainId: chainId)
        settings.concurrency = request.concurrency
        settings.batch = request.batch
        settings.chunkSize = request.chunkSize ?? preset.chunkSize
        settings.maxChunkSize = max(settings.chunkSize, request.maxChunkSize)
        settings.withTimestamps = request.withTimestamps
        // Following checks each new block's ancestry from the last one written.
        settings.needEndHashes = request.checkpointPath != nil || request.follow
        fetcher = LogFetcher(settings: settings, metrics: metrics, makeNode: makeNode)

        metrics.set(metrics.headBlock, Int(clamping: head))
        let resolver = BlockResolver(node: node, head: head)
        let settled: UInt64? = head >= confirmations ? head - confirmations : nil

        var from: UInt64
        // The same command line is rerun after a stop: its --from stays the
        // floor of any rewind, also when the checkpoint decides where to resume.
        let given = try request.from.map { spec throws -> UInt64 in
            if case .behindHead(0) = spec {
                throw ChainCastError.usage("--from -0 is no blocks (-N is the last N); say --from latest for the head")
            }
            let block = try resolver.resolve(spec, what: "--from")
            // -N is N blocks: the head and the N-1 below it.
            if case .behindHead(let n) = spec, n > 0, block < head { return block + 1 }
            return block
        }
        datasetStart = given
        let resumed = try resumeFromCheckpoint()
        if let resumed {
            from = resumed
        } else if let given {
            from = given
        } else if request.follow {
            from = settled.map { $0 + 1 } ?? 0
            datasetStart = from
        } else {
            throw ChainCastError.usage(
                "say where to start: --from BLOCK (or --checkpoint FILE, or --follow for new logs only)")
        }
        // A fixed end (number or time) is where follow mode stops; `latest` and friends move with the head.
        var stopAt: UInt64? = nil
        var requestedTo: UInt64
        if case .time(let t) = request.to {
            // A time ends the range before it: `--to` midnight is the day
            // before, and back-to-back days share no block.
            let first = try resolver.firstBlock(atOrAfter: t, what: "--to")
            guard first > 0 else {
                throw ChainCastError.usage("--to \(request.to): the chain has no block before that time")
            }
            requestedTo = first - 1
        } else {
            requestedTo = try resolver.resolve(request.to, what: "--to")
        }
        var fixedEnd = false
        switch request.to {
        case .number, .time:
            stopAt = requestedTo
            fixedEnd = true
        default:
            if !request.follow { stopAt = requestedTo }
        }
        if let s = stopAt, from > s {
            if let resumed {
                // The checkpoint is already past the end: nothing to do.
                note(
                    "the checkpoint \(request.checkpointPath ?? "") is at block \(resumed - 1), at or past --to "
                        + "\(request.to) (block \(s)): nothing to fetch")
                try repeatCheckpointMarker(resumed: resumed)
                return
            }
            throw ChainCastError.usage("--from \(from) is after --to \(s)")
        }
        if let resumed { noteOverridden(request.from, resumed: resumed, resolver: resolver) }
        guard let settled else {
            // Nothing has enough confirmations yet.
            if request.follow { try follow(from: from, stopAt: stopAt) }
            return
        }
        var end = stopAt ?? requestedTo
        // A shard stopping short with 0 would leave a hole no scheduler
        // refills (a job that exited 0 is done) and a follower starting at
        // --to + 1 never covers: what it can is fetched, then 75.
        var shortShard: UInt64?
        if end > settled {
            if let shard = request.shard {
                // Only a shard with blocks of its own above the settled head is short.
                if shard.blocks(startingAt: max(from, settled + 1), through: shard.to) > 0 { shortShard = end }
            } else if fixedEnd && !request.follow {
                note(
                    "--to \(end) is above the head \(head) minus \(confirmations) confirmation(s): stopping at block \(settled)"
                )
            }
            end = settled
        }
        // Following with 0 confirmations keeps the recent blocks' lines in memory to undo
        // reorgs: the follow loop fetches the whole range itself (bulk, then a tracked tail).
        if let shard = request.shard, end >= from {
            // Only this shard's chunks, in order; each ends with its marker.
            let mine = shard.blocks(startingAt: from, through: end)
            totalBlocks = mine
            for r in shard.ranges(startingAt: from) {
                if r.from > end { break }
                if try fetchRange(from: r.from, to: min(r.to, end)) == .stopped { throw stopError() }
            }
            try output.flush()
            if mine == 0, resumed != nil { try repeatCheckpointMarker(resumed: from) }
            if mine == 0, resumed == nil, shard.blocks(startingAt: shard.from, through: shard.to) == 0 {
                // Said here, or the sink's "no marker" notice is all a scheduler's log shows.
                note(
                    "shard \(shard.index)/\(shard.count) has no chunk of \(shard.chunk) blocks in "
                        + "[\(shard.from), \(shard.to)]: nothing to fetch (a smaller --shard-chunk spreads the range)")
            }
        } else if end >= from && !(request.follow && confirmations == 0) {
            totalBlocks = end - from + 1
            let outcome = try fetchRange(from: from, to: end)
            if outcome == .stopped { throw stopError() }
            from = end + 1
            try output.flush()
        } else if resumed != nil && !request.follow {
            try repeatCheckpointMarker(resumed: from)
        }
        if let short = shortShard {
            throw ChainCastError.tempFail(
                "--to \(short) is above the head \(head) minus \(confirmations) confirmation(s): this shard fetched "
                    + "what it could and must run again once the chain has passed block \(short)")
        }
        if request.follow {
            try follow(from: from, stopAt: stopAt)
        }
    }

    /// A run with nothing new still tells the sink where the data stands:
    /// the checkpoint's own marker again (a sink ignores a marker at or below
    /// its checkpoint), so the sink can tell "nothing new" from "no markers".
    func repeatCheckpointMarker(resumed: UInt64) throws {
        guard let path = request.checkpointPath, let ck = try CheckpointFile(path: path).read(),
            ck.blockNumber + 1 == resumed, let hash = Word32(hex: ck.blockHash, byteCount: 32)
        else { return }
        try writeMarker(block: ck.blockNumber, hash: hash)
    }

    /// `--from` with a checkpoint to resume from: the checkpoint wins; say so
    /// unless `--from` names the very block it resumes at.
    func noteOverridden(_ spec: BlockSpec?, resumed: UInt64, resolver: BlockResolver) {
        guard let spec else { return }
        switch spec {
        case .number(let n) where n == resumed: return
        case .behindHead(let n) where n > 0 && resolver.head >= n - 1 && resolver.head - (n - 1) == resumed: return
        default: break
        }
        note(
            "resuming after the checkpoint \(request.checkpointPath ?? "") at block \(resumed - 1); --from \(spec) "
                + "only applies to a new checkpoint file")
    }

    /// The chain id and the head, asked at once on two connections, and with
    /// several `--rpc` endpoints each one's chain id beside them: one after
    /// the other they are round trips before the first `eth_getLogs`, which
    /// a short run (a shard's share, a cron job's few blocks) feels. Not a
    /// JSON-RPC batch: a provider that refuses batches would cost a round
    /// trip more, or fail a start that works without.
    private func chainIdAndHead() throws -> (chainId: UInt64, head: UInt64) {
        var head: Result<UInt64, Error>?
        let makeNode = makeNode, filter = request.filter
        var threads = [try WorkerThread("eth_blockNumber") { head = Result { try makeNode(filter).blockNumber() } }]
        // An endpoint that does not answer now is left to failover (asked again as it is used).
        let questions = endpointChainIds?() ?? []
        let answers = Locked([(url: String, chainId: UInt64)]())
        for (url, ask) in questions {
            threads.append(
                try WorkerThread("eth_chainId") { if let id = try? ask() { answers.withLock { $0.append((url, id)) } } }
            )
        }
        let id = Result { try node.chainId() }
        for i in threads.indices { threads[i].join() }
        // The chain id's failure first, as when the questions were asked in turn.
        let chainId = try id.get()
        try refuseEndpointsOfAnotherChain(chainId, answers.withLock { $0 }, order: questions.map(\.url))
        return (chainId, try head!.get())
    }

    /// Failover sends any range to any endpoint: one on another chain would
    /// have its logs written under `chainId`.
    private func refuseEndpointsOfAnotherChain(
        _ chainId: UInt64, _ answers: [(url: String, chainId: UInt64)], order: [String]
    ) throws {
        guard answers.contains(where: { $0.chainId != chainId }) else { return }
        let said = answers.sorted { (order.firstIndex(of: $0.url) ?? 0) < (order.firstIndex(of: $1.url) ?? 0) }
            .map { "\(redactURL($0.url)) chain \($0.chainId)" }.joined(separator: ", ")
        throw ChainCastError.config(
            "the --rpc endpoints are on different chains (\(said)); give cc-fetch endpoints of one chain")
    }

    /// Fetches [from, to] concurrently and writes it.
    func fetchRange(from: UInt64, to: UInt64) throws -> LogFetcher.Outcome {
        try fetcher.run(
            from: from, to: to,
            emit: { range, out in
                try emit(range, out)
            }, tick: { self.tick() })
    }

    func emit(_ range: BlockRange, _ out: RangeOutput) throws {
        try output.write(out.bytes)
        metrics.add(metrics.bytes, out.bytes.count)
        metrics.add(metrics.logs, out.logs)
        metrics.add(metrics.blocks, Int(clamping: range.count))
        metrics.set(metrics.lastBlock, Int(clamping: range.to))
        if let hash = out.endHash {
            lastEmitted = (range.to, hash)
            if request.checkpointPath != nil { try writeMarker(block: range.to, hash: hash) }
        }
        doneBlocks += range.count
        // A signal: this range and its marker are out; stop asking for more.
        if !tick() { throw stopError() }
    }

    func writeMarker(block: UInt64, hash: Word32) throws {
        var line = CheckpointMarker(chainId: chainId, blockNumber: block, blockHash: "\(hash)", filter: filterHash)
            .jsonLine
        line.append("\n")
        try output.write(Array(line.utf8))
        lastEmitted = (block, hash)
        // A marker is a promise that everything above it is out: make it true for the reader now.
        try output.flush()
    }

    /// Progress, metrics file, signals. False: stop asking.
    func tick() -> Bool {
        progress.update(doneBlocks: doneBlocks, totalBlocks: totalBlocks, logs: metrics.logs.load(ordering: .relaxed))
        writeMetrics(force: false)
        return !SignalState.shouldStop
    }

    func stopError() -> Error {
        StopRequested(signal: SignalState.pending ?? SIGTERM)
    }

    func writeMetrics(force: Bool) {
        guard let path = request.metricsFile else { return }
        let now = monotonicSeconds()
        guard force || now - lastMetricsWrite >= 5 else { return }
        lastMetricsWrite = now
        do {
            try metrics.write(to: path, chainId: chainId)
        } catch {
            if force { note(error.message) }
        }
    }
}
