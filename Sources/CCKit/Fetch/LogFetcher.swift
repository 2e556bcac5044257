import CCCore
import CCRPC
import Foundation

/// The lines of one completed range, ready to write in block order.
package struct RangeOutput: Sendable {
    package var bytes: [UInt8] = []
    package var logs = 0
    /// Hash of the range's last block, when known (always with checkpoint markers).
    package var endHash: Word32?
    /// Where each log's line sits in `bytes` (follow mode keeps them to undo a reorg).
    package var spans: [LogSpan] = []
}

/// Settings of one fetch, fixed for the whole run.
package struct FetchSettings: Sendable {
    package var filter: LogFilter
    package var chainId: UInt64
    package var concurrency = 4
    /// Ranges per worker request (JSON-RPC batch) when above 1.
    package var batch = 1
    package var chunkSize: UInt64 = 1_000
    package var maxChunkSize: UInt64 = 1_000_000
    package var withTimestamps = false
    /// Fetch the hash of every range's last block (checkpoint markers need it).
    package var needEndHashes = false
    package var recordSpans = false

    package init(filter: LogFilter, chainId: UInt64) {
        self.filter = filter
        self.chainId = chainId
    }
}

/// Fetches a fixed block range with `concurrency` workers, each with its own
/// node connection, and hands completed ranges to `emit` in block order on
/// the calling thread. Workers do the parsing, checking and formatting, so
/// the writer only copies bytes.
package final class LogFetcher: Sendable {
    package let settings: FetchSettings
    private let makeNode: @Sendable (LogFilter) throws -> LogNode
    package let metrics: FetchMetrics
    /// Chunk size where the last run left it: the next run (follow mode) starts there.
    package var chunkSize: UInt64 { lastChunkSize.withLock { $0 } }
    private let lastChunkSize: Locked<UInt64>

    package init(
        settings: FetchSettings, metrics: FetchMetrics, makeNode: @escaping @Sendable (LogFilter) throws -> LogNode
    ) {
        self.settings = settings
        self.metrics = metrics
        self.makeNode = makeNode
        lastChunkSize = Locked(settings.chunkSize)
    }

    package enum Outcome: Equatable {
        case completed
        case stopped
    }

    /// Fetches `[from, to]`. `emit` runs on this thread, in block order; `tick`
    /// runs a few times a second while waiting (progress, metrics, signal checks:
    /// return false to stop asking). Returns `.stopped` when `tick` stopped it.
    package func run(
        from: UInt64, to: UInt64,
        emit: (BlockRange, RangeOutput) throws -> Void,
        tick: () -> Bool = { true }
    ) throws -> Outcome {
        guard from <= to else { return .completed }
        let planner = RangePlanner(from: from, to: to, chunkSize: chunkSize, maxChunkSize: settings.maxChunkSize)
        let workers = max(1, settings.concurrency)
        let scheduler = RangeScheduler<RangeOutput>(
            planner: planner, startBlock: from, window: workers * 4)
        let group = DispatchGroup()
        scheduler.workersStarted(workers)
        for _ in 0..<workers {
            let thread = Thread { [self] in
                defer {
                    scheduler.workerExited()
                    group.leave()
                }
                worker(scheduler)
            }
            thread.stackSize = 1 << 20
            group.enter()
            thread.start()
        }
        defer {
            scheduler.stop()
            group.wait()
            let size = scheduler.chunkSize
            lastChunkSize.withLock { $0 = size }
        }
        var stopped = false
        while true {
            switch scheduler.next(timeout: 0.2) {
            case .ready(let range, let out):
                do {
                    try emit(range, out)
                } catch {
                    scheduler.stop()
                    throw error
                }
                metrics.set(metrics.chunkSize, Int(scheduler.chunkSize))
            case .waiting:
                if !tick() {
                    scheduler.stop()
                    stopped = true
                }
            case .finished:
                return stopped ? .stopped : .completed
            case .failed(let error):
                throw error
            }
        }
    }

    private func worker(_ scheduler: RangeScheduler<RangeOutput>) {
        let node: LogNode
        do {
            node = try makeNode(settings.filter)
        } catch {
            scheduler.fail(error)
            return
        }
        var job = RangeJob(settings: settings, metrics: metrics)
        while let ranges = scheduler.take(max: max(1, settings.batch)) {
            do {
                try job.fetch(ranges, node: node, scheduler: scheduler)
            } catch {
                scheduler.fail(error, ranges: ranges)
                return
            }
        }
    }
}

/// One worker's fetching logic: a request for some ranges, the checks, the
/// timestamps, and what to do with each answer.
struct RangeJob {
    let settings: FetchSettings
    let metrics: FetchMetrics
    var processor: LogBatchProcessor
    var timestamps = TimestampCache()

    init(settings: FetchSettings, metrics: FetchMetrics) {
        self.settings = settings
        self.metrics = metrics
        processor = LogBatchProcessor(
            filter: settings.filter, chainId: settings.chainId,
            withTimestamps: settings.withTimestamps)
        processor.recordSpans = settings.recordSpans
    }

    mutating func fetch(_ ranges: [BlockRange], node: LogNode, scheduler: RangeScheduler<RangeOutput>) throws {
        var pending = ranges
        var attempt = 0
        while !pending.isEmpty {
            attempt += 1
            let started = monotonicSeconds()
            let answers = try fetchOnce(pending, node: node)
            let seconds = monotonicSeconds() - started
            var again: [BlockRange] = []
            for (range, answer) in zip(pending, answers) {
                switch answer {
                case .success(let out):
                    metrics.add(metrics.requests)
                    scheduler.complete(range, out, logs: out.logs, seconds: seconds / Double(pending.count))
                case .failure(let error):
                    if let refused = error as? ProviderError, let refusal = refused.rangeRefusal {
                        metrics.add(metrics.requests)
                        guard scheduler.refuse(range, refusal) else {
                            throw ChainCastError.unavailable(
                                "the provider refuses even a single block (\(range.from)): \(refused)")
                        }
                        metrics.add(metrics.splits)
                    } else if let invalid = error as? LogValidationError {
                        guard attempt == 1 else {
                            throw ChainCastError.unavailable("eth_getLogs broke its contract twice: \(invalid.message)")
                        }
                        metrics.add(metrics.validationRetries)
                        again.append(range)
                    } else {
                        throw error
                    }
                }
            }
            pending = again
        }
    }

    /// One round trip for `ranges` (plus header look-ups), each answered or failed on its own.
    mutating func fetchOnce(_ ranges: [BlockRange], node: LogNode) throws -> [Result<RangeOutput, Error>] {
        // Answers of a batch come in any order: keep them by call index.
        var slots = [Result<RangeOutput, Error>?](repeating: nil, count: ranges.count)
        let queries = ranges.map(LogQuery.range)
        let ends = settings.needEndHashes ? ranges.map(\.to) : []
        let proc = processor
        let headers = try node.getLogs(queries, headers: ends) { i, answer in
            guard i < slots.count else { return }
            switch answer {
            case .failure(let e):
                slots[i] = .failure(e)
            case .success(let json):
                var out = RangeOutput()
                if settings.withTimestamps {
                    // The answer stays valid during this call: the client is between
                    // requests, and a nested answer is scanned on a tape of its own.
                    let missing = proc.blocksWithoutTimestamps(json, range: ranges[i]) { n, hash in
                        timestamps.get(n, hash: hash) != nil
                    }
                    do {
                        try learnTimestamps(missing, node: node)
                    } catch let e as LogValidationError {
                        slots[i] = .failure(e)
                        return
                    }
                }
                do throws(LogValidationError) {
                    let cache = timestamps
                    let summary = try proc.process(json, range: ranges[i], into: &out.bytes) { n, hash in
                        cache.get(n, hash: hash)
                    }
                    out.logs = summary.logs
                    out.spans = summary.spans
                    if summary.lastBlock == ranges[i].to { out.endHash = summary.lastBlockHash }
                    slots[i] = .success(out)
                } catch {
                    slots[i] = .failure(error)
                }
            }
        }
        var results = slots.map { $0 ?? .failure(ChainCastError.unavailable("the node's batch answer misses calls")) }
        guard settings.needEndHashes else { return results }
        for i in results.indices {
            guard case .success(var out) = results[i] else { continue }
            guard i < headers.count, let h = headers[i], h.number == ranges[i].to else {
                results[i] = .failure(
                    LogValidationError("the node has no block \(ranges[i].to) though it answered logs up to it"))
                continue
            }
            if let seen = out.endHash, seen != h.hash {
                results[i] = .failure(
                    LogValidationError("block \(h.number) changed hash between two calls (a reorg in progress)"))
                continue
            }
            out.endHash = h.hash
            results[i] = .success(out)
        }
        return results
    }

    /// Asks the node for the headers of `blocks` (one batch) and keeps their
    /// timestamps. A stop request ends the run as in every other wait; any
    /// other failure fails the answer (`LogValidationError`), asked once more.
    mutating func learnTimestamps(_ blocks: [UInt64], node: LogNode) throws {
        guard !blocks.isEmpty else { return }
        let headers: [BlockHeader?]
        do {
            headers = try node.headers(blocks)
        } catch let e as ChainCastError where e.isQuiet {
            throw e
        } catch {
            throw LogValidationError("block headers for blockTimestamp: \(error)")
        }
        metrics.add(metrics.timestampRequests, blocks.count)
        for (n, h) in zip(blocks, headers) {
            guard let h else { throw LogValidationError("the node has no header for block \(n)") }
            timestamps.put(n, hash: h.hash, timestamp: h.timestamp)
        }
    }
}

/// Block timestamps already fetched, keyed by number and checked by hash.
/// Bounded: cleared when it grows past `limit` (a rerun of a few headers is cheap).
struct TimestampCache {
    private var entries: [UInt64: (Word32, UInt64)] = [:]
    let limit = 100_000

    func get(_ block: UInt64, hash: Word32) -> UInt64? {
        guard let e = entries[block], e.0 == hash else { return nil }
        return e.1
    }

    mutating func put(_ block: UInt64, hash: Word32, timestamp: UInt64) {
        if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
        entries[block] = (hash, timestamp)
    }
}
