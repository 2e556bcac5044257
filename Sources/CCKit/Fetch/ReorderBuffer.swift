/// Holds completed ranges that finished out of order and releases them in
/// block order: the range starting at `nextBlock` goes first, then the one
/// after it, and so on. Memory is bounded by whoever hands out ranges (the
/// scheduler never has more than its window outstanding).
package struct ReorderBuffer<Value> {
    /// First block whose range has not been released yet.
    package private(set) var nextBlock: UInt64
    private var pending: [UInt64: (BlockRange, Value)] = [:]

    package init(startingAt block: UInt64) { nextBlock = block }

    package var count: Int { pending.count }
    package var isEmpty: Bool { pending.isEmpty }

    package mutating func insert(_ range: BlockRange, _ value: Value) {
        pending[range.from] = (range, value)
    }

    /// Whether `popReady` would return a range.
    package var hasReady: Bool { pending[nextBlock] != nil }

    /// The next range in order, if it has completed.
    package mutating func popReady() -> (BlockRange, Value)? {
        guard let item = pending.removeValue(forKey: nextBlock) else { return nil }
        nextBlock = item.0.to == UInt64.max ? item.0.to : item.0.to + 1
        return item
    }

    /// Forgets everything at or above `block` and restarts there (a reorg rewind).
    package mutating func reset(to block: UInt64) {
        pending = pending.filter { $0.key < block }
        nextBlock = block
    }
}

extension ReorderBuffer: Sendable where Value: Sendable {}
