import CCCore
import CCJSON
import CCStream

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes events as NDJSON (each record exactly as received) or CSV, to one
/// file or to files chosen by `{event}`, `{chainId}` and `{date}`, optionally
/// rotated every N blocks or bytes.
///
/// Exactly once: each checkpoint records every open file and its durable
/// length; a rerun truncates the files back to those lengths before it
/// appends what upstream sends again. Rotated files are written under a
/// hidden `.name.part` and renamed to their final name only after a
/// checkpoint that records them as complete, so readers never see half a
/// file and a crash cannot leave a renamed file the checkpoint does not know.
package final class FileSink: Sink, RowSink {
    package enum Format: String, Sendable { case ndjson, csv }

    package struct Options: Sendable {
        package var path: String
        package var format: Format = .ndjson
        package var columns: [String]?
        package var rotateBlocks: UInt64?
        package var rotateBytes: Int?

        package init(path: String) { self.path = path }
    }

    package let kind = "file"
    let options: Options
    var template: FileNameTemplate { series.template }
    let toStdout: Bool
    private var rotating: Bool { options.rotateBlocks != nil || options.rotateBytes != nil }
    private var open: [String: OutputFile] = [:]
    private var order: [String] = []
    /// Rotated files that are complete; renamed after the next checkpoint.
    private var completing: [OutputFile] = []
    private var lastFile: OutputFile?
    private var series: FileSeries
    private var checkpointBlock: UInt64?
    /// The highest block the files hold lines of (the checkpoint's after a
    /// resume truncated them to it): a rewind at or above it retracts nothing.
    private var heldThrough: UInt64?
    /// The checkpoint a clean end completed every file at: a later run that
    /// continues inside the same window starts its file after it.
    private var sealedThrough: UInt64?
    private var sealed = false
    private var csvScratch: [UInt8] = []
    private var csvRow: [UInt8] = []
    package private(set) var pendingEvents = 0
    package private(set) var bytesWritten = 0

    package init(_ options: Options) throws(ChainCastError) {
        self.options = options
        series = FileSeries(template: try FileNameTemplate(options.path))
        toStdout = options.path == "-"
        if template.hasRange && !rotating {
            throw .usage("{from} and {to} name the blocks of a rotated file: add --rotate-blocks or --rotate-bytes")
        }
        if toStdout && rotating { throw .usage("--rotate-blocks/--rotate-bytes need a file path, not '-'") }
        if rotating && !template.hasRange {
            throw .usage("rotated files need {from} or {to} in the path so each gets its own name")
        }
        if toStdout {
            let f = OutputFile(stdout: ())
            open["-"] = f
            order = ["-"]
        }
    }

    // MARK: resume

    package func resume(from checkpoint: CheckpointMarker?, state: SinkState?) throws(ChainCastError) {
        guard let checkpoint else { return }
        checkpointBlock = checkpoint.blockNumber
        heldThrough = checkpoint.blockNumber
        guard let state else { throw .config("checkpoint file has no \"sink\" state for the file sink") }
        try state.expectType("file")
        let entries = try files(of: state)
        if sealed {
            sealedThrough = checkpoint.blockNumber
            sealed = false
        }
        // Check everything before touching anything: a contradiction must
        // leave every file as it is.
        for e in entries {
            let length = Int(clamping: e.length)
            if let final = e.finalPath {
                if let size = OutputFile.size(of: e.path) {
                    if size < length { throw shorter(e.path, size, length) }
                } else if OutputFile.size(of: final) == nil {
                    throw .config("checkpoint lists \(e.path) (to become \(final)) but neither file exists")
                }
            } else {
                guard let size = OutputFile.size(of: e.path) else {
                    throw .config("checkpoint lists \(e.path) with \(length) bytes, but the file is missing")
                }
                if size < length { throw shorter(e.path, size, length) }
            }
        }
        for e in entries {
            let length = Int(clamping: e.length)
            if let final = e.finalPath {
                if OutputFile.size(of: e.path) != nil {
                    let f = try OutputFile(
                        key: e.key, writePath: e.path, rotating: true, from: e.from, truncateTo: length)
                    try f.sync()
                    f.closeFile()
                    if rename(e.path, final) != 0 {
                        throw .io("cannot rename \(e.path) to \(final): \(FileIO.errorText())")
                    }
                    OutputFile.syncDirectory(of: final)
                }
            } else {
                // Reopened now, not when the next event for it comes: a file
                // must stay in every checkpoint until it is complete.
                let f = try OutputFile(
                    key: e.key, writePath: e.path, rotating: rotating, from: e.from, truncateTo: length)
                f.lastBlock = e.lastBlock
                f.window = e.window
                f.columns = e.columns?.map(CSVRecordWriter.Column.init)
                if open[e.key] == nil { order.append(e.key) }
                open[e.key] = f
            }
        }
    }

    private func shorter(_ path: String, _ size: Int, _ length: Int) -> ChainCastError {
        .config(
            "\(path) has \(size) bytes but the checkpoint committed \(length): it was changed outside cc-sink; "
                + "nothing was modified")
    }

    /// The files a file sink's state lists, once it is one for this sink's
    /// path and format.
    private func files(of state: SinkState) throws(ChainCastError) -> [FileSinkState.File] {
        func misfit(_ problem: String) -> ChainCastError {
            .config("checkpoint's file sink state does not fit: \(problem); use another --checkpoint file")
        }
        switch state {
        case .file(let f):
            guard f.path == options.path else {
                throw misfit("it was written for path '\(f.path)', not '\(options.path)'")
            }
            guard f.format == options.format.rawValue else { throw misfit("it was written for --format \(f.format)") }
            sealed = f.sealed
            return f.files
        case .invalid(_, let problem):
            throw misfit(problem)
        default:
            throw misfit("not a file sink's state")
        }
    }

    // MARK: writing

    package func append(_ e: DecodedEvent) throws(ChainCastError) {
        let block = max(e.blockNumber, checkpointBlock.map { $0 &+ 1 } ?? 0)
        try write(e.root, to: try file(for: e, block: block), block: block)
    }

    /// A plain record, as it is (NDJSON) or as a CSV row. Its own `chainId`,
    /// `blockTimestamp` and `blockNumber`, when it has them, pick its file as
    /// they would an event's; else it goes with the marker it follows.
    package func appendRecord(_ record: JSONValue, at position: RecordPosition) throws(ChainCastError) {
        let after = record["blockNumber"]?.quantity ?? UInt64(clamping: position.afterBlock &+ 1)
        let block = max(after, checkpointBlock.map { $0 &+ 1 } ?? 0)
        let fields = FileSeries.Fields(
            chainId: record["chainId"]?.quantity, timestamp: record["blockTimestamp"]?.quantity, event: nil)
        try write(record, to: try file(for: fields, block: block), block: block)
    }

    private func write(_ root: JSONValue, to file: OutputFile, block: UInt64) throws(ChainCastError) {
        if root.raw.count > 0 {
            switch options.format {
            case .ndjson:
                try append(line: root.raw, to: file)
            case .csv:
                if file.columns == nil {
                    let names = options.columns ?? CSVRecordWriter.columns(of: root)
                    file.columns = names.map(CSVRecordWriter.Column.init)
                    if file.length == 0 { try appendHeader(file.columns!, to: file) }
                }
                if options.columns == nil { try checkShape(root, file) }
                csvRow.removeAll(keepingCapacity: true)
                CSVRecordWriter.row(root, file.columns!, scratch: &csvScratch, into: &csvRow)
                try file.append(csvRow)
            }
        }
        file.lastBlock = max(file.lastBlock, block)
        heldThrough = max(heldThrough ?? 0, block)
        pendingEvents += 1
    }

    /// A CSV file's header comes from its first record: a record with a field
    /// the header lacks (an Approval in a file of Transfers) would lose it
    /// without a word, so it stops the sink instead.
    private func checkShape(_ root: JSONValue, _ file: OutputFile) throws(ChainCastError) {
        CSVRecordWriter.shape(of: root, into: &csvScratch)
        if file.csvShapes.contains(csvScratch) { return }
        let extra = CSVRecordWriter.uncovered(root, by: file.columns ?? [])
        guard extra.isEmpty else {
            let event = root["event"].flatMap { $0.kind == .string ? " (event " + $0.string() + ")" : nil } ?? ""
            throw .data(
                "a record\(event) has fields \(extra.joined(separator: ", ")) that the CSV header of "
                    + "\(file.key) (taken from its first record) lacks: put {event} in the path for one file per "
                    + "event, choose the columns with --columns, or filter to one kind of record")
        }
        if file.csvShapes.count < 1024 { file.csvShapes.insert(csvScratch) }
    }

    /// NDJSON copies lines, so the reader thread prepares what picks the file
    /// and the line; CSV needs the parsed event.
    var rowColumns: EventRow.Columns? { options.format == .ndjson ? .routing : nil }

    /// `append` for a line the reader thread prepared (NDJSON).
    func append(row: EventRow, from batch: ScannedBatch) throws(ChainCastError) {
        let base = batch.lineBase
        let fields = FileSeries.Fields(
            chainId: row.chainId, timestamp: row.blockTimestamp, event: row.event.bytes(line: base, side: batch.side))
        let block = max(row.blockNumber, checkpointBlock.map { $0 &+ 1 } ?? 0)
        let file = try file(for: fields, block: block)
        if let line = row.line.bytes(line: base, side: batch.side), line.count > 0 {
            try append(line: line, to: file)
        }
        file.lastBlock = max(file.lastBlock, block)
        heldThrough = max(heldThrough ?? 0, row.blockNumber)
        pendingEvents += 1
    }

    /// A rewind that retracts lines the files hold is written into every
    /// open file (NDJSON, not rotated: the file is a log its reader replays,
    /// as it replays `"removed": true` lines). CSV rows and rotated files
    /// cannot carry it: refused (78) rather than left silently wrong. A
    /// rewind at or above what the files hold (the one cc-fetch writes on
    /// every resume, after the truncation to the checkpoint) writes nothing.
    package func rewind(_ r: RewindRecord) throws(ChainCastError) -> RewindRetraction {
        guard let held = heldThrough, held > r.blockNumber else { return .asData }
        guard options.format == .ndjson, !rotating else {
            throw .config(
                "a rewind to block \(r.blockNumber) (a reorg) must retract lines already in "
                    + (rotating ? "rotated files" : "CSV files")
                    + ", which cannot hold it: use --format ndjson without rotation, or the sqlite sink, "
                    + "or enough cc-fetch --confirmations")
        }
        let line = Array(r.jsonLine.utf8)
        for key in order {
            guard let f = open[key] else { continue }
            try f.append(line)
            try f.appendNewline()
        }
        heldThrough = r.blockNumber
        pendingEvents += 1
        return .asData
    }

    /// A record as received, made valid UTF-8, and its newline.
    private func append(line: UnsafeBufferPointer<UInt8>, to file: OutputFile) throws(ChainCastError) {
        if UTF8Repair.isValid(line) { try file.append(line) } else { try file.append(UTF8Repair.repaired(line)) }
        try file.appendNewline()
    }

    private func file(for e: DecodedEvent, block: UInt64) throws(ChainCastError) -> OutputFile {
        var fields = FileSeries.Fields(chainId: e.chainId, timestamp: e.blockTimestamp, event: nil)
        guard let name = e.event else { return try file(for: fields, block: block) }
        var changed: [UInt8] = []
        if let view = SQLText.of(name, scratch: &changed) {
            fields.event = view
            return try file(for: fields, block: block)
        }
        return try changed.withUnsafeBufferPointer { (b) throws(ChainCastError) in
            fields.event = b
            return try file(for: fields, block: block)
        }
    }

    /// The file an event goes to, rotating when its window or size is used up.
    private func file(for fields: FileSeries.Fields, block: UInt64) throws(ChainCastError) -> OutputFile {
        var f: OutputFile
        if let last = lastFile, series.isCurrent(fields) {
            f = last
        } else {
            let key = series.key(fields)
            if let existing = open[key] {
                f = existing
            } else {
                f = try openFile(key: key, block: block)
            }
            series.remember(fields)
        }
        if let n = options.rotateBlocks {
            let w = block / n
            if let fw = f.window, w > fw {
                try complete(f, to: fw * n + n - 1)
                f = try openFile(key: f.key, block: block)
            }
        } else if let n = options.rotateBytes, f.length >= n, block != f.lastBlock {
            try complete(f, to: f.lastBlock)
            f = try openFile(key: f.key, block: block)
        }
        lastFile = f
        return f
    }

    private func tempPath(key: String, from: UInt64) -> String {
        let name = FileNameTemplate.resolve(key: key, from: "\(from)", to: "open")
        if let slash = name.lastIndex(of: "/") {
            return String(name[...slash]) + "." + name[name.index(after: slash)...] + ".part"
        }
        return "." + name + ".part"
    }

    private func openFile(key: String, block: UInt64) throws(ChainCastError) -> OutputFile {
        var from = block
        var window: UInt64?
        if let n = options.rotateBlocks {
            window = block / n
            // Named after the window, not after where this run happened to
            // resume, so reruns produce the same names; only a window a clean
            // end already sealed continues after the seal.
            from = block / n * n
            if let s = sealedThrough, s >= from, s < from + n - 1 { from = s + 1 }
        }
        let path = rotating ? tempPath(key: key, from: from) : key
        let f = try OutputFile(key: key, writePath: path, rotating: rotating, from: from, truncateTo: nil)
        f.lastBlock = from
        f.window = window
        if open[key] == nil { order.append(key) }
        open[key] = f
        return f
    }

    private func complete(_ f: OutputFile, to: UInt64) throws(ChainCastError) {
        f.finalPath = FileNameTemplate.resolve(key: f.key, from: "\(f.from)", to: "\(max(to, f.from))")
        open[f.key] = nil
        order.removeAll { $0 == f.key }
        if lastFile === f { lastFile = nil }
        completing.append(f)
    }

    // MARK: durability

    package func flush() throws(ChainCastError) {
        for key in order { try open[key]?.sync() }
        for f in completing { try f.sync() }
        pendingEvents = 0
    }

    package func commit(_ checkpoint: CheckpointMarker) throws(ChainCastError) -> SinkState {
        // A window that ends at or before the checkpoint can get no more events.
        if let n = options.rotateBlocks {
            for key in order {
                if let f = open[key], let w = f.window, w * n + n - 1 <= checkpoint.blockNumber {
                    try complete(f, to: w * n + n - 1)
                }
            }
        }
        try flush()
        checkpointBlock = checkpoint.blockNumber
        return state()
    }

    package func checkpointWritten() throws(ChainCastError) {
        for f in completing {
            f.closeFile()
            guard let final = f.finalPath else { continue }
            if rename(f.writePath, final) != 0 {
                throw .io("cannot rename \(f.writePath) to \(final): \(FileIO.errorText())")
            }
            OutputFile.syncDirectory(of: final)
        }
        completing.removeAll()
    }

    package func finish(cleanEnd: Bool) throws(ChainCastError) -> SinkState? {
        try flush()
        try replaceUnwrittenFixedFile()
        guard cleanEnd, rotating, !order.isEmpty else { return nil }
        // The range is done: complete every open file, up to the checkpoint.
        for key in order {
            guard let f = open[key] else { continue }
            var to = f.lastBlock
            if let n = options.rotateBlocks, let w = f.window {
                to = min(w * n + n - 1, max(checkpointBlock ?? to, to))
            }
            try complete(f, to: to)
        }
        sealed = true
        return state()
    }

    private func appendHeader(_ columns: [CSVRecordWriter.Column], to file: OutputFile) throws(ChainCastError) {
        csvRow.removeAll(keepingCapacity: true)
        CSVRecordWriter.header(columns, into: &csvRow)
        try file.append(csvRow)
    }

    /// One fixed path is the run's whole output, replaced like the shell's
    /// `>`: a run that wrote nothing (and resumed no file) still empties it,
    /// so yesterday's lines never pass for today's. A CSV whose columns are
    /// known gets its header. Templated paths name no file until a record does.
    /// Also at an unclean end: a file no checkpoint knows is started afresh by
    /// any rerun, so emptying it now leaves no state a rerun could not.
    private func replaceUnwrittenFixedFile() throws(ChainCastError) {
        guard !toStdout, !rotating, open.isEmpty, template.isFixed else { return }
        let f = try OutputFile(key: options.path, writePath: options.path, rotating: false, from: 0, truncateTo: nil)
        if options.format == .csv, let names = options.columns {
            try appendHeader(names.map(CSVRecordWriter.Column.init), to: f)
        }
        try f.sync()
        f.closeFile()
    }

    private func state() -> SinkState {
        let files = order.compactMap { open[$0] }.filter { $0.fd != 1 } + completing
        return .file(
            FileSinkState(
                path: options.path, format: options.format.rawValue, sealed: sealed,
                files: files.map { f in
                    FileSinkState.File(
                        key: f.key, path: f.writePath, length: UInt64(f.length), from: f.from, lastBlock: f.lastBlock,
                        window: f.window, finalPath: f.finalPath, columns: f.columns?.map(\.name))
                }))
    }
}
