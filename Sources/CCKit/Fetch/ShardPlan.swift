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
        // Plain decimal, as plan prints them: "+1/3" or "01/3" is a typo, not shard 1.
        func plain(_ s: Substring) -> Bool {
            !s.isEmpty && s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } && (s.count == 1 || s.first != "0")
        }
        guard parts.count == 2, plain(parts[0]), plain(parts[1]), let k = UInt64(parts[0]), let n = UInt64(parts[1]),
            n >= 1, k < n
        else { return nil }
        return (k, n)
    }

    /// This shard's chunks that end at or after `start`, the first cut to
    /// begin at `start`, in order. Lazy: a range of 2^63 blocks has more
    /// chunks than memory holds, and the first one is found by arithmetic.
    package func ranges(startingAt start: UInt64) -> Chunks { Chunks(plan: self, start: start) }

    package struct Chunks: Sequence {
        let plan: ShardPlan
        let start: UInt64

        package struct Iterator: IteratorProtocol {
            let plan: ShardPlan
            let start: UInt64
            /// The next global chunk index of this shard; nil when done.
            var chunkIndex: UInt64?

            package mutating func next() -> BlockRange? {
                guard let g = chunkIndex else { return nil }
                let p = plan
                let (offset, o1) = g.multipliedReportingOverflow(by: p.chunk)
                let (lo, o2) = p.from.addingReportingOverflow(offset)
                guard !o1, !o2, lo <= p.to else {
                    chunkIndex = nil
                    return nil
                }
                let (end, o3) = lo.addingReportingOverflow(p.chunk - 1)
                let hi = o3 ? p.to : Swift.min(p.to, end)
                let (following, o4) = g.addingReportingOverflow(p.count)
                chunkIndex = o4 ? nil : following
                return BlockRange(Swift.max(lo, start), hi)
            }
        }

        package func makeIterator() -> Iterator {
            let p = plan
            guard p.from <= p.to, p.chunk > 0, start <= p.to else {
                return Iterator(plan: p, start: start, chunkIndex: nil)
            }
            // The chunk holding `start`, then this shard's first chunk at or after it.
            let g0 = start <= p.from ? 0 : (start - p.from) / p.chunk
            var g = p.index
            if g0 > p.index {
                let steps = (g0 - p.index + p.count - 1) / p.count
                let (m, o) = steps.multipliedReportingOverflow(by: p.count)
                g = o ? UInt64.max : p.index &+ m
            }
            return Iterator(plan: p, start: start, chunkIndex: g)
        }
    }

    /// How many of the global chunks `lo ... hi` are this shard's.
    private func members(_ lo: UInt64, _ hi: UInt64) -> UInt64 {
        guard lo <= hi else { return 0 }
        func upTo(_ x: UInt64) -> UInt64 { x < index ? 0 : (x - index) / count + 1 }
        return upTo(hi) - (lo == 0 ? 0 : upTo(lo - 1))
    }

    /// This shard's blocks in `[a, b]` (clamped to the plan's range), by
    /// arithmetic; saturates at `UInt64.max`.
    package func blocks(startingAt a: UInt64, through b: UInt64) -> UInt64 {
        let a = max(a, from)
        let b = min(b, to)
        guard a <= b, chunk > 0 else { return 0 }
        let ga = (a - from) / chunk
        let gb = (b - from) / chunk
        func mine(_ g: UInt64) -> Bool { g % count == index }
        if ga == gb { return mine(ga) ? b - a + 1 : 0 }
        var n: UInt64 = 0
        if mine(ga) { n += from + ga * chunk + (chunk - 1) - a + 1 }
        if mine(gb) { n += b - (from + gb * chunk) + 1 }
        let (full, o1) = members(ga + 1, gb - 1).multipliedReportingOverflow(by: chunk)
        let (sum, o2) = n.addingReportingOverflow(full)
        return o1 || o2 ? UInt64.max : sum
    }

    /// The checkpoint filter of this shard: the fetch filter's hash bound to
    /// the shard's place, so shard 2/8's checkpoint is refused (78) by 3/8,
    /// by 2/4, and by another chunk size or range.
    package func filterHash(_ base: String) -> String {
        StreamID.of("\(base)|shard=\(index)/\(count)|chunk=\(chunk)|from=\(from)|to=\(to)")
    }

    /// One line of `cc-fetch plan`, by arithmetic (no chunk list).
    package var jsonLine: String {
        let lastChunk = from <= to ? (to - from) / chunk : 0
        let chunks = from <= to ? members(0, lastChunk) : 0
        var first = "null"
        var last = "null"
        if chunks > 0 {
            first = String(from + index * chunk)
            let g = index + (chunks - 1) * count
            let lo = from + g * chunk
            let (end, o) = lo.addingReportingOverflow(chunk - 1)
            last = String(o ? to : min(to, end))
        }
        return "{\"shard\":\"\(index)/\(count)\",\"index\":\(index),\"count\":\(count),\"from\":\(from),\"to\":\(to),"
            + "\"chunk\":\(chunk),\"chunks\":\(chunks),\"blocks\":\(blocks(startingAt: from, through: to)),"
            + "\"first\":\(first),\"last\":\(last),"
            + "\"args\":\"--from \(from) --to \(to) --shard \(index)/\(count) --shard-chunk \(chunk)\"}"
    }
}
