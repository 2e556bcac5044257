/// Typed AST → bytecode. Type errors that can be seen without an event
/// (`"abc" - 1`, `lower(5)`, unknown functions, wrong arity) are reported
/// here, before any input is read. Constant subexpressions are folded, so
/// `10**18` costs nothing per event.
package enum FilterCompiler {
    package static func compile(_ source: String, origin: String = "expression") throws(FilterCompileError)
        -> CompiledExpression
    {
        let node = try FilterParser.parse(source, origin: origin)
        return try compile(node, source: source, origin: origin)
    }

    static func compile(_ node: ExprNode, source: String, origin: String) throws(FilterCompileError)
        -> CompiledExpression
    {
        // The passes recurse once per level of the tree (see FilterLargeStack).
        try FilterLargeStack.run { () throws(FilterCompileError) -> CompiledExpression in
            try generate(node, source: source, origin: origin)
        }
    }

    private static func generate(_ node: ExprNode, source: String, origin: String) throws(FilterCompileError)
        -> CompiledExpression
    {
        var c = FilterCodeGen(source: source, origin: origin)
        let folded = try c.fold(node)
        let t = try c.check(folded)
        c.emit(folded)
        if let parts = c.conjuncts(of: folded) { c.out.setConjuncts(parts) }
        if c.out.code.count == 1, case .load(let p) = c.out.code[0] { c.out.singlePath = p }
        c.out.resultType = t
        c.out.source = source
        c.out.maxStack = c.maxDepth + 4
        c.out.trackPathUse()
        return c.out
    }
}

struct FilterCodeGen {
    var out = CompiledExpression()
    let source: String
    let origin: String
    var depth = 0
    var maxDepth = 0
    private var pathIndex: [[FilterPathSegment]: Int] = [:]

    init(source: String, origin: String) {
        self.source = source
        self.origin = origin
    }

    func error(_ m: String, _ node: ExprNode) -> FilterCompileError {
        FilterCompileError(m, at: node.offset, in: source, origin: origin)
    }

    // MARK: - Types

    mutating func check(_ node: ExprNode) throws(FilterCompileError) -> FilterType {
        switch node.kind {
        case .int: return .number
        case .string: return .string
        case .bool: return .bool
        case .null: return .null
        case .list(let items):
            for i in items { _ = try check(i) }
            return .list
        case .object(let entries, _):
            for e in entries { _ = try check(e.value) }
            return .object
        case .field: return .any
        case .member(let base, let key):
            let t = try check(base)
            if t == .number || t == .bool || t == .string || t == .list {
                throw error("a \(t.name) has no field \(filterQuoted(key))", node)
            }
            return .any
        case .index(let base, let idx):
            let t = try check(base)
            let it = try check(idx)
            if t == .number || t == .bool || t == .string {
                throw error("cannot index a \(t.name)", node)
            }
            if it == .bool || it == .list || it == .object { throw error("an index must be a number or a key", idx) }
            return .any
        case .negate(let x):
            try requireNumber(x, try check(x), "unary '-'")
            return .number
        case .not(let x):
            _ = try check(x)
            return .bool
        case .binary(let op, let a, let b):
            let ta = try check(a), tb = try check(b)
            switch op {
            case .eq, .ne: return .bool
            case .lt, .le, .gt, .ge:
                for (n, t) in [(a, ta), (b, tb)] where t == .bool || t == .list || t == .object {
                    throw error("'\(op.rawValue)' cannot order a \(t.name)", n)
                }
                return .bool
            default:
                try requireNumber(a, ta, "'\(op.rawValue)'")
                try requireNumber(b, tb, "'\(op.rawValue)'")
                return .number
            }
        case .and(let a, let b), .or(let a, let b):
            _ = try check(a)
            _ = try check(b)
            return .bool
        case .conditional(let c, let a, let b):
            _ = try check(c)
            let ta = try check(a), tb = try check(b)
            return ta == tb ? ta : .any
        case .contains(let e, let l, _):
            _ = try check(e)
            let tl = try check(l)
            if tl != .list && tl != .any && tl != .null {
                throw error("'in' needs a list on its right, got a \(tl.name)", l)
            }
            return .bool
        case .call(let name, let args):
            guard let fn = FilterFunction(rawValue: name) else {
                if ["count", "sum", "avg", "first", "last", "distinct"].contains(name) {
                    throw error("\(name)() is an aggregate; use it in --agg", node)
                }
                let names = FilterFunction.allCases.map(\.rawValue).joined(separator: ", ")
                throw error("unknown function '\(name)'; functions are: \(names)", node)
            }
            if !fn.arity.contains(args.count) {
                let r = fn.arity
                let n =
                    r.lowerBound == r.upperBound
                    ? "\(r.lowerBound)"
                    : r.upperBound > 8 ? "at least \(r.lowerBound)" : "\(r.lowerBound) or \(r.upperBound)"
                throw error("\(fn.signature) takes \(n) argument\(n == "1" ? "" : "s"), got \(args.count)", node)
            }
            for (i, a) in args.enumerated() {
                let t = try check(a)
                switch fn.param(i) {
                case .any: break
                case .string:
                    if t != .string && t != .any && t != .null {
                        throw error("\(fn.signature): argument \(i + 1) must be a string, got a \(t.name)", a)
                    }
                case .number, .numberOrString:
                    try requireNumber(a, t, fn.signature)
                }
            }
            if fn == .matches, args.count == 2, case .string(let p) = args[1].kind {
                do throws(FilterRuntimeError) { _ = try FilterRegex(p) } catch {
                    throw self.error(error.message, args[1])
                }
            }
            return fn.resultType
        }
    }

    private func requireNumber(_ n: ExprNode, _ t: FilterType, _ what: String) throws(FilterCompileError) {
        switch t {
        case .bool, .list, .object:
            throw error("\(what) needs a number, got a \(t.name)", n)
        case .string:
            if case .string(let s) = n.kind, Int512(numeric: s) == nil {
                throw error("\(what) needs a number, got the string \(filterQuoted(s))", n)
            }
        default: break
        }
    }

    // MARK: - Constant folding

    /// Evaluates subtrees whose leaves are all literals. A fault found here
    /// (`1/0`, overflow) is a compile error pointing at the subexpression.
    mutating func fold(_ node: ExprNode) throws(FilterCompileError) -> ExprNode {
        var n = node
        switch node.kind {
        case .int, .string, .bool, .null, .field: return node
        case .list(let items):
            var f: [ExprNode] = []
            for i in items { f.append(try fold(i)) }
            n.kind = .list(f)
            return n
        case .object(let entries, let keep):
            var f: [FilterObjectEntry] = []
            for e in entries { f.append(FilterObjectEntry(key: e.key, value: try fold(e.value))) }
            n.kind = .object(f, keepRest: keep)
            return n
        case .member(let b, let k): n.kind = .member(try fold(b), k)
        case .index(let b, let i): n.kind = .index(try fold(b), try fold(i))
        case .negate(let x): n.kind = .negate(try fold(x))
        case .not(let x): n.kind = .not(try fold(x))
        case .binary(let op, let a, let b): n.kind = .binary(op, try fold(a), try fold(b))
        case .and(let a, let b): n.kind = .and(try fold(a), try fold(b))
        case .or(let a, let b): n.kind = .or(try fold(a), try fold(b))
        case .conditional(let c, let a, let b):
            let fc = try fold(c)
            if fc.isConstant {
                let truthy: Bool
                switch fc.kind {
                case .null, .bool(false): truthy = false
                default: truthy = true
                }
                return try fold(truthy ? a : b)
            }
            n.kind = .conditional(fc, try fold(a), try fold(b))
            return n
        case .contains(let e, let l, let neg): n.kind = .contains(element: try fold(e), list: try fold(l), negated: neg)
        case .call(let name, let args):
            var f: [ExprNode] = []
            for a in args { f.append(try fold(a)) }
            n.kind = .call(name, f)
            if FilterFunction(rawValue: name) == nil { return n }
        }
        guard children(of: n).allSatisfy({ $0.isConstant || isConstantList($0) }) else { return n }
        // Type-check first, so `"a" - 1` reports a type error rather than a fold error.
        var probe = FilterCodeGen(source: source, origin: origin)
        _ = try probe.check(n)
        probe.emit(n)
        probe.out.maxStack = probe.maxDepth + 4
        var vm = FilterVM()
        let v: FilterValue
        do {
            v = try vm.evaluateConstant(probe.out)
        } catch {
            throw self.error(error.message, n)
        }
        switch v {
        case .int(let x): return ExprNode(kind: .int(x), offset: n.offset)
        case .string(let b): return ExprNode(kind: .string(String(decoding: b, as: UTF8.self)), offset: n.offset)
        case .bool(let b): return ExprNode(kind: .bool(b), offset: n.offset)
        case .null: return ExprNode(kind: .null, offset: n.offset)
        default: return n
        }
    }

    private func isConstantList(_ n: ExprNode) -> Bool {
        if case .list(let items) = n.kind { return items.allSatisfy { $0.isConstant || isConstantList($0) } }
        return false
    }

    private func children(of n: ExprNode) -> [ExprNode] {
        switch n.kind {
        case .member(let b, _): return [b]
        case .index(let b, let i): return [b, i]
        case .negate(let x), .not(let x): return [x]
        case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b): return [a, b]
        case .contains(let e, let l, _): return [e, l]
        case .call(_, let args): return args
        default: return [n]
        }
    }

    // MARK: - Emission

    private mutating func push(_ d: Int = 1) {
        depth += d
        maxDepth = max(maxDepth, depth)
    }

    private mutating func constant(_ v: FilterValue) -> Int {
        out.constants.append(v)
        return out.constants.count - 1
    }

    private mutating func path(_ segs: [FilterPathSegment]) -> Int {
        if let i = pathIndex[segs] { return i }
        var steps: [CompiledPath.Step] = []
        for s in segs {
            switch s {
            case .key(let k): steps.append(.key(out.keys.bytes(out.keys.intern(Array(k.utf8)))))
            case .index(let i): steps.append(.index(i))
            }
        }
        out.paths.append(CompiledPath(steps: steps, segments: segs))
        pathIndex[segs] = out.paths.count - 1
        return out.paths.count - 1
    }

    private static func literalValue(_ n: ExprNode) -> FilterValue? {
        switch n.kind {
        case .int(let v): return .int(v)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .null: return .null
        default: return nil
        }
    }

    mutating func emit(_ node: ExprNode) {
        if let v = Self.literalValue(node) {
            out.code.append(.push(constant(v)))
            push()
            return
        }
        if let p = node.staticPath {
            out.code.append(.load(path(p)))
            push()
            return
        }
        switch node.kind {
        case .int, .string, .bool, .null, .field: break  // handled above
        case .list(let items):
            // A list of literals (an `in [...]` allowlist) is one constant,
            // not one push per item and a new array per event.
            let literals = items.compactMap(Self.literalValue)
            if literals.count == items.count {
                out.code.append(.push(constant(.list(literals))))
                push()
                return
            }
            for i in items { emit(i) }
            out.code.append(.makeList(items.count))
            depth -= items.count
            push()
        case .object(let entries, let keep):
            for e in entries { emit(e.value) }
            out.objectShapes.append(entries.map { Array($0.key.utf8) })
            out.code.append(
                keep ? .makeObjectKeepingEvent(out.objectShapes.count - 1) : .makeObject(out.objectShapes.count - 1))
            depth -= entries.count
            push()
        case .member(let base, let key):
            emit(base)
            out.code.append(.member(out.keys.intern(Array(key.utf8))))
        case .index(let base, let idx):
            emit(base)
            emit(idx)
            out.code.append(.index)
            depth -= 1
        case .negate(let x):
            emit(x)
            out.code.append(.negate)
        case .not(let x):
            emit(x)
            out.code.append(.not)
        case .binary(let op, let a, let b):
            if let special = superinstruction(op, a, b) {
                out.code.append(special)
                push()
                return
            }
            emit(a)
            emit(b)
            switch op {
            case .eq, .ne, .lt, .le, .gt, .ge: out.code.append(.compare(op))
            default: out.code.append(.arith(op))
            }
            depth -= 1
        case .and(let a, let b), .or(let a, let b):
            let isAnd: Bool
            if case .and = node.kind { isAnd = true } else { isAnd = false }
            emit(a)
            let jumpAt = out.code.count
            out.code.append(.jump(0))  // patched below
            depth -= 1
            emit(b)
            out.code.append(.toBool)
            out.code[jumpAt] = isAnd ? .andJump(out.code.count) : .orJump(out.code.count)
        case .conditional(let c, let a, let b):
            emit(c)
            let jf = out.code.count
            out.code.append(.jumpIfFalsy(0))
            depth -= 1
            emit(a)
            let jEnd = out.code.count
            out.code.append(.jump(0))
            depth -= 1
            emit(b)
            out.code[jf] = .jumpIfFalsy(jEnd + 1)
            out.code[jEnd] = .jump(out.code.count)
        case .contains(let e, let l, let neg):
            emit(e)
            emit(l)
            out.code.append(.contains(negated: neg))
            depth -= 1
        case .call(let name, let args):
            for a in args { emit(a) }
            // Unknown names were rejected by check().
            out.code.append(.call(FilterFunction(rawValue: name) ?? .coalesce, argc: args.count))
            depth -= args.count
            push()
        }
    }

    /// `event == "Transfer"` and `args.value > 10**18` become one instruction
    /// each: no stack traffic, and the string case compares raw bytes.
    /// `a == "x" && b > 5 && …` where every part is a superinstruction: the
    /// VM tests such predicates without touching its stack.
    mutating func conjuncts(of node: ExprNode) -> [FilterInstr]? {
        var parts: [ExprNode] = []
        func flatten(_ n: ExprNode) {
            if case .and(let a, let b) = n.kind {
                flatten(a)
                flatten(b)
            } else {
                parts.append(n)
            }
        }
        flatten(node)
        var out: [FilterInstr] = []
        for p in parts {
            guard case .binary(let op, let a, let b) = p.kind, let s = superinstruction(op, a, b) else { return nil }
            out.append(s)
        }
        return out
    }

    mutating func superinstruction(_ op: FilterBinaryOp, _ a: ExprNode, _ b: ExprNode) -> FilterInstr? {
        var (pathNode, constNode, op) = (a, b, op)
        if a.isConstant && b.staticPath != nil {
            (pathNode, constNode) = (b, a)
            switch op {
            case .lt: op = .gt
            case .le: op = .ge
            case .gt: op = .lt
            case .ge: op = .le
            default: break
            }
        }
        guard let p = pathNode.staticPath else { return nil }
        switch (op, constNode.kind) {
        case (.eq, .string(let s)), (.ne, .string(let s)):
            return .loadEqualsString(
                path: path(p), constant: constant(.string(s)),
                bytes: out.keys.bytes(out.keys.intern(Array(s.utf8))), negated: op == .ne)
        case (.eq, .int(let v)), (.ne, .int(let v)), (.lt, .int(let v)), (.le, .int(let v)), (.gt, .int(let v)),
            (.ge, .int(let v)):
            return .loadCompareNumber(
                path: path(p), op: op, constant: constant(.int(v)),
                digits: v.isNegative ? nil : out.keys.bytes(out.keys.intern(Array(v.decimalString.utf8))))
        default:
            return nil
        }
    }
}
