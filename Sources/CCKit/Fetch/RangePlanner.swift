import CCRPC

/// Hands out consecutive block ranges, adapting their size to what the
/// provider accepts: a refused range is split (at the provider's suggestion
/// when it gives one) and its pieces come back first; fast, small answers let
/// the size grow again. The ranges handed out always tile `[from, end]`
/// exactly — a block is never skipped and never asked twice (except when a
/// refused range is retried as pieces).
package struct RangePlanner: Sendable {
    /// First block not yet handed out as part of a fresh range.
    package private(set) var cursor: UInt64
    /// Last block to hand out (inclusive); `nil` while nothing is allowed yet.
    package private(set) var end: UInt64?
    package private(set) var chunkSize: UInt64
    /// Largest size the provider is known to accept for a block-range limit;
    /// growth never goes above it.
    package private(set) var ceiling: UInt64
    /// Pieces of refused ranges, ascending; they go out before fresh ranges.
    private var requeued: [BlockRange] = []

    /// An answer is "small" below this many logs (a quarter of the smallest common result cap).
    package var smallAnswerLogs = 2_500
    /// And "fast" below this many seconds.
    package var fastAnswerSeconds = 2.0

    package init(from: UInt64, to: UInt64?, chunkSize: UInt64, maxChunkSize: UInt64 = 1_000_000) {
        cursor = from
        end = to.flatMap { $0 >= from ? $0 : nil }
        self.ceiling = max(1, maxChunkSize)
        self.chunkSize = min(max(1, chunkSize), ceiling)
    }

    /// True when every block up to `end` has been handed out and nothing waits to be retried.
    package var isExhausted: Bool {
        guard requeued.isEmpty else { return false }
        guard let end else { return true }
        return cursor > end
    }

    package var requeuedCount: Int { requeued.count }

    /// Allows ranges up to `block` (follow mode moves the end as the head advances).
    package mutating func extend(to block: UInt64) {
        guard block >= cursor else { return }
        if let e = end, e >= block { return }
        end = block
    }

    /// The next range to ask for, or nil when there is none right now.
    package mutating func nextRange() -> BlockRange? {
        if !requeued.isEmpty { return requeued.removeFirst() }
        guard let end, cursor <= end else { return nil }
        let last = end - cursor < chunkSize ? end : cursor + (chunkSize - 1)
        let r = BlockRange(cursor, last)
        // Block numbers come from the command line and the node: stay correct at UInt64.max.
        if last == UInt64.max { self.end = nil } else { cursor = last + 1 }
        return r
    }

    /// Whether the next range would be a retried piece (those are never held back by the window).
    package var nextIsRequeued: Bool { !requeued.isEmpty }

    /// The first block of the next retried piece, if any.
    package var nextRequeuedFrom: UInt64? { requeued.first?.from }

    /// A provider refused `range`. Splits it and queues the pieces before any
    /// fresh range. Returns false when the range is a single block and cannot
    /// be split — the caller reports that as an error.
    package mutating func refused(_ range: BlockRange, _ why: RangeRefusal) -> Bool {
        guard range.count > 1 else { return false }
        let suggested = why.suggestedTo(startingAt: range.from)
        var firstTo = range.from + range.count / 2 - 1
        if let s = suggested, s >= range.from, s < range.to { firstTo = s }
        let pieceSize = firstTo - range.from + 1
        if why.limit == .blocks {
            // The limit is a property of the provider: never grow past what failed.
            ceiling = min(ceiling, suggested != nil ? pieceSize : range.count - 1)
        }
        chunkSize = max(1, min(chunkSize, pieceSize, ceiling))
        var pieces = [BlockRange(range.from, firstTo)]
        var start = firstTo + 1
        while start <= range.to {
            let last = range.to - start < chunkSize ? range.to : start + chunkSize - 1
            pieces.append(BlockRange(start, last))
            if last == range.to { break }
            start = last + 1
        }
        requeued.append(contentsOf: pieces)
        requeued.sort { $0.from < $1.from }
        return true
    }

    /// A range was answered: grows the chunk size after a fast, small answer
    /// for a full-sized range.
    package mutating func succeeded(_ range: BlockRange, logs: Int, seconds: Double) {
        guard range.count >= chunkSize, logs < smallAnswerLogs, seconds < fastAnswerSeconds else { return }
        // Double when far below the cap, otherwise a gentler step.
        let grown =
            logs < smallAnswerLogs / 4
            ? chunkSize.multipliedReportingOverflow(by: 2).partialValue
            : chunkSize + max(1, chunkSize / 4)
        chunkSize = max(1, min(grown, ceiling))
    }
}
