import CCCore
import CCJSON
import CCStream

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Options of one cc-filter run that are not part of the program.
package struct FilterStreamOptions: Sendable {
    package var dropRaw = false
    package var strict = false
    package var skipInvalid = false
    /// The program and options, folded into each checkpoint marker's
    /// `pipeline` (`PipelineHash`); nil forwards markers unchanged.
    package var pipelineConfig: String?
    /// Runtime errors printed one by one before only counting them.
    package var maxReportedErrors = 20

    package init() {}
}

/// The cc-filter loop: lines in, records out. Markers and control records
/// pass unchanged and in order; raw logs pass unless `--drop-raw`; events
/// that pass and are unchanged are copied byte for byte.
package struct FilterStream {
    package var program: FilterProgram
    var aggregator: FilterAggregator?
    package var options: FilterStreamOptions
    var vm = FilterVM()
    private var writer = JSONWriter(capacity: 1 << 12)
    private var rows: [FilterValue] = []

    package private(set) var eventsIn = 0
    package private(set) var eventsOut = 0
    package private(set) var runtimeErrors = 0
    package private(set) var invalidLines = 0
    /// Raw logs an aggregating run did not pass.
    package private(set) var rawDropped = 0
    private var firstError: String? = nil
    private var samples = FilterPathSamples()
    private var sincePathCheck = 0

    package init(program: FilterProgram, aggregation: AggregationPlan? = nil, options: FilterStreamOptions = .init()) {
        self.program = program
        self.aggregator = aggregation.map { FilterAggregator(plan: $0) }
        self.options = options
    }

    /// Processes one input line (without its newline); `location` names it in messages.
    package mutating func process(
        _ line: UnsafeBufferPointer<UInt8>, at location: InputLocation,
        output: OutputWriter
    ) throws {
        let parsed: JSONLine
        do {
            parsed = try JSONLine(line)
        } catch {
            try invalid("\(location): invalid JSON: \(error.message)")
            return
        }
        let root = parsed.root
        guard root.kind == .object else {
            try invalid("\(location): expected a JSON object, got \(root.kind)")
            return
        }
        // Only a line with a '$', or its escape \u0024, can hold a control
        // record's "$cc" key; memchr keeps the member lookup off the per-event path.
        if let base = line.baseAddress,
            memchr(base, 36, line.count) != nil || Self.hasEscapedDollar(line),
            let kind = root["$cc"]
        {
            // Only a checkpoint closes windows, and its rows go before it; a
            // rewind retracts the open window above its block; any other
            // kind (known or not) passes untouched, in order.
            if let agg = aggregator {
                if kind.equals("checkpoint") {
                    agg.marker(block: root["blockNumber"]?.quantity, rows: &rows)
                    try writeRows(output)
                } else if kind.equals("rewind"), let b = root["blockNumber"]?.quantity, !agg.rewind(block: b) {
                    Diagnostics.error(
                        "cc-filter",
                        "warning: \(location): rewind to block \(b) inside the open aggregation window; "
                            + "its rows may count the re-sent blocks twice (--window marker closes windows at checkpoints)"
                    )
                }
            }
            if let config = options.pipelineConfig,
                let folded = PipelineHash.foldMarker(root, stage: "cc-filter", config: config)
            {
                try folded.withUnsafeBufferPointer { try writeLine($0, output) }
            } else {
                try writeLine(line, output)
            }
            // A marker (or any control record) is where downstream waits: out now.
            try output.flush()
            return
        }
        // A raw log (has "topics", no "event") passes unchanged. When it would
        // pass anyway (no --drop-raw, no reshaping), the check is only needed
        // for events the predicates reject, which keeps it off the hot path.
        let rawCheckFirst = options.dropRaw || aggregator != nil || !program.passesThroughVerbatim
        if rawCheckFirst && Self.isRawLog(root) {
            // Aggregate rows never interleave with raw logs: a sink reading
            // them would take each kind for the other.
            if aggregator != nil {
                rawDropped += 1
            } else if !options.dropRaw {
                try writeLine(line, output)
            }
            return
        }
        samples.consider(root, line)
        sincePathCheck &+= 1
        if sincePathCheck == 4096 {
            sincePathCheck = 0
            for e in expressions { e.retirePathUseIfAllFound() }
        }
        do {
            for p in program.predicates where !(try vm.test(p, root: root)) {
                if !rawCheckFirst && Self.isRawLog(root) { try writeLine(line, output) } else { eventsIn += 1 }
                return
            }
            if let agg = aggregator {
                eventsIn += 1
                try agg.add(root, vm: &vm, rows: &rows)
                try writeRows(output)
                return
            }
            if let reshaped = try program.reshape(root, vm: &vm) {
                if case .object(let o) = reshaped, let k = FilterProgram.gainedReservedKey(o, from: root) {
                    throw ChainCastError.data("\(location): " + FilterProgram.reservedKeyMessage(k))
                }
                reshaped.writeJSON(to: &writer)
                try output.writeLine(&writer)
            } else {
                try writeLine(line, output)
            }
            eventsIn += 1
            eventsOut += 1
        } catch let e as FilterRuntimeError {
            if e.isStop { try SignalState.checkpoint() }
            if !rawCheckFirst && Self.isRawLog(root) {
                try writeLine(line, output)
                return
            }
            eventsIn += 1
            try runtimeError(e, root: root, location: location)
        }
    }

    /// Every compiled expression of the run, for the unresolved-path report.
    private var expressions: [CompiledExpression] {
        var all = program.predicates
        if let m = program.map { all.append(m) }
        all += program.setExpressions
        if let plan = aggregator?.plan { all += plan.keys + plan.aggregates.compactMap(\.argument) }
        return all
    }

    /// Whether the line holds `\u0024` ('$' escaped), which a "$cc" key may
    /// be written as. memchr finds the backslashes, which most lines lack.
    static func hasEscapedDollar(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = line.baseAddress else { return false }
        let n = line.count
        var i = 0
        while i < n, let p = memchr(base + i, 0x5C, n - i) {
            let at = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            if at + 5 < n, base[at + 1] == UInt8(ascii: "u"), base[at + 2] == UInt8(ascii: "0"),
                base[at + 3] == UInt8(ascii: "0"), base[at + 4] == UInt8(ascii: "2"), base[at + 5] == UInt8(ascii: "4")
            {
                return true
            }
            i = at + 2  // past the escaped character ("\\" escapes a backslash)
        }
        return false
    }

    @inline(__always) static func isRawLog(_ root: JSONValue) -> Bool {
        root["topics"] != nil && root["event"] == nil
    }

    /// End of input: the last window's rows and a summary of dropped events.
    package mutating func finish(output: OutputWriter) throws {
        if let agg = aggregator {
            agg.finish(rows: &rows)
            try writeRows(output)
        }
        try output.flush()
        for w in samples.warnings(for: expressions, events: eventsIn) { Diagnostics.error("cc-filter", w) }
        if runtimeErrors > 0 {
            Diagnostics.error(
                "cc-filter",
                "\(runtimeErrors) event\(runtimeErrors == 1 ? "" : "s") dropped by runtime errors (use --strict to stop at the first)"
            )
        }
        if invalidLines > 0 {
            Diagnostics.error("cc-filter", "skipped \(invalidLines) invalid line\(invalidLines == 1 ? "" : "s")")
        }
        if rawDropped > 0 && !options.dropRaw {
            Diagnostics.error(
                "cc-filter",
                "warning: dropped \(rawDropped) raw (undecoded) log\(rawDropped == 1 ? "" : "s"): --agg aggregates "
                    + "decoded events only (decode them first with cc-decode, or --drop-raw to silence this)")
        }
    }

    @inline(__always) private func writeLine(_ line: UnsafeBufferPointer<UInt8>, _ output: OutputWriter) throws {
        try output.write(line)
        try output.write(Self.newline)
    }

    private static let newline: [UInt8] = [10]

    private mutating func writeRows(_ output: OutputWriter) throws {
        guard !rows.isEmpty else { return }
        for r in rows {
            r.writeJSON(to: &writer)
            try output.writeLine(&writer)
            eventsOut += 1
        }
        rows.removeAll(keepingCapacity: true)
    }

    private mutating func invalid(_ message: String) throws {
        guard options.skipInvalid else {
            throw ChainCastError.data(message + " (--skip-invalid skips such lines)")
        }
        invalidLines += 1
        if invalidLines <= options.maxReportedErrors { Diagnostics.error("cc-filter", "warning: " + message) }
    }

    private mutating func runtimeError(_ e: FilterRuntimeError, root: JSONValue, location: InputLocation) throws {
        var whereText = location.description
        if let b = root["blockNumber"]?.quantity {
            whereText += " (block \(b)"
            if let l = root["logIndex"]?.quantity { whereText += ", log \(l)" }
            whereText += ")"
        }
        let message = "\(whereText): \(e.message)"
        if options.strict { throw ChainCastError.data(message) }
        runtimeErrors += 1
        if runtimeErrors <= options.maxReportedErrors {
            Diagnostics.error("cc-filter", message + "; event dropped")
        } else if runtimeErrors == options.maxReportedErrors + 1 {
            Diagnostics.error("cc-filter", "further runtime errors are counted but not shown")
        }
    }
}
