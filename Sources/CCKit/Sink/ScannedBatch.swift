import CCCore
import CCJSON
import CCStream

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Input lines that `SinkReader` read and parsed, in input order, for the
/// thread that writes them.
///
/// The batch owns the buffer its lines were read into (`takeLines`: it
/// trades buffers with the input instead of copying the lines) and one tape
/// per line, so the views that `record(_:)` hands out (a `DecodedEvent`, an
/// `EventRow`'s text) stay valid after the input moves on, until the batch
/// is `reset` for reuse. Reusing batches (and their tapes) keeps the reader
/// from allocating per line.
final class ScannedBatch {
    /// What one line is, for `CheckpointCommitter`.
    enum Record {
        case event(DecodedEvent)
        case marker(CheckpointMarker)
        /// A `rewind` control record: retract everything above its block.
        case rewind(RewindRecord)
        /// A control record the sink has no use for (the sink is the last
        /// stage, so there is nobody to forward it to).
        case otherControl
        /// Not a record: the message, without the line number. 65 unless
        /// `--skip-invalid`.
        case invalid(String)
        /// A checkpoint marker that is not valid: always stops the run.
        case badMarker(ChainCastError)
        /// An event, prepared for a `RowSink` (see `rowColumns`).
        case row(EventRow)
        /// A raw (undecoded) log: refused, skipped or stored as `--raw-logs` says.
        case rawLog(DecodedEvent)
        /// Any other JSON object (a reshape, an aggregate row): `RecordShape`.
        case plain(JSONValue)
    }

    /// When set, classify the lines and prepare every event as an `EventRow`
    /// with these columns while scanning, on the reader thread (for a sink
    /// that writes rows).
    var rowColumns: EventRow.Columns?
    private var prepared: [Record] = []
    let side = SideBuffer()
    private let numeric = NumericArgs()

    /// Per line: nil when it scanned as JSON, else the syntax error.
    private var scanErrors: [JSONSyntaxError?] = []
    private var bytes: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Lines in the input's buffer until `takeLines`, then in `bytes`.
    private var lines: [(start: UnsafePointer<UInt8>, count: Int, number: Int)] = []
    private var tapes: [JSONTape] = []
    private let stack = JSONTape.allocateStack()

    init(capacity: Int = 1 << 20) {
        self.capacity = capacity
        bytes = .allocate(capacity: capacity)
    }

    deinit {
        tapes.removeAll()
        stack.deallocate()
        bytes.deallocate()
    }

    var isEmpty: Bool { lines.isEmpty }

    /// Notes a line `input.nextLines` delivered (a non-empty view into the
    /// input's buffer); `takeLines` must follow before `scan`.
    @inline(__always)
    func add(_ line: UnsafeBufferPointer<UInt8>, number: Int) {
        guard let start = line.baseAddress else { return }
        lines.append((start, line.count, number))
    }

    /// Takes the buffer that holds the lines `add`ed from one `nextLines` of
    /// `input`, which goes on in this batch's old buffer.
    func takeLines(from input: LineReader) {
        (bytes, capacity) = input.exchangeBuffer(bytes, capacity: capacity)
    }

    var count: Int { lines.count }

    /// The bytes of line `i` as read (valid until `reset`).
    func bytes(ofLine i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: lines[i].start, count: lines[i].count)
    }

    /// Validates every line added since the last `reset` onto its tape (and,
    /// with `rowColumns`, classifies it): the reader thread's share of the
    /// work. A tape's reference count is only ever touched by one thread at a
    /// time: validating takes no reference, preparing drops the ones it takes
    /// before it returns (the same counters updated from two cores cost more
    /// than the scan).
    func scan() {
        scanErrors.reserveCapacity(lines.count)
        for (i, l) in lines.enumerated() {
            // 64 entries hold a decoded Transfer; a tape grows for bigger
            // lines and keeps its size when the batch is reused.
            if i == tapes.count { tapes.append(JSONTape(capacity: 64, sharedStack: stack)) }
            do {
                try tapes[i].scan(UnsafeBufferPointer(start: l.start, count: l.count))
                scanErrors.append(nil)
            } catch {
                scanErrors.append(error)
            }
            if let columns = rowColumns { prepared.append(prepare(i, columns)) }
        }
    }

    /// Line `i` classified, with an event turned into a row. Every reference
    /// to the line's tape it takes is dropped again on this thread.
    private func prepare(_ i: Int, _ columns: EventRow.Columns) -> Record {
        if let error = scanErrors[i] { return .invalid(error.message) }
        let record = Self.record(JSONValue(tape: tapes[i], index: 0), line: lines[i].number)
        guard case .event(let e) = record else { return record }
        return .row(EventRow(e, lineBase: lineBase, side: side, columns: columns, numeric: numeric))
    }

    /// Where the lines' bytes start: the base prepared rows are relative to.
    var lineBase: UnsafePointer<UInt8> { UnsafePointer(bytes) }

    /// Line `i` of the batch (after `scan`): its number and what it is.
    func record(_ i: Int) -> (line: Int, record: Record) {
        let number = lines[i].number
        if rowColumns != nil { return (number, prepared[i]) }
        if let error = scanErrors[i] { return (number, .invalid(error.message)) }
        return (number, Self.record(JSONValue(tape: tapes[i], index: 0), line: number))
    }

    /// Forgets the lines; the caller must hold no view into them any more.
    func reset() {
        prepared.removeAll(keepingCapacity: true)
        side.reset()
        scanErrors.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true)
    }

    static func record(_ root: JSONValue, line number: Int) -> Record {
        if ControlRecord.isControl(root) {
            do {
                if let marker = try CheckpointMarker(record: root) { return .marker(marker) }
                if let rewind = try RewindRecord(record: root) { return .rewind(rewind) }
                return .otherControl
            } catch {
                return .badMarker(.data("line \(number): \(error.message)"))
            }
        }
        guard root.kind == .object else { return .invalid("expected a JSON object, found \(root.kind)") }
        switch RecordShape.of(root) {
        case .decodedEvent:
            do { return .event(try DecodedEvent(root)) } catch { return .invalid(error.message) }
        case .rawLog:
            do { return .rawLog(try DecodedEvent(root)) } catch { return .invalid("raw log: " + error.message) }
        case .plain:
            return .plain(root)
        }
    }
}
