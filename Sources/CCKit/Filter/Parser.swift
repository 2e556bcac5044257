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
    private var tokens: [FilterToken]
    private var i = 0
    private let source: String
    private let origin: String

    init(_ source: String, origin: String = "expression") throws(FilterCompileError) {
        var lexer = FilterLexer(source, origin: origin)
        self.tokens = try lexer.tokenize()
        self.source = source
        self.origin = origin
    }

    static func parse(_ source: String, origin: String = "expression") throws(FilterCompileError) -> ExprNode {
        var p = try FilterParser(source, origin: origin)
        return try p.parseProgram()
    }

    /// `--set KEY=EXPR` targets and `--del PATH`: a path with constant segments.
    static func parsePath(_ source: String, origin: String) throws(FilterCompileError) -> [FilterPathSegment] {
        var p = try FilterParser(source, origin: origin)
        let node = try p.parseProgram()
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
        let cond = try orExpr()
        guard isPunct("?") else { return cond }
        _ = advance()
        let a = try expression()
        _ = try expect(":", "':' of the conditional 'c ? a : b'")
        let b = try expression()
        return ExprNode(kind: .conditional(cond, a, b), offset: cond.offset)
    }

    private mutating func orExpr() throws(FilterCompileError) -> ExprNode {
        var lhs = try andExpr()
        while isPunct("||") || isWord("or") {
            _ = advance()
            let rhs = try andExpr()
            lhs = ExprNode(kind: .or(lhs, rhs), offset: lhs.offset)
        }
        return lhs
    }

    private mutating func andExpr() throws(FilterCompileError) -> ExprNode {
        var lhs = try notExpr()
        while isPunct("&&") || isWord("and") {
            _ = advance()
            let rhs = try notExpr()
            lhs = ExprNode(kind: .and(lhs, rhs), offset: lhs.offset)
        }
        return lhs
    }

    private mutating func notExpr() throws(FilterCompileError) -> ExprNode {
        if isPunct("!") || (isWord("not") && !isWord("in", peekAhead(1))) {
            let t = advance()
            let operand = try notExpr()
            return ExprNode(kind: .not(operand), offset: t.offset)
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
            result = ExprNode(kind: .binary(op, lhs, rhs), offset: lhs.offset)
        } else if isWord("in") {
            _ = advance()
            let rhs = try additive()
            result = ExprNode(kind: .contains(element: lhs, list: rhs, negated: false), offset: lhs.offset)
        } else if isWord("not") && isWord("in", peekAhead(1)) {
            _ = advance()
            _ = advance()
            let rhs = try additive()
            result = ExprNode(kind: .contains(element: lhs, list: rhs, negated: true), offset: lhs.offset)
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
            lhs = ExprNode(kind: .binary(op, lhs, rhs), offset: lhs.offset)
        }
        return lhs
    }

    private mutating func multiplicative() throws(FilterCompileError) -> ExprNode {
        var lhs = try unary()
        while isPunct("*") || isPunct("/") || isPunct("%") {
            let op: FilterBinaryOp = isPunct("*") ? .mul : isPunct("/") ? .div : .mod
            _ = advance()
            let rhs = try unary()
            lhs = ExprNode(kind: .binary(op, lhs, rhs), offset: lhs.offset)
        }
        return lhs
    }

    private mutating func unary() throws(FilterCompileError) -> ExprNode {
        if isPunct("-") {
            let t = advance()
            let operand = try unary()
            // Fold `-5` right here so `-5` is a literal everywhere (list items, object values).
            if case .int(let v) = operand.kind { return ExprNode(kind: .int(v.negated), offset: t.offset) }
            return ExprNode(kind: .negate(operand), offset: t.offset)
        }
        if isPunct("+") {
            _ = advance()
            return try unary()
        }
        if isPunct("!") || (isWord("not") && !isWord("in", peekAhead(1))) {
            let t = advance()
            let operand = try unary()
            return ExprNode(kind: .not(operand), offset: t.offset)
        }
        return try power()
    }

    private mutating func power() throws(FilterCompileError) -> ExprNode {
        let base = try postfix()
        guard isPunct("**") else { return base }
        _ = advance()
        let exponent = try unary()
        return ExprNode(kind: .binary(.pow, base, exponent), offset: base.offset)
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
                node = ExprNode(kind: .member(node, name), offset: node.offset)
            } else if isPunct("[") {
                let open = advance()
                let idx = try expression()
                if !isPunct("]") {
                    throw error("expected ']' to close '[' at column \(column(open))", peek)
                }
                _ = advance()
                if case .string(let key) = idx.kind {
                    node = ExprNode(kind: .member(node, key), offset: node.offset)
                } else {
                    node = ExprNode(kind: .index(node, idx), offset: node.offset)
                }
            } else {
                return node
            }
        }
    }

    private func column(_ t: FilterToken) -> Int {
        let prefix = source.utf8.prefix(t.offset)
        var col = 0
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
                return ExprNode(kind: .call(name, args), offset: t.offset)
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
            return ExprNode(kind: .list(items), offset: t.offset)
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
        return ExprNode(kind: .object(entries, keepRest: keepRest), offset: open.offset)
    }
}
