import CCJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs compiled expressions against one event at a time. One VM per
/// thread; it keeps its stack and regex cache between events so the
/// per-event path allocates nothing for typical filters.
package struct FilterVM {
    private var stack: [FilterValue] = []
    var builtins = FilterFunctionEvaluator()

    package init() {
        stack.reserveCapacity(64)
    }

    /// Evaluates `e` against the event `root` (nil for constant expressions).
    package mutating func evaluate(_ e: CompiledExpression, root: JSONValue?) throws(FilterRuntimeError) -> FilterValue
    {
        // A bare path (`args.to` as a group key or aggregate argument) skips the stack.
        if let p = e.singlePath {
            let v = Self.resolve(e.paths[p], root)
            if root != nil { e.notePath(p, found: v != nil) }
            return v.map(FilterValue.from) ?? .null
        }
        stack.removeAll(keepingCapacity: true)
        let code = e.code
        var pc = 0
        while pc < code.count {
            switch code[pc] {
            case .push(let i):
                stack.append(e.constants[i])
            case .load(let i):
                let v = Self.resolve(e.paths[i], root)
                if root != nil { e.notePath(i, found: v != nil) }
                stack.append(v.map(FilterValue.from) ?? .null)
            case .member(let k):
                let base = pop()
                stack.append(Self.member(base, e.keys, k))
            case .index:
                let idx = pop()
                let base = pop()
                stack.append(try Self.index(base, idx))
            case .negate:
                let v = pop()
                if let n = try v.number(for: "-") { stack.append(.int(n.negated)) } else { stack.append(.null) }
            case .not:
                let v = pop()
                stack.append(.bool(!v.truthy))
            case .arith(let op):
                let b = pop()
                let a = pop()
                stack.append(try Self.arith(op, a, b))
            case .compare(let op):
                let b = pop()
                let a = pop()
                stack.append(.bool(try Self.compare(op, a, b)))
            case .contains(let negated):
                let list = pop()
                let el = pop()
                if let r = try FilterComparison.contains(list, el) {
                    stack.append(.bool(r != negated))
                } else {
                    stack.append(.bool(false))
                }
            case .andJump(let target):
                if !pop().truthy {
                    stack.append(.bool(false))
                    pc = target
                    continue
                }
            case .orJump(let target):
                if pop().truthy {
                    stack.append(.bool(true))
                    pc = target
                    continue
                }
            case .toBool:
                let v = pop()
                stack.append(.bool(v.truthy))
            case .jumpIfFalsy(let target):
                if !pop().truthy {
                    pc = target
                    continue
                }
            case .jump(let target):
                pc = target
                continue
            case .call(let fn, let argc):
                let args = Array(stack[(stack.count - argc)...])
                stack.removeLast(argc)
                stack.append(try builtins.call(fn, args))
            case .makeList(let n):
                let items = Array(stack[(stack.count - n)...])
                stack.removeLast(n)
                stack.append(.list(items))
            case .makeObject(let s), .makeObjectKeepingEvent(let s):
                let shape = e.objectShapes[s]
                var o = FilterObject()
                if case .makeObjectKeepingEvent = code[pc], let root {
                    root.forEachMember { k, v in o.set(FilterValue.from(k).stringBytes ?? [], FilterValue.from(v)) }
                }
                let base = stack.count - shape.count
                for (i, key) in shape.enumerated() { o.set(key, stack[base + i]) }
                stack.removeLast(shape.count)
                stack.append(.object(o))
            case .loadEqualsString(let p, _, _, _), .loadCompareNumber(let p, _, _, _):
                let at = root.map { r in
                    e.paths[p].steps.withUnsafeBufferPointer { Self.resolveIndex($0, r.tape, r.index) }
                }
                if let at { e.notePath(p, found: at >= 0) }
                stack.append(.bool(try Self.superinstruction(code[pc], e, root?.tape, at ?? -1)))
            }
            pc += 1
        }
        return stack.popLast() ?? .null
    }

    /// Predicate form: true when the expression's value is truthy.
    package mutating func test(_ e: CompiledExpression, root: JSONValue) throws(FilterRuntimeError) -> Bool {
        if let parts = e.conjuncts {
            // The line's tape outlives this call (the caller holds `root`), so
            // the walk borrows it without retaining it per step.
            unowned(unsafe) let tape = root.tape
            for i in 0..<parts.count where !(try Self.testConjunct(parts[i], e, tape, root.index)) { return false }
            return true
        }
        return try evaluate(e, root: root).truthy
    }

    @inline(__always) static func testConjunct(
        _ c: CompiledExpression.Conjunct, _ e: CompiledExpression, _ tape: JSONTape, _ root: Int
    ) throws(FilterRuntimeError) -> Bool {
        let at = resolveIndex(c.steps, tape, root)
        e.notePath(c.path, found: at >= 0)
        return try superinstruction(c.instr, e, tape, at)
    }

    /// `.loadEqualsString` or `.loadCompareNumber` on the value at tape index
    /// `at` (-1: the path found nothing): raw bytes when the scanned string
    /// has no escapes, digits compared without conversion, else the general
    /// comparison.
    @inline(__always) static func superinstruction(
        _ instr: FilterInstr, _ e: CompiledExpression, _ tape: JSONTape?, _ at: Int
    ) throws(FilterRuntimeError) -> Bool {
        switch instr {
        case .loadEqualsString(_, let constant, let bytes, let negated):
            guard at >= 0, let tape else { return negated }  // null equals no string
            let entry = tape.entries[at]
            if entry.kindBits == JSONKind.string.rawValue && entry.meta & TapeEntry.hasEscapes == 0 {
                let contents = UnsafeBufferPointer(
                    start: tape.base + Int(entry.start) + 1, count: Int(entry.end - entry.start) - 2)
                return filterBytesEqualHexInsensitive(contents, bytes) != negated
            }
            return FilterComparison.equal(FilterValue.from(JSONValue(tape: tape, index: at)), e.constants[constant])
                != negated
        case .loadCompareNumber(_, let op, let constant, let digits):
            if at >= 0, let tape, let digits {
                let entry = tape.entries[at]
                var text: UnsafeBufferPointer<UInt8>? = nil
                if entry.kindBits == JSONKind.string.rawValue && entry.meta & TapeEntry.hasEscapes == 0 {
                    text = UnsafeBufferPointer(
                        start: tape.base + Int(entry.start) + 1, count: Int(entry.end - entry.start) - 2)
                } else if entry.kindBits == JSONKind.number.rawValue {
                    text = UnsafeBufferPointer(start: tape.base + Int(entry.start), count: Int(entry.end - entry.start))
                }
                if let text, let r = compareDigits(text, digits) { return holds(op, r) }
            }
            var value = FilterValue.null
            if at >= 0, let tape { value = FilterValue.from(JSONValue(tape: tape, index: at)) }
            return try compare(op, value, e.constants[constant])
        default:
            return false  // conjuncts holds only the two cases above
        }
    }

    /// `resolve` over the tape directly: the index of the value at `steps`
    /// from the value at `index`, or -1 when a step finds nothing.
    @inline(__always) static func resolveIndex(
        _ steps: UnsafeBufferPointer<CompiledPath.Step>, _ tape: JSONTape, _ index: Int
    ) -> Int {
        var cur = index
        for step in steps {
            switch step {
            case .key(let k):
                cur = JSONValue.memberIndex(tape, cur, k)
                if cur < 0 { return -1 }
            case .index(let i):
                let v = JSONValue(tape: tape, index: cur)
                guard v.kind == .array else { return -1 }
                let idx = i < 0 ? v.count + i : i
                guard idx >= 0, let next = v[idx] else { return -1 }
                cur = next.index
            }
        }
        return cur
    }

    mutating func evaluateConstant(_ e: CompiledExpression) throws(FilterRuntimeError) -> FilterValue {
        try evaluate(e, root: nil)
    }

    @inline(__always) private mutating func pop() -> FilterValue {
        stack.popLast() ?? .null
    }

    // MARK: - Operations

    @inline(__always) static func resolve(_ p: CompiledPath, _ root: JSONValue?) -> JSONValue? {
        guard let root else { return nil }
        let i = p.steps.withUnsafeBufferPointer { resolveIndex($0, root.tape, root.index) }
        return i < 0 ? nil : JSONValue(tape: root.tape, index: i)
    }

    /// Compares a plain decimal (a decoded uint string or a JSON integer)
    /// with a non-negative constant's digits by length, then bytes: no
    /// conversion. `p` is a string's contents or a number's text. Nil when
    /// the value is anything else (sign, hex, fraction).
    @inline(__always) static func compareDigits(_ p: UnsafeBufferPointer<UInt8>, _ d: UnsafeBufferPointer<UInt8>)
        -> Int?
    {
        guard p.count > 0, d.count > 0 else { return nil }
        var start = 0
        for k in 0..<p.count {
            let c = p[k]
            if c &- 48 > 9 { return nil }
            if c == 48 && start == k && k < p.count - 1 { start += 1 }
        }
        let n = p.count - start
        if n != d.count { return n < d.count ? -1 : 1 }
        let r = memcmp(p.baseAddress! + start, d.baseAddress!, n)
        return r < 0 ? -1 : (r > 0 ? 1 : 0)
    }

    @inline(__always) static func holds(_ op: FilterBinaryOp, _ c: Int) -> Bool {
        switch op {
        case .eq: return c == 0
        case .ne: return c != 0
        case .lt: return c < 0
        case .le: return c <= 0
        case .gt: return c > 0
        default: return c >= 0
        }
    }

    static func member(_ base: FilterValue, _ keys: FilterKeyTable, _ k: Int) -> FilterValue {
        switch base {
        case .json(let j):
            guard j.kind == .object, let m = j.member(keys.bytes(k)) else { return .null }  // computed member: cold
            return FilterValue.from(m)
        case .object(let o):
            return o[keys.strings[k]] ?? .null
        default:
            return .null
        }
    }

    static func index(_ base: FilterValue, _ idx: FilterValue) throws(FilterRuntimeError) -> FilterValue {
        if base.isNull || idx.isNull { return .null }
        if let key = idx.stringBytes {
            switch base {
            case .json(let j):
                guard j.kind == .object else { return .null }
                return key.withUnsafeBufferPointer { j.member($0) }.map(FilterValue.from) ?? .null
            case .object(let o): return o[key] ?? .null
            default: return .null
            }
        }
        guard let n = try idx.number(for: "[]") else { return .null }
        guard let i = n.int else { return .null }
        switch base {
        case .json(let j):
            guard j.kind == .array else { return .null }
            let k = i < 0 ? j.count + i : i
            guard k >= 0, let v = j[k] else { return .null }
            return FilterValue.from(v)
        case .list(let items):
            let k = i < 0 ? items.count + i : i
            return k >= 0 && k < items.count ? items[k] : .null
        default:
            return .null
        }
    }

    static func arith(_ op: FilterBinaryOp, _ a: FilterValue, _ b: FilterValue) throws(FilterRuntimeError)
        -> FilterValue
    {
        guard let x = try a.number(for: op.rawValue), let y = try b.number(for: op.rawValue) else { return .null }
        do {
            switch op {
            case .add: return .int(try x.adding(y))
            case .sub: return .int(try x.subtracting(y))
            case .mul: return .int(try x.multiplied(by: y))
            case .div: return .int(try x.divided(by: y))
            case .mod: return .int(try x.remainder(dividingBy: y))
            case .pow: return .int(try x.power(y))
            default: return .null
            }
        } catch {
            throw FilterRuntimeError.arithmetic(error, op.rawValue)
        }
    }

    static func compare(_ op: FilterBinaryOp, _ a: FilterValue, _ b: FilterValue) throws(FilterRuntimeError) -> Bool {
        switch op {
        case .eq: return FilterComparison.equal(a, b)
        case .ne: return !FilterComparison.equal(a, b)
        default:
            guard let c = try FilterComparison.order(a, b, op.rawValue) else { return false }
            switch op {
            case .lt: return c < 0
            case .le: return c <= 0
            case .gt: return c > 0
            default: return c >= 0
            }
        }
    }

}
