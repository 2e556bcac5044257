import CCJSON

/// Running state of `--group-by`/`--agg`: groups of the open window, and the
/// rows they become when the window closes. Sums are exact Int512.
/// A class: the stream loop holds one and mutates it per event, and a
/// struct this size would be copied (a retain per field) on every access.
///
/// Its stored state is `@exclusivity(unchecked)`: one thread uses an
/// aggregator and no method re-enters another, so accesses never overlap,
/// and the dynamic checks cost ~8% of a group-by.
final class FilterAggregator {
    let plan: AggregationPlan

    private struct Accumulator {
        var count = 0
        var sum = Int512.zero
        var best: FilterValue? = nil
        var seen: Set<[UInt8]> = []
    }

    /// Group keys are the JSON text of the key value; hashed as one block of
    /// bytes (Hasher's per-byte path is far slower).
    private struct GroupKey: Hashable {
        var bytes: [UInt8]
        func hash(into h: inout Hasher) { bytes.withUnsafeBytes { h.combine(bytes: $0) } }
    }

    @exclusivity(unchecked) private var groups: [GroupKey: Int] = [:]
    /// Keys in order of first appearance; group g's accumulators are
    /// `accs[g * kinds.count ..< (g + 1) * kinds.count]`, one flat array so
    /// an update touches one cache line instead of chasing a pointer per group.
    @exclusivity(unchecked) private var order: [FilterValue] = []
    @exclusivity(unchecked) private var accs: [Accumulator] = []
    @exclusivity(unchecked) private var keyBuffer = JSONWriter(capacity: 256)
    // Per-event scratch, reused so adding an event allocates nothing.
    @exclusivity(unchecked) private var argValues: [FilterValue] = []
    @exclusivity(unchecked) private var numbers: [Int512?] = []
    @exclusivity(unchecked) private var newSums: [Int512] = []
    private let kinds: [AggregateSpec.Kind]
    private let arguments: [CompiledExpression?]
    private let opNames: [String]

    // The open window.
    @exclusivity(unchecked) private(set) var windowStart: UInt64? = nil  // block or time bucket start
    @exclusivity(unchecked) private var minBlock: UInt64? = nil
    @exclusivity(unchecked) private var maxBlock: UInt64? = nil
    /// The block after the previous marker, for `--window marker` ranges.
    @exclusivity(unchecked) private var nextFromBlock: UInt64? = nil

    init(plan: AggregationPlan) {
        self.plan = plan
        kinds = plan.aggregates.map(\.kind)
        arguments = plan.aggregates.map(\.argument)
        opNames = plan.aggregates.map { $0.kind.rawValue + "()" }
        argValues.reserveCapacity(kinds.count)
        numbers.reserveCapacity(kinds.count)
        newSums.reserveCapacity(kinds.count)
    }

    /// Adds one event. Every expression is evaluated before anything is
    /// applied, so an event with a runtime error leaves no partial trace.
    /// Appends the rows of a window this event closed (block/time windows).
    func add(_ root: JSONValue, vm: inout FilterVM, rows: inout [FilterValue]) throws(FilterRuntimeError) {
        // The scratch values are views of this line: none may survive it
        // (they would also keep the line's tape from being reused).
        defer { argValues.removeAll(keepingCapacity: true) }
        let block = root["blockNumber"].flatMap { $0.quantity }
        var bucket: UInt64? = nil
        switch plan.window {
        case .blocks(let n):
            guard let b = block else { throw FilterRuntimeError("--window blocks needs blockNumber in the event") }
            bucket = b - b % n
        case .time(let n):
            guard let t = root["blockTimestamp"].flatMap({ $0.quantity }) else {
                throw FilterRuntimeError("--window time needs blockTimestamp in the event (cc-fetch --with-timestamps)")
            }
            bucket = t - t % n
        case .end, .marker: break
        }
        keyBuffer.reset()
        var keyValue: FilterValue = .null
        if plan.keys.count == 1 {
            keyValue = try vm.evaluate(plan.keys[0], root: root)
        } else if plan.keys.count > 1 {
            var items: [FilterValue] = []
            for k in plan.keys { items.append(try vm.evaluate(k, root: root)) }
            keyValue = .list(items)
        }
        keyValue.writeGroupKey(to: &keyBuffer)
        argValues.removeAll(keepingCapacity: true)
        numbers.removeAll(keepingCapacity: true)
        for i in 0..<kinds.count {
            let v: FilterValue
            if let e = arguments[i] { v = try vm.evaluate(e, root: root) } else { v = .bool(true) }
            switch kinds[i] {
            case .sum, .avg: numbers.append(try v.number(for: opNames[i]))
            default: numbers.append(nil)
            }
            argValues.append(v)
        }
        if let bucket, let start = windowStart, bucket != start {
            flush(into: &rows)
        }
        if let bucket { windowStart = bucket }
        var gi: Int
        if let existing = groups[GroupKey(bytes: keyBuffer.bytes)] {
            gi = existing
        } else {
            gi = order.count
            groups[GroupKey(bytes: keyBuffer.bytes)] = gi
            order.append(keyValue.detached())
            accs.append(contentsOf: repeatElement(Accumulator(), count: kinds.count))
        }
        gi *= kinds.count  // from here on, the group's first accumulator
        // New sums first, so an overflow leaves the group untouched.
        newSums.removeAll(keepingCapacity: true)
        for i in 0..<kinds.count {
            guard let n = numbers[i] else {
                newSums.append(.zero)
                continue
            }
            do { newSums.append(try accs[gi + i].sum.adding(n)) } catch {
                throw FilterRuntimeError.arithmetic(error, opNames[i])
            }
        }
        for i in 0..<kinds.count {
            let v = argValues[i]
            switch kinds[i] {
            case .count:
                if !v.isNull { accs[gi + i].count += 1 }
            case .sum, .avg:
                if numbers[i] != nil {
                    accs[gi + i].sum = newSums[i]
                    accs[gi + i].count += 1
                }
            case .min, .max:
                guard !v.isNull else { continue }
                if let best = accs[gi + i].best {
                    if let c = try? FilterComparison.order(v, best, opNames[i]), kinds[i] == .min ? c < 0 : c > 0 {
                        accs[gi + i].best = v.detached()
                    }
                } else {
                    accs[gi + i].best = v.detached()
                }
            case .first:
                if accs[gi + i].count == 0 {
                    accs[gi + i].best = v.detached()
                    accs[gi + i].count = 1
                }
            case .last:
                accs[gi + i].best = v.detached()
            case .distinct:
                guard !v.isNull else { continue }
                var w = JSONWriter(capacity: 64)
                v.detached().writeJSON(to: &w)
                accs[gi + i].seen.insert(w.bytes)
            }
        }
        if let b = block {
            minBlock = Swift.min(minBlock ?? b, b)
            maxBlock = Swift.max(maxBlock ?? b, b)
        }
    }

    /// A checkpoint marker at `block`: closes `--window marker` windows, and
    /// block windows that end at or before it. Rows go before the marker.
    func marker(block: UInt64?, rows: inout [FilterValue]) {
        switch plan.window {
        case .marker:
            flush(into: &rows, markerBlock: block)
            if let block { nextFromBlock = block == .max ? block : block + 1 }
        case .blocks(let n):
            if let block, let start = windowStart, Self.rangeEnd(start, n) <= block { flush(into: &rows) }
        case .end, .time: break
        }
    }

    /// A rewind record: everything above `block` is retracted upstream. An
    /// open window that only holds events above it is dropped (its events
    /// come again); false when the window also holds events at or below
    /// the block, which an aggregate cannot take apart (kept as it is).
    func rewind(block: UInt64) -> Bool {
        if case .marker = plan.window, let next = nextFromBlock, next > block { nextFromBlock = block + 1 }
        guard let low = minBlock else { return true }
        if low > block {
            clearWindow()
            return true
        }
        return (maxBlock ?? 0) <= block
    }

    private func clearWindow() {
        groups.removeAll(keepingCapacity: true)
        order.removeAll(keepingCapacity: true)
        accs.removeAll(keepingCapacity: true)
        windowStart = nil
        minBlock = nil
        maxBlock = nil
    }

    func finish(rows: inout [FilterValue]) {
        flush(into: &rows)
    }

    private func flush(into rows: inout [FilterValue], markerBlock: UInt64? = nil) {
        defer { clearWindow() }
        guard !order.isEmpty else { return }
        var window = FilterObject()
        func num(_ v: UInt64?) -> FilterValue { v.map { .int(Int512($0)) } ?? .null }
        switch plan.window {
        case .blocks(let n):
            window.set(Array("fromBlock".utf8), num(windowStart))
            window.set(Array("toBlock".utf8), num(windowStart.map { Self.rangeEnd($0, n) }))
        case .time(let n):
            window.set(Array("fromTime".utf8), num(windowStart))
            window.set(Array("toTime".utf8), num(windowStart.map { Self.rangeEnd($0, n) }))
            window.set(Array("fromBlock".utf8), num(minBlock))
            window.set(Array("toBlock".utf8), num(maxBlock))
        case .marker:
            window.set(Array("fromBlock".utf8), num(nextFromBlock ?? minBlock))
            window.set(Array("toBlock".utf8), num(markerBlock ?? maxBlock))
        case .end:
            window.set(Array("fromBlock".utf8), num(minBlock))
            window.set(Array("toBlock".utf8), num(maxBlock))
        }
        var windowRows: [FilterValue] = []
        var sortValues: [FilterValue] = []
        for (g, key) in order.enumerated() {
            var row = FilterObject()
            row.set(Array("window".utf8), .object(window))
            if !plan.keys.isEmpty { row.set(Array("key".utf8), key) }
            for (i, a) in plan.aggregates.enumerated() {
                let acc = accs[g * kinds.count + i]
                let v: FilterValue
                switch a.kind {
                case .count: v = .int(Int512(acc.count))
                case .sum: v = .string(acc.sum.decimalString)
                case .avg: v = acc.count == 0 ? .null : .string(Self.average(acc.sum, acc.count))
                case .min, .max, .first, .last: v = acc.best.map(Self.exact) ?? .null
                case .distinct: v = .int(Int512(acc.seen.count))
                }
                row.set(a.name, v)
                if plan.sortColumn == i { sortValues.append(v) }
            }
            if plan.sortColumn == -1 { sortValues.append(key) }
            windowRows.append(.object(row))
        }
        if plan.sortColumn != nil {
            let desc = plan.sortDescending
            let ranked = windowRows.indices.sorted { x, y in
                let c = Self.sortOrder(sortValues[x], sortValues[y], descending: desc)
                return c != 0 ? c < 0 : x < y  // ties keep the order of first appearance
            }
            windowRows = ranked.map { windowRows[$0] }
        }
        if let limit = plan.limit, windowRows.count > limit { windowRows.removeLast(windowRows.count - limit) }
        rows.append(contentsOf: windowRows)
    }

    /// `--sort`: numbers and numeric strings (sums, exact averages) by
    /// value, other strings by bytes, other values by their JSON text;
    /// nulls last in both directions.
    static func sortOrder(_ a: FilterValue, _ b: FilterValue, descending: Bool) -> Int {
        if a.isNull || b.isNull { return a.isNull == b.isNull ? 0 : (a.isNull ? 1 : -1) }
        var c: Int
        if let x = a.stringBytes ?? (a.isNumber ? a.textForm : nil),
            let y = b.stringBytes ?? (b.isNumber ? b.textForm : nil),
            let d = compareDecimalText(x, y)
        {
            c = d
        } else if let d = try? FilterComparison.order(a, b, "--sort") {
            c = d
        } else {
            var wa = JSONWriter(capacity: 64), wb = JSONWriter(capacity: 64)
            a.writeJSON(to: &wa)
            b.writeJSON(to: &wb)
            c = wa.bytes.lexicographicallyPrecedes(wb.bytes) ? -1 : (wa.bytes == wb.bytes ? 0 : 1)
        }
        return descending ? -c : c
    }

    /// Two decimals `-?digits(.digits)?` compared exactly, whatever their
    /// size; nil when either is something else.
    static func compareDecimalText(_ x: [UInt8], _ y: [UInt8]) -> Int? {
        func split(_ t: [UInt8]) -> (neg: Bool, int: ArraySlice<UInt8>, frac: ArraySlice<UInt8>)? {
            var s = t[...]
            let neg = s.first == UInt8(ascii: "-")
            if neg { s = s.dropFirst() }
            let dot = s.firstIndex(of: UInt8(ascii: "."))
            var i = s[..<(dot ?? s.endIndex)]
            var f = dot.map { s[($0 + 1)...] } ?? []
            guard !i.isEmpty, i.allSatisfy(filterIsDigit), f.allSatisfy(filterIsDigit), dot == nil || !f.isEmpty
            else { return nil }
            while i.count > 1, i.first == UInt8(ascii: "0") { i = i.dropFirst() }
            while f.last == UInt8(ascii: "0") { f = f.dropLast() }
            let zero = i == [UInt8(ascii: "0")] && f.isEmpty
            return (neg && !zero, i, f)
        }
        guard let a = split(x), let b = split(y) else { return nil }
        if a.neg != b.neg { return a.neg ? -1 : 1 }
        var c: Int
        if a.int.count != b.int.count {
            c = a.int.count < b.int.count ? -1 : 1
        } else if a.int != b.int {
            c = a.int.lexicographicallyPrecedes(b.int) ? -1 : 1
        } else {
            c = a.frac == b.frac ? 0 : (a.frac.lexicographicallyPrecedes(b.frac) ? -1 : 1)
        }
        return a.neg ? -c : c
    }

    /// Last block (or second) of the range starting at `start`; input
    /// quantities can be near UInt64.max, so it saturates instead of trapping.
    static func rangeEnd(_ start: UInt64, _ n: UInt64) -> UInt64 {
        let (end, overflow) = start.addingReportingOverflow(n - 1)
        return overflow ? .max : end
    }

    /// Numbers in min/max/first/last keep full precision: as decimal strings.
    private static func exact(_ v: FilterValue) -> FilterValue {
        if case .int(let n) = v { return .string(n.decimalString) }
        return v
    }

    /// Exact to 18 fractional digits, truncated, trailing zeros trimmed:
    /// "2.5", "3", "-0.333333333333333333".
    static func average(_ sum: Int512, _ count: Int) -> String {
        guard let scaled = try? sum.multiplied(by: Int512.pow10(18) ?? .one),
            let q = try? scaled.divided(by: Int512(count))
        else { return (try? sum.divided(by: Int512(count)).decimalString) ?? "0" }
        var s = String(decoding: DecimalUnits.format(q, decimals: 18), as: UTF8.self)
        if s.hasSuffix(".0") { s.removeLast(2) }
        if s == "-0" { s = "0" }
        return s
    }
}
