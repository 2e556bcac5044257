import CCCore
import CCStream

/// `--shard K/N`: a fixed range `[from, to]` cut into chunks of `chunk`
/// blocks, dealt round-robin: chunk i belongs to shard i mod N. Early blocks
/// of a contract are empty and late ones dense, so dealing small chunks
/// balances the work where N contiguous slices would not; each shard walks
/// its own chunks in order, so its checkpoint stays one block number.
/// Shards are numbered from 0 (a Kubernetes `JOB_COMPLETION_INDEX`, a Slurm
/// array from 0).
package struct ShardPlan: Sendable, Equatable {
    package var index: UInt64
    package var count: UInt64
    package var chunk: UInt64
    package var from: UInt64
    package var to: UInt64

    package static let defaultChunk: UInt64 = 10_000

    package init(index: UInt64, count: UInt64, chunk: UInt64 = defaultChunk, from: UInt64, to: UInt64) {
        self.index = index
        self.count = count
        self.chunk = chunk
        self.from = from
        self.to = to
    }

    /// Parses `K/N` (0 <= K < N).
    package static func parse(_ text: String) -> (index: UInt64, count: UInt64)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = UInt64(parts[0]), let n = UInt64(parts[1]), n >= 1, k < n else { return nil }
        return (k, n)
    }

    /// This shard's chunks that end at or after `start`, the first cut to begin at `start`.
    package func ranges(startingAt start: UInt64) -> [BlockRange] {
        guard from <= to, chunk > 0 else { return [] }
        var out: [BlockRange] = []
        var i = index
        while true {
            let (offset, overflow) = i.multipliedReportingOverflow(by: chunk)
            if overflow { break }
            let (lo, o2) = from.addingReportingOverflow(offset)
            if o2 || lo > to { break }
            let (end, o3) = lo.addingReportingOverflow(chunk - 1)
            let hi = o3 ? to : min(to, end)
            if hi >= start { out.append(BlockRange(max(lo, start), hi)) }
            i += count
        }
        return out
    }

    /// The checkpoint filter of this shard: the fetch filter's hash bound to
    /// the shard's place, so shard 2/8's checkpoint is refused (78) by 3/8,
    /// by 2/4, and by another chunk size or range.
    package func filterHash(_ base: String) -> String {
        StreamID.of("\(base)|shard=\(index)/\(count)|chunk=\(chunk)|from=\(from)|to=\(to)")
    }

    /// One line of `cc-fetch plan`.
    package var jsonLine: String {
        let r = ranges(startingAt: 0)
        return "{\"shard\":\"\(index)/\(count)\",\"index\":\(index),\"count\":\(count),\"from\":\(from),\"to\":\(to),"
            + "\"chunk\":\(chunk),\"chunks\":\(r.count),\"blocks\":\(r.reduce(0) { $0 + $1.count}),"
            + "\"first\":\(r.first.map { String($0.from) } ?? "null"),\"last\":\(r.last.map { String($0.to) } ?? "null"),"
            + "\"args\":\"--from \(from) --to \(to) --shard \(index)/\(count) --shard-chunk \(chunk)\"}"
    }
}
