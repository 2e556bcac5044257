import CCCore
import CCJSON
import CCStream

extension FetchRun {
    /// With `--checkpoint FILE` and the file present: checks it belongs to this
    /// chain and filter and that its block is still canonical, writes a
    /// rewind record at it (a killed sink may have committed rows above it,
    /// which a reorg while we were stopped can have orphaned) and returns the
    /// block to resume at. A reorg below it is exit 75, or with
    /// `--on-reorg rewind` removals for the orphaned logs the node still has,
    /// a rewind record and a marker at the fork point, and a resume there.
    func resumeFromCheckpoint() throws -> UInt64? {
        guard let path = request.checkpointPath else { return nil }
        guard let ck = try CheckpointFile(path: path).read() else { return nil }
        guard ck.chainId == chainId else {
            throw ChainCastError.config(
                "checkpoint \(path) is for chain \(ck.chainId), but the node is chain \(chainId)")
        }
        guard ck.filter == filterHash else {
            throw ChainCastError.config(
                "checkpoint \(path) was written for another filter (\(ck.filter); this command's is \(filterHash)): "
                    + "cc-fetch's query changed (--address, --event, --topicN or the chain"
                    + (request.shard != nil ? "; with --shard also K/N, --shard-chunk, --from and --to" : "")
                    + "); use the same query, or another checkpoint file")
        }
        let current = try node.headers([ck.blockNumber]).first ?? nil
        guard let current else {
            throw ChainCastError.tempFail(
                "checkpoint \(path) is at block \(ck.blockNumber), above the node's head: the node is behind, try again later"
            )
        }
        let checkpointHash = Word32(hex: ck.blockHash, byteCount: 32)
        if current.hash == checkpointHash {
            try writeRewind(block: ck.blockNumber, hash: current.hash)
            return ck.blockNumber + 1
        }
        metrics.add(metrics.reorgs)
        guard request.onReorg == .rewind else {
            throw ChainCastError.tempFail(
                "checkpoint \(path): block \(ck.blockNumber) is no longer \(ck.blockHash) but \(current.hash) — the chain "
                    + "reorganized below the checkpoint; rerun without --on-reorg fail to re-fetch from the fork point "
                    + "and retract the orphaned logs")
        }
        return try rewind(fromOrphan: ck.blockNumber, hash: checkpointHash)
    }

    /// Walks the orphaned chain down from (number, hash) by parent hash until it
    /// meets the canonical chain, sends removals for the orphaned logs the node
    /// can still return by block hash, then a rewind record and a marker at
    /// the fork point, and returns the first block to fetch again.
    func rewind(fromOrphan number: UInt64, hash: Word32?) throws -> UInt64 {
        let found = try findFork(orphan: number, hash: hash)
        let fork: BlockHeader
        if let f = found.fork {
            fork = f
        } else {
            let lowest = found.orphans.last?.0 ?? number
            fork = try blindForkPoint(lowestOrphan: lowest)
            note(
                "the node no longer knows orphaned block \(lowest): rewinding to block \(fork.number), "
                    + "\(Self.blindRewindDepth) (or --confirmations) blocks below")
        }
        let forkPoint = fork.number
        var removed = 0
        for (block, blockHash) in found.orphans where block > forkPoint {
            removed += try emitRemovals(block: block, hash: blockHash)
        }
        note(
            "reorg below the checkpoint: fork at block \(forkPoint), \(found.orphans.count) orphaned block(s) walked, "
                + "\(removed) removal(s) sent, rewind to block \(forkPoint); re-fetching from block \(forkPoint + 1)")
        try writeRewind(block: forkPoint, hash: fork.hash)
        try writeMarker(block: forkPoint, hash: fork.hash)
        return forkPoint + 1
    }

    /// Fetches the logs of an orphaned block by hash and writes them with
    /// `"removed": true`, last log first. Returns how many.
    func emitRemovals(block: UInt64, hash: Word32) throws -> Int {
        var lines: [[UInt8]] = []
        let processor = LogBatchProcessor(filter: request.filter, chainId: chainId, withTimestamps: false)
        var failure: Error?
        do {
            _ = try node.getLogs([.block(hash: hash)], headers: []) { _, answer in
                switch answer {
                case .failure(let e): failure = e
                case .success(let json):
                    var out: [UInt8] = []
                    do throws(LogValidationError) {
                        var p = processor
                        p.recordSpans = true
                        let summary = try p.process(json, range: BlockRange(block, block), into: &out)
                        for s in summary.spans { lines.append(Array(out[s.start..<(s.end - 1)])) }
                    } catch {
                        failure = error
                    }
                }
            }
        } catch let e as ChainCastError where e.status == .unavailable {
            failure = e
        }
        if let failure {
            note("cannot fetch the logs of orphaned block \(block) (\(hash)) to remove them: \(failure)")
            return 0
        }
        try writeRemovals(lines.reversed())
        return lines.count
    }

    func writeRemovals<S: Sequence>(_ lines: S) throws where S.Element == [UInt8] {
        var n = 0
        for line in lines {
            var out = markRemoved(line)
            out.append(0x0A)
            try output.write(out)
            n += 1
        }
        metrics.add(metrics.removedLogs, n)
    }
}

/// The same log line with `"removed":true` (replacing the node's `false`, or added).
package func markRemoved(_ line: [UInt8]) -> [UInt8] {
    line.withUnsafeBufferPointer { buf -> [UInt8] in
        guard let parsed = try? JSONLine(buf), parsed.root.kind == .object, let base = buf.baseAddress else {
            return line
        }
        if let v = parsed.root["removed"] {
            let start = v.raw.baseAddress! - base
            let end = start + v.raw.count
            return Array(buf[..<start]) + Array("true".utf8) + Array(buf[end...])
        }
        var end = buf.count - 1
        while end > 0, buf[end] != UInt8(ascii: "}") { end -= 1 }
        let empty = parsed.root.count == 0
        return Array(buf[..<end]) + Array((empty ? "\"removed\":true" : ",\"removed\":true").utf8) + Array(buf[end...])
    }
}
