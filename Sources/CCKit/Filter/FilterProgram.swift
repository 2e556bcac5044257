import CCJSON

/// Everything cc-filter does to one event, compiled once from the command
/// line: predicates (all must hold), then `--map`, `--set`, `--del`.
package struct FilterProgram {
    package var predicates: [CompiledExpression] = []
    package var map: CompiledExpression?
    var sets: [(path: [FilterPathSegment], expr: CompiledExpression)] = []
    var deletes: [[FilterPathSegment]] = []

    package init() {}

    /// True when events pass through unmodified, so the input line can be
    /// copied to the output byte for byte.
    package var passesThroughVerbatim: Bool { map == nil && sets.isEmpty && deletes.isEmpty }

    var setExpressions: [CompiledExpression] { sets.map(\.expr) }

    package mutating func addPredicate(_ source: String, origin: String) throws(FilterCompileError) {
        predicates.append(try FilterCompiler.compile(source, origin: origin))
    }

    package mutating func setMap(_ source: String, origin: String = "--map") throws(FilterCompileError) {
        let node = try FilterParser.parse(source, origin: origin)
        guard case .object(let entries, _) = node.kind else {
            throw FilterCompileError(
                "--map needs an object such as {block: blockNumber, value: args.value}",
                at: node.offset, in: source, origin: origin)
        }
        for e in entries where e.key.utf8.first == Self.dollar {
            throw FilterCompileError(Self.reservedKeyMessage(e.key), at: e.value.offset, in: source, origin: origin)
        }
        map = try FilterCompiler.compile(node, source: source, origin: origin)
    }

    /// `KEY=EXPR`: the first `=` outside brackets and quotes that is not part
    /// of `==`, `!=`, `<=` or `>=`.
    package mutating func addSet(_ text: String) throws(FilterCompileError) {
        let b = Array(text.utf8)
        var depth = 0
        var inString = false
        var split: Int? = nil
        var i = 0
        while i < b.count {
            let c = b[i]
            if inString {
                if c == UInt8(ascii: "\\") { i += 1 } else if c == UInt8(ascii: "\"") { inString = false }
            } else if c == UInt8(ascii: "\"") {
                inString = true
            } else if c == UInt8(ascii: "[") {
                depth += 1
            } else if c == UInt8(ascii: "]") {
                depth -= 1
            } else if c == UInt8(ascii: "="), depth == 0 {
                split = i
                break
            }
            i += 1
        }
        guard let at = split else {
            throw FilterCompileError(
                "--set needs KEY=EXPR, e.g. --set 'valueEth=formatUnits(args.value, 18)'",
                at: b.count, in: text, origin: "--set")
        }
        let key = String(decoding: b[..<at], as: UTF8.self)
        let expr = String(decoding: b[(at + 1)...], as: UTF8.self)
        let path = try FilterParser.parsePath(key, origin: "--set key")
        try Self.refuseReserved(path, key, origin: "--set")
        sets.append((path, try FilterCompiler.compile(expr, origin: "--set \(key)")))
    }

    package mutating func addDelete(_ text: String) throws(FilterCompileError) {
        let path = try FilterParser.parsePath(text, origin: "--del")
        try Self.refuseReserved(path, text, origin: "--del")
        deletes.append(path)
    }

    static let dollar = UInt8(ascii: "$")

    /// Top-level keys beginning with `$` belong to control records (the
    /// stream contract): a filter that could write or delete them could
    /// forge a checkpoint marker or a rewind, or hide one.
    static func reservedKeyMessage(_ key: String) -> String {
        "the key \(filterQuoted(key)) is reserved: keys beginning with '$' are for control records "
            + "({\"$cc\": …}), which cc-filter forwards but never writes"
    }

    private static func refuseReserved(_ path: [FilterPathSegment], _ text: String, origin: String)
        throws(FilterCompileError)
    {
        if case .key(let k)? = path.first, k.utf8.first == dollar {
            throw FilterCompileError(reservedKeyMessage(k), at: 0, in: text, origin: origin)
        }
    }

    /// The run-time half of the rule, for keys no compile-time check can
    /// see: a reshaped record may keep a `$` key its event had, never gain one.
    static func gainedReservedKey(_ out: FilterObject, from root: JSONValue) -> String? {
        for k in out.keys where k.first == dollar {
            if k.withUnsafeBufferPointer({ root.member($0) }) == nil { return String(decoding: k, as: UTF8.self) }
        }
        return nil
    }

    /// Applies map/set/del; returns nil when the event is unchanged.
    mutating func reshape(_ root: JSONValue, vm: inout FilterVM) throws(FilterRuntimeError) -> FilterValue? {
        if passesThroughVerbatim { return nil }
        var obj: FilterObject
        if let map {
            guard case .object(let o) = try vm.evaluate(map, root: root) else {
                throw FilterRuntimeError("--map did not produce an object")
            }
            obj = o
        } else {
            obj = FilterValue.from(root).objectMembers ?? FilterObject()
        }
        for s in sets {
            let v = try vm.evaluate(s.expr, root: root)
            try FilterPathEditor.set(&obj, s.path[...], v)
        }
        for d in deletes { FilterPathEditor.delete(&obj, d[...]) }
        return .object(obj)
    }
}

/// In-place edits of nested objects for `--set` and `--del`. Scanned JSON
/// objects along the path become owned objects; everything else stays a
/// view into the input line.
enum FilterPathEditor {
    static func set(_ obj: inout FilterObject, _ path: ArraySlice<FilterPathSegment>, _ v: FilterValue)
        throws(FilterRuntimeError)
    {
        guard let first = path.first else { return }
        guard case .key(let k) = first else {
            throw FilterRuntimeError("--set path must start with a key")
        }
        let key = Array(k.utf8)
        let rest = path.dropFirst()
        if rest.isEmpty {
            obj.set(key, v)
            return
        }
        obj.set(key, try setIn(obj[key] ?? .null, rest, v))
    }

    private static func setIn(_ base: FilterValue, _ path: ArraySlice<FilterPathSegment>, _ v: FilterValue)
        throws(FilterRuntimeError) -> FilterValue
    {
        guard let first = path.first else { return v }
        let rest = path.dropFirst()
        switch first {
        case .key(let k):
            // A missing field becomes an object; an existing value of another
            // kind is an error, as for an index into a non-list, not lost.
            guard var o = base.objectMembers ?? (base.isNull ? FilterObject() : nil) else {
                throw FilterRuntimeError("--set .\(k): not an object")
            }
            let key = Array(k.utf8)
            o.set(key, rest.isEmpty ? v : try setIn(o[key] ?? .null, rest, v))
            return .object(o)
        case .index(let i):
            guard var items = base.elements else { throw FilterRuntimeError("--set [\(i)]: not a list") }
            let idx = i < 0 ? items.count + i : i
            guard idx >= 0 && idx < items.count else {
                throw FilterRuntimeError("--set [\(i)]: index out of range for a list of \(items.count)")
            }
            items[idx] = rest.isEmpty ? v : try setIn(items[idx], rest, v)
            return .list(items)
        }
    }

    static func delete(_ obj: inout FilterObject, _ path: ArraySlice<FilterPathSegment>) {
        guard case .key(let k)? = path.first else { return }
        let key = Array(k.utf8)
        let rest = path.dropFirst()
        if rest.isEmpty {
            obj.remove(key)
            return
        }
        guard let child = obj[key], let updated = deleteIn(child, rest) else { return }
        obj.set(key, updated)
    }

    private static func deleteIn(_ base: FilterValue, _ path: ArraySlice<FilterPathSegment>) -> FilterValue? {
        guard let first = path.first else { return nil }
        let rest = path.dropFirst()
        switch first {
        case .key(let k):
            guard var o = base.objectMembers else { return nil }
            let key = Array(k.utf8)
            if rest.isEmpty {
                o.remove(key)
            } else {
                guard let child = o[key], let updated = deleteIn(child, rest) else { return nil }
                o.set(key, updated)
            }
            return .object(o)
        case .index(let i):
            guard var items = base.elements else { return nil }
            let idx = i < 0 ? items.count + i : i
            guard idx >= 0 && idx < items.count else { return nil }
            if rest.isEmpty {
                items.remove(at: idx)
            } else {
                guard let updated = deleteIn(items[idx], rest) else { return nil }
                items[idx] = updated
            }
            return .list(items)
        }
    }
}
