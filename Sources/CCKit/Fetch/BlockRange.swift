/// An inclusive range of block numbers, the unit of an `eth_getLogs` request.
/// `ClosedRange<UInt64>` would do, but a named type keeps `from`/`to` the
/// words every provider and error message uses.
public struct BlockRange: Hashable, Sendable, CustomStringConvertible {
    public var from: UInt64
    public var to: UInt64

    /// `from <= to` is the caller's promise; every producer here checks it.
    public init(_ from: UInt64, _ to: UInt64) {
        self.from = from
        self.to = max(from, to)
    }

    public var count: UInt64 { to - from + 1 }
    public var description: String { "\(from)-\(to)" }
    public func contains(_ block: UInt64) -> Bool { block >= from && block <= to }
}
