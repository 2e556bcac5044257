/// An inclusive range of block numbers, the unit of an `eth_getLogs` request.
/// `ClosedRange<UInt64>` would do, but a named type keeps `from`/`to` the
/// words every provider and error message uses.
package struct BlockRange: Hashable, Sendable, CustomStringConvertible {
    package var from: UInt64
    package var to: UInt64

    /// `from <= to` is the caller's promise; every producer here checks it.
    package init(_ from: UInt64, _ to: UInt64) {
        self.from = from
        self.to = max(from, to)
    }

    package var count: UInt64 { to - from + 1 }
    package var description: String { "\(from)-\(to)" }
    package func contains(_ block: UInt64) -> Bool { block >= from && block <= to }
}
