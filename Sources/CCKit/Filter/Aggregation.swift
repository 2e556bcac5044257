import CCCore

/// When aggregated rows are written.
package enum AggregationWindow: Equatable, Sendable {
    /// One window over the whole input, written at the end.
    case end
    /// Aligned block ranges [k*N, k*N+N-1].
    case blocks(UInt64)
    /// Aligned ranges of `blockTimestamp` seconds.
    case time(UInt64)
    /// Each checkpoint marker closes the window.
    case marker

    /// `blocks:1000`, `time:1h` (s, m, h, d), `marker`, `end`.
    package init(parsing text: String) throws(ChainCastError) {
        if text == "marker" {
            self = .marker
            return
        }
        if text == "end" {
            self = .end
            return
        }
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else {
            throw .usage("--window: expected blocks:N, time:DURATION (30s, 5m, 1h, 1d), marker or end, got '\(text)'")
        }
        if parts[0] == "blocks", let n = UInt64(parts[1]), n > 0 {
            self = .blocks(n)
            return
        }
        if parts[0] == "time", let last = parts[1].last {
            let unit: UInt64? = ["s": 1, "m": 60, "h": 3600, "d": 86400][String(last)]
            let digits = unit == nil ? parts[1] : String(parts[1].dropLast())
            if let n = UInt64(digits), n > 0, n <= 1 << 40 {
                self = .time(n * (unit ?? 1))
                return
            }
        }
        throw .usage("--window: expected blocks:N, time:DURATION (30s, 5m, 1h, 1d), marker or end, got '\(text)'")
    }
}

/// One aggregate column: `sum(args.value)` written as `"sum"`.
struct AggregateSpec {
    enum Kind: String, CaseIterable { case count, sum, min, max, avg, first, last, distinct }
    var kind: Kind
    var name: [UInt8]
    var argument: CompiledExpression?
}

/// `--group-by` and `--agg`, compiled.
package struct AggregationPlan {
    var keys: [CompiledExpression] = []
    var aggregates: [AggregateSpec] = []
    package var window: AggregationWindow = .end
    /// `--sort COLUMN[:desc]`: index into the row's columns (-1: the key).
    var sortColumn: Int? = nil
    var sortDescending = false
    /// `--limit N`: rows per window, after sorting.
    package var limit: Int? = nil

    /// `--sort key`, `--sort sum:desc`, `--sort total:asc`: a column of the rows.
    package mutating func setSort(_ text: String) throws(FilterCompileError) {
        var name = Substring(text)
        if name.hasSuffix(":desc") {
            sortDescending = true
            name = name.dropLast(5)
        } else if name.hasSuffix(":asc") {
            name = name.dropLast(4)
        }
        if name == "key" && !keys.isEmpty {
            sortColumn = -1
            return
        }
        if let i = aggregates.firstIndex(where: { $0.name == Array(name.utf8) }) {
            sortColumn = i
            return
        }
        let columns = (keys.isEmpty ? [] : ["key"]) + aggregates.map { String(decoding: $0.name, as: UTF8.self) }
        throw FilterCompileError(
            "no column \(filterQuoted(String(name))); the rows have \(columns.joined(separator: ", ")) "
                + "(add :desc for largest first)",
            at: 0, in: text, origin: "--sort")
    }

    package init(groupBy: String?, aggregates text: String, window: AggregationWindow) throws(FilterCompileError) {
        self.window = window
        if let g = groupBy {
            for (i, n) in try Self.parseList(g, origin: "--group-by").enumerated() {
                _ = i
                keys.append(try FilterCompiler.compile(n, source: g, origin: "--group-by"))
            }
        }
        let isObject = text.filterTrimmedLeading.hasPrefix("{")
        let entries: [(String?, ExprNode)]
        if isObject {
            let node = try FilterParser.parse(text, origin: "--agg")
            guard case .object(let es, _) = node.kind else {
                throw FilterCompileError("expected {name: aggregate(…), …}", at: 0, in: text, origin: "--agg")
            }
            entries = es.map { ($0.key, $0.value) }
        } else {
            entries = try Self.parseList(text, origin: "--agg").map { (nil, $0) }
        }
        var used: Set<[UInt8]> = []
        for (alias, node) in entries {
            guard case .call(let name, let args) = node.kind, let kind = AggregateSpec.Kind(rawValue: name) else {
                throw FilterCompileError(
                    "expected an aggregate: count(), sum(x), min(x), max(x), avg(x), first(x), last(x), distinct(x)",
                    at: node.offset, in: text, origin: "--agg")
            }
            if kind == .count ? args.count > 1 : args.count != 1 {
                throw FilterCompileError(
                    "\(name)() takes \(kind == .count ? "zero or one argument" : "one argument")",
                    at: node.offset, in: text, origin: "--agg")
            }
            let arg = try args.first.map { a throws(FilterCompileError) in
                try FilterCompiler.compile(a, source: text, origin: "--agg")
            }
            var colName = Array((alias ?? name).utf8)
            if used.contains(colName), alias == nil {
                colName = Array(node.text.utf8)
            }
            if used.contains(colName) {
                throw FilterCompileError(
                    "duplicate column \(filterQuoted(String(decoding: colName, as: UTF8.self))); use --agg '{name: \(name)(…), …}'",
                    at: node.offset, in: text, origin: "--agg")
            }
            if colName.first == FilterProgram.dollar {
                throw FilterCompileError(
                    FilterProgram.reservedKeyMessage(String(decoding: colName, as: UTF8.self)),
                    at: node.offset, in: text, origin: "--agg")
            }
            used.insert(colName)
            aggregates.append(AggregateSpec(kind: kind, name: colName, argument: arg))
        }
        if aggregates.isEmpty {
            throw FilterCompileError(
                "--agg needs at least one aggregate, e.g. 'count(), sum(args.value)'",
                at: 0, in: text, origin: "--agg")
        }
    }

    /// `a, b, c` parsed as the list `[a, b, c]`, with error columns mapped back.
    static func parseList(_ text: String, origin: String) throws(FilterCompileError) -> [ExprNode] {
        do throws(FilterCompileError) {
            let node = try FilterParser.parse("[" + text + "]", origin: origin, hiddenPrefix: 1)
            // `a] + [b` closes the wrapping brackets itself.
            guard case .list(var items) = node.kind else {
                throw FilterCompileError(
                    "expected a comma-separated list of expressions", at: 1, in: text, origin: origin)
            }
            for i in items.indices { items[i].shift(-1) }
            if items.isEmpty {
                throw FilterCompileError("expected at least one expression", at: 0, in: text, origin: origin)
            }
            return items
        } catch {
            var e = error
            e.source = text
            e.offset = max(0, min(e.offset - 1, text.utf8.count))
            throw e
        }
    }
}

extension String {
    var filterTrimmedLeading: Substring {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" { s.removeFirst() }
        return s
    }
}

extension ExprNode {
    /// Moves every offset, for nodes parsed from a wrapped copy of the text.
    mutating func shift(_ d: Int) {
        offset += d
        switch kind {
        case .list(var items):
            for i in items.indices { items[i].shift(d) }
            kind = .list(items)
        case .object(var es, let keep):
            for i in es.indices { es[i].value.shift(d) }
            kind = .object(es, keepRest: keep)
        case .member(var b, let k):
            b.shift(d)
            kind = .member(b, k)
        case .index(var b, var i):
            b.shift(d)
            i.shift(d)
            kind = .index(b, i)
        case .negate(var x):
            x.shift(d)
            kind = .negate(x)
        case .not(var x):
            x.shift(d)
            kind = .not(x)
        case .binary(let op, var a, var b):
            a.shift(d)
            b.shift(d)
            kind = .binary(op, a, b)
        case .and(var a, var b):
            a.shift(d)
            b.shift(d)
            kind = .and(a, b)
        case .or(var a, var b):
            a.shift(d)
            b.shift(d)
            kind = .or(a, b)
        case .conditional(var c, var a, var b):
            c.shift(d)
            a.shift(d)
            b.shift(d)
            kind = .conditional(c, a, b)
        case .call(let n, var args):
            for i in args.indices { args[i].shift(d) }
            kind = .call(n, args)
        case .contains(var e, var l, let neg):
            e.shift(d)
            l.shift(d)
            kind = .contains(element: e, list: l, negated: neg)
        case .int, .string, .bool, .null, .field: break
        }
    }
}
