import CCCore
import CCStream

/// What a SQLite database cannot hold, checked before anything of an event
/// is written, so that one hostile event is bad data (65, `--skip-invalid`
/// sets it aside) rather than a failed statement every rerun hits again.
enum SQLiteLimits {
    /// SQLite integers are signed 64-bit. Binding a larger quantity would
    /// wrap it to a negative number, and binding it as text would round it to
    /// a float: both silently wrong, so such a number is refused.
    static let largestInteger = UInt64(Int64.max)

    static let skipHint = "(--skip-invalid sets such events aside, --skipped FILE keeps them)"

    static func checkIntegers(
        chainId: UInt64?, blockNumber: UInt64, blockTimestamp: UInt64?, transactionIndex: UInt64?, logIndex: UInt64,
        what: String = "event"
    ) throws(ChainCastError) {
        try fits(chainId, "chainId", what)
        try fits(blockNumber, "blockNumber", what)
        try fits(blockTimestamp, "blockTimestamp", what)
        try fits(transactionIndex, "transactionIndex", what)
        try fits(logIndex, "logIndex", what)
    }

    @inline(__always)
    private static func fits(_ v: UInt64?, _ name: String, _ what: String) throws(ChainCastError) {
        guard let v, v > largestInteger else { return }
        throw .data(
            "cannot store this \(what) in SQLite: \(name) \(v) is above \(largestInteger), the largest integer "
                + "SQLite holds \(skipHint)")
    }

    /// A marker the database could not record exactly would leave
    /// `cc_checkpoint` and the checkpoint file disagreeing.
    static func checkMarker(_ m: CheckpointMarker) throws(ChainCastError) {
        for (v, name) in [(m.chainId, "chainId"), (m.blockNumber, "blockNumber")] where v > largestInteger {
            throw .data(
                "checkpoint marker's \(name) \(v) is above \(largestInteger), the largest integer SQLite holds; "
                    + "nothing was committed for it")
        }
    }

    /// Per-event tables: reserved beside the arguments' columns.
    static let baseColumnCount = SQLiteSink.baseColumns.count
}
