import CCCore
import CCJSON

/// The columns of the `events` table for one decoded event, prepared by the
/// reader thread (`SinkReader`) so that the writing thread only binds and
/// steps: integers parsed, text unescaped and made valid UTF-8 (ill-formed
/// bytes become U+FFFD, as `TextBinder` does).
///
/// Text is a span of its `ScannedBatch`: the line itself when the value needs
/// no change, else the batch's side buffer. A row holds no reference, so
/// handing it to the other thread costs no reference counting.
///
/// The file sink takes rows too, with only what picks its file (`routing`):
/// then the writing thread copies lines and never touches their parse.
struct EventRow {
    /// Which columns to prepare.
    enum Columns: Sendable {
        /// Every column of the events table.
        case all
        /// The numbers, the event name and the line; other text is NULL.
        case routing
    }

    struct Text {
        /// Offset in the line bytes (`inSide` false) or the side buffer; -1: NULL.
        var offset: Int
        var count: Int
        var inSide: Bool

        static let null = Text(offset: -1, count: 0, inSide: false)
        var isNull: Bool { offset < 0 }

        /// The bytes, given the base the row was prepared with and its side
        /// buffer; nil for NULL.
        @inline(__always)
        func bytes(line: UnsafePointer<UInt8>, side: SideBuffer) -> UnsafeBufferPointer<UInt8>? {
            if isNull { return nil }
            return UnsafeBufferPointer(start: (inSide ? UnsafePointer(side.base) : line) + offset, count: count)
        }
    }

    var chainId: UInt64?
    var blockNumber: UInt64
    var blockTimestamp: UInt64?
    var transactionIndex: UInt64?
    var logIndex: UInt64
    var removed: Bool
    var blockHash: Text
    var transactionHash: Text
    var address: Text
    var event: Text
    var signature: Text
    var args: Text
    /// The whole line as received.
    var line: Text

    /// `e`'s columns; `lineBase` is where the batch's bytes start (the line's
    /// values are views into them), `side` receives text that had to change.
    /// `numeric`: store integer arguments in `args` as JSON numbers (`NumericArgs`).
    init(
        _ e: DecodedEvent, lineBase: UnsafePointer<UInt8>, side: SideBuffer, columns: Columns = .all,
        numeric: NumericArgs? = nil
    ) {
        chainId = e.chainId
        blockNumber = e.blockNumber
        blockTimestamp = e.blockTimestamp
        transactionIndex = e.transactionIndex
        logIndex = e.logIndex
        removed = e.removed
        event = e.event.map { Self.text($0, lineBase, side) } ?? .null
        let raw = e.root.raw
        line = Text(offset: raw.baseAddress.map { lineBase.distance(to: $0) } ?? 0, count: raw.count, inSide: false)
        guard columns == .all else {
            (blockHash, transactionHash, address, signature, args) = (.null, .null, .null, .null, .null)
            return
        }
        blockHash = Self.text(e.blockHash, lineBase, side)
        transactionHash = e.transactionHash.map { Self.text($0, lineBase, side) } ?? .null
        address = e.address.map { Self.text($0, lineBase, side) } ?? .null
        signature = e.signature.map { Self.text($0, lineBase, side) } ?? .null
        if let a = e.args, let rewritten = numeric?.rewrite(a, signature: e.signature) {
            args = rewritten.withUnsafeBufferPointer { b in
                UTF8Repair.isValid(b) ? side.append(b) : side.append(UTF8Repair.repaired(b))
            }
        } else {
            args = e.args.map { Self.text($0, raw: true, lineBase, side) } ?? .null
        }
    }

    /// The value as SQLite TEXT (`SQLText`): a span of the line when it
    /// needs no change, else of the side buffer.
    private static func text(
        _ v: JSONValue, raw: Bool = false, _ base: UnsafePointer<UInt8>, _ side: SideBuffer
    ) -> Text {
        var changed: [UInt8] = []
        guard let view = SQLText.of(v, raw: raw, scratch: &changed) else { return side.append(changed) }
        guard let p = view.baseAddress else { return Text(offset: 0, count: 0, inSide: false) }
        return Text(offset: base.distance(to: p), count: view.count, inSide: false)
    }
}

/// Growable bytes a batch owns for text that is not in its lines. Spans are
/// offsets, so growing moves nothing a span names; `base` is stable once the
/// batch is scanned, until `reset`.
final class SideBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private var capacity = 4096
    private var used = 0

    init() { base = .allocate(capacity: capacity) }
    deinit { base.deallocate() }

    func append(_ b: UnsafeBufferPointer<UInt8>) -> EventRow.Text {
        if used + b.count > capacity {
            let bigger = max(capacity * 2, used + b.count)
            let p = UnsafeMutablePointer<UInt8>.allocate(capacity: bigger)
            p.update(from: base, count: used)
            base.deallocate()
            base = p
            capacity = bigger
        }
        if let src = b.baseAddress { (base + used).update(from: src, count: b.count) }
        defer { used += b.count }
        return EventRow.Text(offset: used, count: b.count, inSide: true)
    }

    func append(_ b: [UInt8]) -> EventRow.Text { b.withUnsafeBufferPointer { append($0) } }

    func reset() { used = 0 }
}

/// A sink that can write prepared `EventRow`s: the reader thread prepares
/// them when `rowColumns` is not nil, and the committer calls `append(row:)`
/// instead of `append(_:)`.
protocol RowSink: Sink {
    var rowColumns: EventRow.Columns? { get }
    /// `row`'s text is in `batch` (`ScannedBatch.lineBase` and `side`).
    func append(row: EventRow, from batch: ScannedBatch) throws(ChainCastError)
    /// `Sink.check` for a prepared row.
    func check(row: EventRow) throws(ChainCastError)
}

extension RowSink {
    func check(row: EventRow) throws(ChainCastError) {}
}
