import CCCore
import CCStream

extension FetchRun {
    /// How far below a block known to be orphaned the fork search walks
    /// through the node (by parent hash) before it gives up with exit 75.
    package static let maxForkSearch: UInt64 = 4096

    /// Where a rewind goes when the node no longer serves the orphaned
    /// blocks, so the fork cannot be found: this many blocks (or
    /// `--confirmations`, if more) below the lowest block known orphaned.
    static let blindRewindDepth: UInt64 = 64

    /// Writes a `rewind` record (stream contract v1.1): everything above
    /// `block` that this or an earlier run sent is retracted downstream.
    func writeRewind(block: UInt64, hash: Word32) throws {
        var line = RewindRecord(chainId: chainId, blockNumber: block, blockHash: "\(hash)").jsonLine
        line.append("\n")
        try output.write(Array(line.utf8))
        try output.flush()
        metrics.add(metrics.rewinds)
        lastEmitted = (block, hash)
    }

    /// The fork below a block we sent that is no longer canonical: walks the
    /// orphaned branch down by parent hash through the node until its parent
    /// is the canonical block of that height. Returns the canonical fork
    /// block and the orphaned (number, hash) pairs walked, newest first; a nil
    /// fork when the node no longer knows an orphaned block (the branch
    /// cannot be followed, also when `hash` is nil: a checkpoint's hash that is
    /// not a block hash). Past `maxForkSearch` blocks: exit 75.
    func findFork(orphan number: UInt64, hash: Word32?) throws -> (fork: BlockHeader?, orphans: [(UInt64, Word32)]) {
        var orphans: [(UInt64, Word32)] = []
        var n = number
        guard var h = hash else { return (nil, orphans) }
        while n > 0 {
            guard let header = try node.header(hash: h) else { return (nil, orphans) }
            orphans.append((n, h))
            if let parent = try node.headers([n - 1]).first ?? nil, parent.hash == header.parentHash {
                return (parent, orphans)
            }
            if UInt64(orphans.count) >= Self.maxForkSearch {
                throw ChainCastError.tempFail(
                    "reorg: no common ancestor within \(Self.maxForkSearch) blocks below block \(number) (\(orphans[0].1)); "
                        + "the node may be resyncing or on another chain: try again later")
            }
            n -= 1
            guard let up = header.parentHash else { return (nil, orphans) }
            h = up
        }
        return (nil, orphans)
    }

    /// The block to rewind to when the fork cannot be found (the node forgot
    /// the orphaned branch below `lowestOrphan`): `blindRewindDepth` (or
    /// `--confirmations`) below it, never below the block before this run's
    /// `--from`. Throws 75 when the node does not have that block.
    func blindForkPoint(lowestOrphan: UInt64) throws -> BlockHeader {
        let depth = max(Self.blindRewindDepth, confirmations)
        var n = lowestOrphan > depth ? lowestOrphan - depth : 0
        if let start = datasetStart, start > 0 { n = max(n, start - 1) }
        n = min(n, lowestOrphan > 0 ? lowestOrphan - 1 : 0)
        guard let header = try node.headers([n]).first ?? nil else {
            throw ChainCastError.tempFail("reorg: the node has no block \(n) to rewind to: try again later")
        }
        return header
    }
}
