/// Recursive-descent parser. Precedence, loosest first:
///
///     c ? a : b            right-associative
///     ||  or
///     &&  and
///     !  not               (prefix, looser than comparisons: `!a == b` is `!(a == b)`)
///     == != < <= > >= in, not in     (do not chain)
///     + -
///     * / %
///     - !                  (prefix, after an operator: `a == !b`, `-x`)
///     **                   right-associative, tighter than a unary minus on its left
///     .key ["key"] [i] f(…)
struct FilterParser {
    /// Deepest program accepted, in tree levels and in nested parentheses,
    /// brackets, prefix operators and `**`: the parser and every compiler
    /// pass recurse once per level, and a generated program must get a
    /// usage error rather than overflow the stack. Long flat `||`/`&&`
    /// chains (allowlists) are built as balanced trees, so they stay shallow.
    static let maxDepth = 256

    private var tokens: [FilterToken]
    private var i = 0
    /// Open recursive descents (see `maxDepth`).
    private var nesting = 0
    private let source: String
    private let origin: String
    private var hiddenPrefix = 0

    init(_ source: String, origin: String = "expression") throws(FilterCompileError) {
        var lexer = FilterLexer(source, origin: origin)
        self.tokens = try lexer.tokenize()
        self.source = source
        self.origin = origin
    }

    /// `hiddenPrefix`: bytes the caller put before the user's text on its
    /// first line (`--group-by a, b` is parsed as `[a, b]`), left out of
    /// the columns that messages name.
    static func parse(_ source: String, origin: String = "expression", hiddenPrefix: Int = 0)
        throws(FilterCompileError) -> ExprNode
    {
        try FilterLargeStack.run { () throws(FilterCompileError) -> ExprNode in
            var p = try FilterParser(source, origin: origin)
            p.hiddenPrefix = hiddenPrefix
            return try p.parseProgram()
        }
    }

    /// `--set KEY=EXPR` targets and `--del PATH`: a path with constant segments.
    static func parsePath(_ source: String, origin: String) throws(FilterCompileError) -> [FilterPathSegment] {
        let node = try parse(source, origin: origin)
        guard let path = node.staticPath else {
            throw FilterCompileError(
                "expected a path such as args.value or meta[\"tag\"]", at: 0, in: source,
                origin: origin)
        }
        return path
    }

    mutating func parseProgram() throws(FilterCompileError) -> ExprNode {
        if case .end = tokens[0].kind { throw error("empty expression; expected a value or a condition", tokens[0]) }
        let e = try expression()
        if case .end = peek.kind { return e }
        throw error("expected an operator or the end of the expression, found \(describe(peek))", peek)
    }

    // MARK: - FilterToken helpers

    private var peek: FilterToken { tokens[min(i, tokens.count - 1)] }

    private func peekAhead(_ n: Int) -> FilterToken { tokens[min(i + n, tokens.count - 1)] }

    private func isPunct(_ p: String, _ t: FilterToken? = nil) -> Bool {
        if case .punct(let q) = (t ?? peek).kind { return q == p }
        return false
    }

    private func isWord(_ w: String, _ t: FilterToken? = nil) -> Bool {
        if case .ident(let q) = (t ?? peek).kind { return q == w }
        return false
    }

    private mutating func advance() -> FilterToken {
        let t = peek
        if i < tokens.count - 1 { i += 1 }
        return t
    }

    private mutating func expect(_ p: String, _ what: String) throws(FilterCompileError) -> FilterToken {
        if isPunct(p) { return advance() }
        throw error("expected \(what), found \(describe(peek))", peek)
    }

    private func error(_ m: String, _ t: FilterToken) -> FilterCompileError {
        FilterCompileError(m, at: t.offset, in: source, origin: origin)
    }

    private func tooDeep(at offset: Int) -> FilterCompileError {
        FilterCompileError(
            "program nested deeper than \(Self.maxDepth) levels (parentheses, operators, path segments); "
                + "for long allowlists write x in [\"a\", \"b\", …] or a flat a || b || …",
            at: offset, in: source, origin: origin)
    }

    private mutating func enter() throws(FilterCompileError) {
        nesting += 1
        if nesting > Self.maxDepth { throw tooDeep(at: peek.offset) }
    }

    /// A node with its depth, refused beyond `maxDepth`.
    private func make(_ kind: ExprKind, _ offset: Int) throws(FilterCompileError) -> ExprNode {
        var d = 0
        switch kind {
        case .int, .string, .bool, .null, .field: break
        case .list(let items): for x in items { d = max(d, x.depth) }
        case .object(let es, _): for e in es { d = max(d, e.value.depth) }
        case .member(let b, _), .negate(let b), .not(let b): d = b.depth
        case .index(let a, let b), .binary(_, let a, let b), .and(let a, let b), .or(let a, let b):
            d = max(a.depth, b.depth)
        case .conditional(let c, let a, let b): d = max(c.depth, a.depth, b.depth)
        case .call(_, let args): for x in args { d = max(d, x.depth) }
        case .contains(let e, let l, _): d = max(e.depth, l.depth)
        }
        if d >= Self.maxDepth { throw tooDeep(at: offset) }
        return ExprNode(kind: kind, offset: offset, depth: d + 1)
    }

    /// `a || b || c`: left-nested as written for short chains (their
    /// canonical text is what users see in column names); long ones, as
    /// generated allowlists are, balanced. Both operators are associative
    /// and evaluation stays left to right, so the result is the same.
    private func chain(_ terms: [ExprNode], and isAnd: Bool) throws(FilterCompileError) -> ExprNode {
        func join(_ a: ExprNode, _ b: ExprNode) throws(FilterCompileError) -> ExprNode {
            try make(isAnd ? .and(a, b) : .or(a, b), a.offset)
        }
        if terms.count <= 32 {
            var lhs = terms[0]
            for t in terms.dropFirst() { lhs = try join(lhs, t) }
            return lhs
        }
        func build(_ lo: Int, _ hi: Int) throws(FilterCompileError) -> ExprNode {
            if hi - lo == 1 { return terms[lo] }
            let mid = (lo + hi) / 2
            return try join(try build(lo, mid), try build(mid, hi))
        }
        return try build(0, terms.count)
    }

    private func describe(_ t: FilterToken) -> String {
        switch t.kind {
        case .end: return "the end of the expression"
        case .int(let v): return "number \(v)"
        case .string(let s): return "string \(filterQuoted(s))"
        case .ident(let s): return "'\(s)'"
        case .punct(let p): return "'\(p)'"
        }
    }

    // MARK: - Grammar

    private mutating func expression() throws(FilterCompileError) -> ExprNode {
        try enter()
        defer { nesting -= 1 }
        let cond = try orExpr()
        guard isPunct("?") else { return cond }
        _ = advance()
        let a = try expression()
        _ = try expect(":", "':' of the conditional 'c ? a : b'")
        let b = try expression()
        return try make(.conditional(cond, a, b), cond.offset)
    }

    private mutating func orExpr() throws(FilterCompileError) -> ExprNode {
        var terms = [try andExpr()]
        while isPunct("||") || isWord("or") {
            _ = advance()
            terms.append(try andExpr())
        }
        return try chain(terms, and: false)
    }

    private mutating func andExpr() throws(FilterCompileError) -> ExprNode {
        var terms = [try notExpr()]
        while isPunct("&&") || isWord("and") {
            _ = advance()
            terms.append(try notExpr())
        }
        return try chain(terms, and: true)
    }

    private mutating func notExpr() throws(FilterCompileError) -> ExprNode {
        if isPunct("!") || (isWord("not") && !isWord("in", peekAhead(1))) {
            let t = advance()
            try enter()
            defer { nesting -= 1 }
            let operand = try notExpr()
            return try make(.not(operand), t.offset)
        }
        return try comparison()
    }

    private static let comparisonOps: [String: FilterBinaryOp] = [
        "==": .eq, "!=": .ne, "<": .lt, "<=": .le, ">": .gt, ">=": .ge,
    ]

    private mutating func comparison() throws(FilterCompileError) -> ExprNode {
        let lhs = try additive()
        var result: ExprNode
        if case .punct(let p) = peek.kind, let op = Self.comparisonOps[p] {
            _ = advance()
            let rhs = try additive()
            result = try make(.binary(op, lhs, rhs), lhs.offset)
        } else if isWord("in") {
            _ = advance()
            let rhs = try additive()
            result = try make(.contains(element: lhs, list: rhs, negated: false), lhs.offset)
        } else if isWord("not") && isWord("in", peekAhead(1)) {
            _ = advance()
            _ = advance()
            let rhs = try additive()
            result = try make(.contains(element: lhs, list: rhs, negated: true), lhs.offset)
        } else {
            return lhs
        }
        if case .punct(let p) = peek.kind, Self.comparisonOps[p] != nil {
            throw error("comparisons do not chain; write (a < b) && (b < c)", peek)
        }
        if isWord("in") || (isWord("not") && isWord("in", peekAhead(1))) {
            throw error("comparisons do not chain; add parentheses", peek)
        }
        return result
    }

    private mutating func additive() throws(FilterCompileError) -> ExprNode {
        var lhs = try multiplicative()
        while isPunct("+") || isPunct("-") {
            let op: FilterBinaryOp = isPunct("+") ? .add : .sub
            _ = advance()
            let rhs = try multiplicative()
            lhs = try make(.binary(op, lhs, rhs), lhs.offset)
        }
        return lhs
    }

    private mutating func multiplicative() throws(FilterCompileError) -> ExprNode {
        var lhs = try unary()
        while isPunct("*") || isPunct("/") || isPunct("%") {
            let op: FilterBinaryOp = isPunct("*") ? .mul : isPunct("/") ? .div : .mod
            _ = advance()
            let rhs = try unary()
            lhs = try make(.binary(op, lhs, rhs), lhs.offset)
        }
        return lhs
    }

    private mutating func unary() throws(FilterCompileError) -> ExprNode {
        if isPunct("-") {
            let t = advance()
            try enter()
            defer { nesting -= 1 }
            let operand = try unary()
            // Fold `-5` right here so `-5` is a literal everywhere (list items, object values).
            if case .int(let v) = operand.kind { return ExprNode(kind: .int(v.negated), offset: t.offset) }
            return try make(.negate(operand), t.offset)
        }
        if isPunct("+") {
            _ = advance()
            try enter()
            defer { nesting -= 1 }
            return try unary()
        }
        if isPunct("!") || (isWord("not") && !isWord("in", peekAhead(1))) {
            let t = advance()
            try enter()
            defer { nesting -= 1 }
            let operand = try unary()
            return try make(.not(operand), t.offset)
        }
        return try power()
    }

    private mutating func power() throws(FilterCompileError) -> ExprNode {
        let base = try postfix()
        guard isPunct("**") else { return base }
        _ = advance()
        try enter()
        defer { nesting -= 1 }
        let exponent = try unary()
        return try make(.binary(.pow, base, exponent), base.offset)
    }

    private mutating func postfix() throws(FilterCompileError) -> ExprNode {
        var node = try primary()
        while true {
            if isPunct(".") {
                _ = advance()
                guard case .ident(let name) = peek.kind else {
                    throw error("expected a field name after '.'; use [\"…\"] for other names", peek)
                }
                _ = advance()
                node = try make(.member(node, name), node.offset)
            } else if isPunct("[") {
                let open = advance()
                let idx = try expression()
                if !isPunct("]") {
                    throw error("expected ']' to close '[' at column \(column(open))", peek)
                }
                _ = advance()
                if case .string(let key) = idx.kind {
                    node = try make(.member(node, key), node.offset)
                } else {
                    node = try make(.index(node, idx), node.offset)
                }
            } else {
                return node
            }
        }
    }

    private func column(_ t: FilterToken) -> Int {
        let prefix = source.utf8.prefix(t.offset)
        var col = -hiddenPrefix
        for c in String(decoding: prefix, as: UTF8.self) {
            col = c == "\n" ? 0 : col + 1
        }
        return col + 1
    }

    private mutating func primary() throws(FilterCompileError) -> ExprNode {
        let t = peek
        switch t.kind {
        case .int(let v):
            _ = advance()
            return ExprNode(kind: .int(v), offset: t.offset)
        case .string(let s):
            _ = advance()
            return ExprNode(kind: .string(s), offset: t.offset)
        case .ident(let name):
            _ = advance()
            switch name {
            case "true": return ExprNode(kind: .bool(true), offset: t.offset)
            case "false": return ExprNode(kind: .bool(false), offset: t.offset)
            case "null": return ExprNode(kind: .null, offset: t.offset)
            case "in", "and", "or":
                throw error("expected a value, found '\(name)'", t)
            default: break
            }
            if isPunct("(") {
                let open = advance()
                var args: [ExprNode] = []
                if !isPunct(")") {
                    while true {
                        args.append(try expression())
                        if isPunct(",") {
                            _ = advance()
                            continue
                        }
                        if isPunct(")") { break }
                        throw error("expected ',' or ')' to close '\(name)(' at column \(column(open))", peek)
                    }
                }
                _ = advance()
                return try make(.call(name, args), t.offset)
            }
            return ExprNode(kind: .field(name), offset: t.offset)
        case .punct("("):
            _ = advance()
            let e = try expression()
            if !isPunct(")") { throw error("expected ')' to close '(' at column \(column(t))", peek) }
            _ = advance()
            return e
        case .punct("["):
            _ = advance()
            var items: [ExprNode] = []
            while !isPunct("]") {
                items.append(try expression())
                if isPunct(",") {
                    _ = advance()
                    continue
                }
                if !isPunct("]") { throw error("expected ',' or ']' to close '[' at column \(column(t))", peek) }
            }
            _ = advance()
            return try make(.list(items), t.offset)
        case .punct("{"):
            return try object()
        case .end:
            throw error("unexpected end of the expression; expected a value", t)
        default:
            throw error("expected a value, found \(describe(t))", t)
        }
    }

    private mutating func object() throws(FilterCompileError) -> ExprNode {
        let open = advance()
        var entries: [FilterObjectEntry] = []
        var keepRest = false
        var seen: Set<String> = []
        while !isPunct("}") {
            if isPunct("...") {
                _ = advance()
                keepRest = true
            } else {
                let keyTok = peek
                let key: String
                switch keyTok.kind {
                case .ident(let s): key = s
                case .string(let s): key = s
                default:
                    throw error(
                        "expected an object key (name or \"string\") or '...', found \(describe(keyTok))", keyTok)
                }
                _ = advance()
                let value: ExprNode
                if isPunct(":") {
                    _ = advance()
                    value = try expression()
                } else if case .ident = keyTok.kind, isPunct(",") || isPunct("}") {
                    // `{event, address}` is short for `{event: event, address: address}`.
                    value = ExprNode(kind: .field(key), offset: keyTok.offset)
                } else {
                    throw error("expected ':' after object key \(filterQuoted(key))", peek)
                }
                if !seen.insert(key).inserted { throw error("duplicate object key \(filterQuoted(key))", keyTok) }
                entries.append(FilterObjectEntry(key: key, value: value))
            }
            if isPunct(",") {
                _ = advance()
                continue
            }
            if !isPunct("}") { throw error("expected ',' or '}' to close '{' at column \(column(open))", peek) }
        }
        _ = advance()
        return try make(.object(entries, keepRest: keepRest), open.offset)
    }
}
