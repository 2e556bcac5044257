#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Input lines that `SinkReader` read and parsed, in input order, for the
/// thread that writes them.
///
/// The batch owns a copy of its lines' bytes and one tape per line, so the
/// views that `record(_:)` hands out (a `DecodedEvent`, an `EventRow`'s text)
/// stay valid after the input buffer moves on, until the batch is `reset` for
/// reuse. Reusing batches (and their tapes) keeps the reader from allocating
/// per line.
final class ScannedBatch {
    /// What one line is, for `CheckpointCommitter`.
    enum Record {
        case event(DecodedEvent)
        case marker(CheckpointMarker)
        /// A control record the sink has no use for (the sink is the last
        /// stage, so there is nobody to forward it to).
        case otherControl
        /// Not a record: the message, without the line number. 65 unless
        /// `--skip-invalid`.
        case invalid(String)
        /// A checkpoint marker that is not valid: always stops the run.
        case badMarker(ChainCastError)
        /// An event, prepared for a `RowSink` (see `prepareRows`).
        case row(EventRow)
    }

    /// Classify the lines and prepare every event as an `EventRow` while
    /// scanning, on the reader thread (for a sink that writes rows).
    var prepareRows = false
    private var prepared: [Record] = []
    let side = SideBuffer()

    /// Per line: nil when it scanned as JSON, else the syntax error.
    private var scanErrors: [JSONSyntaxError?] = []
    private var bytes: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var used = 0
    private var lines: [(offset: Int, count: Int, number: Int)] = []
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

    /// Copies one line in. Views into the batch are only taken by `scan`, so
    /// growing the buffer here moves nothing anyone holds.
    func add(_ line: UnsafeBufferPointer<UInt8>, number: Int) {
        if used + line.count > capacity {
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: max(capacity * 2, used + line.count))
            bigger.update(from: bytes, count: used)
            bytes.deallocate()
            bytes = bigger
            capacity = max(capacity * 2, used + line.count)
        }
        if let base = line.baseAddress { (bytes + used).update(from: base, count: line.count) }
        lines.append((used, line.count, number))
        used += line.count
    }

    var count: Int { lines.count }

    /// Validates every line added since the last `reset` onto its tape (and,
    /// with `prepareRows`, classifies it): the reader thread's share of the
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
                try tapes[i].scan(UnsafeBufferPointer(start: bytes + l.offset, count: l.count))
                scanErrors.append(nil)
            } catch {
                scanErrors.append(error)
            }
            if prepareRows { prepared.append(prepare(i)) }
        }
    }

    /// Line `i` classified, with an event turned into a row. Every reference
    /// to the line's tape it takes is dropped again on this thread.
    private func prepare(_ i: Int) -> Record {
        if let error = scanErrors[i] { return .invalid(error.message) }
        let record = Self.record(JSONValue(tape: tapes[i], index: 0), line: lines[i].number)
        guard case .event(let e) = record else { return record }
        return .row(EventRow(e, lineBase: lineBase, side: side))
    }

    /// Where the lines' bytes start: the base prepared rows are relative to.
    var lineBase: UnsafePointer<UInt8> { UnsafePointer(bytes) }

    /// Line `i` of the batch (after `scan`): its number and what it is.
    func record(_ i: Int) -> (line: Int, record: Record) {
        let number = lines[i].number
        if prepareRows { return (number, prepared[i]) }
        if let error = scanErrors[i] { return (number, .invalid(error.message)) }
        return (number, Self.record(JSONValue(tape: tapes[i], index: 0), line: number))
    }

    /// Forgets the lines; the caller must hold no view into them any more.
    func reset() {
        prepared.removeAll(keepingCapacity: true)
        side.reset()
        scanErrors.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true)
        used = 0
    }

    static func record(_ root: JSONValue, line number: Int) -> Record {
        if ControlRecord.isControl(root) {
            do {
                if let marker = try CheckpointMarker(record: root) { return .marker(marker) }
                return .otherControl
            } catch {
                return .badMarker(.data("line \(number): \(error.message)"))
            }
        }
        do { return .event(try DecodedEvent(root)) } catch { return .invalid(error.message) }
    }
}
