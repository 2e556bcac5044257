import CCCore
import CCRPC

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension FetchRun {
    /// Blocks a single tracked follow step covers; a longer catch-up goes through the concurrent fetcher first.
    static let trackedStepLimit: UInt64 = 200

    /// `--follow`: polls the head every `--poll-interval` and writes the logs
    /// of blocks as they reach `--confirmations`. The recent chain (hashes and
    /// lines) is kept in memory and each new block's ancestry is checked
    /// against it, whatever the confirmations: a reorg sends `"removed": true`
    /// for the orphaned logs it holds (last first), a `rewind` record at the
    /// fork point, then the new canonical logs.
    func follow(from start: UInt64, stopAt: UInt64?) throws {
        var cursor = start
        let interval = request.pollInterval ?? preset.pollInterval
        totalBlocks = nil
        tracker = ReorgTracker(depth: 256)
        try seedTracker(below: cursor)
        if request.verbose {
            note(
                "following the head from block \(cursor) every \(formatFixed(interval, 2)) s, \(confirmations) confirmation(s)"
            )
        }
        while true {
            if let s = stopAt, cursor > s { return }
            if SignalState.shouldStop { throw stopError() }
            // With no confirmations the block we wrote last is the head, and a
            // reorg can replace it at the same height: the head's header (one
            // call, like eth_blockNumber) shows that on this poll, where the
            // next block's parent hash would only show it when one arrives.
            let latest = confirmations == 0 && tracker?.tip != nil ? try node.header(tag: .latest) : nil
            let head = try latest?.number ?? node.blockNumber()
            metrics.set(metrics.headBlock, Int(clamping: head))
            if head >= confirmations {
                var target = head - confirmations
                if let s = stopAt { target = min(target, s) }
                if target >= cursor {
                    cursor = try trackedStep(cursor: cursor, target: target)
                    try output.flush()
                    continue  // more may be waiting: poll again without sleeping
                }
            }
            if let latest, let tip = tracker?.tip, tip.number + 1 == cursor, latest.number == tip.number,
                latest.hash != tip.hash,
                // Asked again by number: a load-balanced node's "latest" may come from a backend that lags.
                let now = try node.headers([tip.number]).first ?? nil, now.hash != tip.hash
            {
                cursor = try handleReorg()
                continue
            }
            try sleepInterruptibly(interval)
        }
    }

    func sleepInterruptibly(_ seconds: Double) throws {
        let until = monotonicSeconds() + seconds
        while true {
            if !tick() { throw stopError() }
            let left = until - monotonicSeconds()
            if left <= 0 { return }
            try StopSleep.sleep(seconds: min(left, StopSleep.slice))
        }
    }

    /// Starts the tracker at the block before `cursor`: the one we (or the
    /// checkpoint's run) last wrote, by the hash written, so a reorg of it
    /// after a restart is noticed; fetched from the node otherwise.
    func seedTracker(below cursor: UInt64) throws {
        tracker = ReorgTracker(depth: tracker?.depth ?? 256)
        guard cursor > 0 else { return }
        if let last = lastEmitted, last.number == cursor - 1 {
            // Its parent hash lets a reorg of just this block find the fork
            // even on a node that forgets orphaned blocks.
            let known = try node.header(hash: last.hash)
            let parent = known?.number == last.number ? known?.parentHash : nil
            tracker?.append(
                BlockHeader(number: last.number, hash: last.hash, parentHash: parent, timestamp: 0), logs: [])
            return
        }
        guard let h = try node.headers([cursor - 1]).first ?? nil else { return }
        tracker?.append(h, logs: [])
    }

    /// Whether block `cursor` still descends from our tip (true when there is nothing to compare).
    func linksToTip(_ cursor: UInt64) throws -> Bool {
        guard let tip = tracker?.tip, tip.number + 1 == cursor else { return true }
        guard let h = try node.headers([cursor]).first ?? nil else { return true }
        return h.parentHash == tip.hash
    }

    /// One step of 0-confirmation following over [cursor, target]: headers,
    /// link check (reorg handling), logs checked against those headers, then
    /// the lines. Returns the next cursor (unchanged when the chain moved under
    /// us: the next poll tries again).
    func trackedStep(cursor start: UInt64, target: UInt64) throws -> UInt64 {
        var cursor = start
        if target - cursor + 1 > Self.trackedStepLimit {
            // A long catch-up goes through the concurrent fetcher: check it starts on our chain.
            if try !linksToTip(cursor) { return try handleReorg() }
            let bulkEnd = target - Self.trackedStepLimit
            if try fetchRange(from: cursor, to: bulkEnd) == .stopped { throw stopError() }
            cursor = bulkEnd + 1
            try seedTracker(below: cursor)
        }
        let numbers = Array(cursor...target)
        let fetched = try node.headers(numbers)
        var headers: [BlockHeader] = []
        for h in fetched {
            guard let h else { return cursor }  // not yet served everywhere (load-balanced nodes)
            headers.append(h)
        }
        if let tip = tracker?.tip, tip.number + 1 == cursor, let first = headers.first,
            first.parentHash != tip.hash
        {
            return try handleReorg()
        }
        for i in headers.indices.dropFirst() where headers[i].parentHash != headers[i - 1].hash {
            return cursor  // a reorg while we read: next poll
        }
        guard let out = try fetchSequential(from: cursor, to: target) else { return cursor }
        // Every log must belong to the blocks we just linked.
        for s in out.spans {
            let i = Int(s.block - cursor)
            guard i < headers.count, s.blockHash == headers[i].hash else {
                return cursor
            }
        }
        try output.write(out.bytes)
        metrics.add(metrics.bytes, out.bytes.count)
        metrics.add(metrics.logs, out.logs)
        metrics.add(metrics.blocks, numbers.count)
        metrics.set(metrics.lastBlock, Int(clamping: target))
        var k = 0
        for h in headers {
            var lines: [[UInt8]] = []
            while k < out.spans.count, out.spans[k].block == h.number {
                lines.append(Array(out.bytes[out.spans[k].start..<(out.spans[k].end - 1)]))
                k += 1
            }
            tracker?.append(h, logs: lines)
        }
        if let last = headers.last {
            lastEmitted = (last.number, last.hash)
            if request.checkpointPath != nil { try writeMarker(block: last.number, hash: last.hash) }
        }
        doneBlocks += UInt64(numbers.count)
        return target + 1
    }

    /// Our tip is no longer the parent of the next block: finds where the
    /// node's chain meets ours (in memory, then down the orphaned branch
    /// through the node), sends removals for the orphaned lines it holds
    /// (newest first), a rewind record at the fork point (it retracts what
    /// it cannot list: lines of earlier runs, of blocks older than its
    /// memory) and a marker there, and returns the block to fetch again.
    func handleReorg() throws -> UInt64 {
        guard var t = tracker, let tip = t.tip, let oldest = t.oldest else { return 0 }
        metrics.add(metrics.reorgs)
        var fork: BlockHeader?
        // Newest first, 32 headers per request (one batch where the node takes them).
        var top = tip.number
        search: while top >= oldest {
            let low = top - min(top - oldest, 31)
            let canonical = try node.headers(Array(low...top))
            for n in stride(from: top, through: low, by: -1) where Int(n - low) < canonical.count {
                if let c = canonical[Int(n - low)], c.hash == t.header(at: n)?.hash {
                    fork = c
                    break search
                }
            }
            if low == 0 { break }
            top = low - 1
        }
        var blind = false
        if fork == nil, let o = t.header(at: oldest), o.number > 0, o.parentHash != nil,
            let below = try node.headers([o.number - 1]).first ?? nil, below.hash == o.parentHash
        {
            fork = below  // only what we hold was replaced
        }
        if fork == nil, let o = t.header(at: oldest) {
            // Deeper than what we hold: follow the orphaned branch through the node.
            let found = try findFork(orphan: o.number, hash: o.hash)
            if let f = found.fork {
                fork = f
            } else {
                let lowest = found.orphans.last?.0 ?? o.number
                fork = try blindForkPoint(lowestOrphan: lowest)
                blind = true
            }
        }
        guard let fork else { return tip.number + 1 }
        let forkPoint = fork.number
        let orphaned = t.rollback(above: forkPoint)
        var removed = 0
        for block in orphaned {
            try writeRemovals(block.logs.reversed())
            removed += block.logs.count
        }
        if blind {
            note(
                "reorg: the node no longer serves the orphaned blocks below block \(oldest): rewinding to block "
                    + "\(forkPoint), \(Self.blindRewindDepth) (or --confirmations) blocks below")
        }
        if confirmations > 0 {
            metrics.add(metrics.deepReorgs)
            note(
                "warning: reorg deeper than --confirmations \(confirmations): blocks \(forkPoint + 1)-\(tip.number), "
                    + "already written, were replaced; retracting them")
        }
        note(
            "reorg: blocks \(forkPoint + 1)-\(tip.number) orphaned, \(removed) removal(s) sent, rewind to block "
                + "\(forkPoint); re-fetching from block \(forkPoint + 1)")
        try writeRewind(block: forkPoint, hash: fork.hash)
        if request.checkpointPath != nil { try writeMarker(block: forkPoint, hash: fork.hash) }
        t = ReorgTracker(depth: t.depth)
        t.append(fork, logs: [])
        tracker = t
        try output.flush()
        return forkPoint + 1
    }

    /// Fetches [from, to] on this thread (follow steps are a few blocks), splitting
    /// on provider limits. Nil when an answer broke the contract twice in a row
    /// because the chain moved (the caller retries on the next poll).
    func fetchSequential(from: UInt64, to: UInt64) throws -> RangeOutput? {
        var settings = fetcher.settings
        settings.recordSpans = true
        settings.needEndHashes = false
        var job = RangeJob(settings: settings, metrics: metrics)
        var planner = RangePlanner(
            from: from, to: to, chunkSize: fetcher.chunkSize, maxChunkSize: settings.maxChunkSize)
        var parts: [UInt64: RangeOutput] = [:]
        var order: [BlockRange] = []
        var invalid = 0
        while let r = planner.nextRange() {
            let answers = try job.fetchOnce([r], node: node)
            guard let first = answers.first else { continue }
            switch first {
            case .success(let out):
                metrics.add(metrics.requests)
                parts[r.from] = out
                order.append(r)
            case .failure(let e as ProviderError) where e.rangeRefusal != nil:
                metrics.add(metrics.requests)
                guard let refusal = e.rangeRefusal, planner.refused(r, refusal) else {
                    throw ChainCastError.unavailable("the provider refuses even a single block (\(r.from)): \(e)")
                }
                metrics.add(metrics.splits)
            case .failure(let e as LogValidationError):
                invalid += 1
                if invalid > 1 {
                    if request.verbose { note("blocks \(r): \(e.message); trying again at the next poll") }
                    return nil
                }
                metrics.add(metrics.validationRetries)
                planner = RangePlanner(
                    from: r.from, to: to, chunkSize: planner.chunkSize, maxChunkSize: settings.maxChunkSize)
                // Ranges before r are kept; r and the rest are asked again.
                order.removeAll { $0.from >= r.from }
            case .failure(let e):
                throw e
            }
        }
        var out = RangeOutput()
        for r in order.sorted(by: { $0.from < $1.from }) {
            guard let p = parts[r.from] else { continue }
            let base = out.bytes.count
            out.bytes.append(contentsOf: p.bytes)
            out.logs += p.logs
            out.spans.append(
                contentsOf: p.spans.map { s in
                    var s = s
                    s.start += base
                    s.end += base
                    return s
                })
        }
        return out
    }
}
