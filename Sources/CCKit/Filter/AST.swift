/// The parsed program. Every node keeps its source offset so compile-time
/// type errors can point at the exact operand.
struct ExprNode: Sendable {
    var kind: ExprKind
    var offset: Int
    /// Height of the tree below and including this node, set by the parser,
    /// which refuses programs deeper than `FilterParser.maxDepth`: every
    /// later pass (folding, type checks, code generation) recurses on it.
    var depth = 1
}

enum FilterBinaryOp: String, Sendable {
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "**"
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
}

enum FilterPathSegment: Hashable, Sendable {
    case key(String)
    case index(Int)
}

struct FilterObjectEntry: Sendable {
    var key: String
    var value: ExprNode
}

indirect enum ExprKind: Sendable {
    case int(Int512)
    case string(String)
    case bool(Bool)
    case null
    case list([ExprNode])
    /// `keepRest` is the `...` entry of `{..., key: expr}`.
    case object([FilterObjectEntry], keepRest: Bool)
    /// A top-level member of the event: `event`, `args`, `blockNumber`.
    case field(String)
    /// `a.b` and `a["b"]`.
    case member(ExprNode, String)
    /// `a[expr]` with a computed or integer index.
    case index(ExprNode, ExprNode)
    case negate(ExprNode)
    case not(ExprNode)
    case binary(FilterBinaryOp, ExprNode, ExprNode)
    case and(ExprNode, ExprNode)
    case or(ExprNode, ExprNode)
    case conditional(ExprNode, ExprNode, ExprNode)
    case call(String, [ExprNode])
    case contains(element: ExprNode, list: ExprNode, negated: Bool)
}

extension ExprNode {
    /// The static path of `args.order.maker` or `args.ids[0]`: a root field and
    /// constant segments. Nil when any part is computed.
    var staticPath: [FilterPathSegment]? {
        switch kind {
        case .field(let name): return [.key(name)]
        case .member(let base, let key):
            guard var p = base.staticPath else { return nil }
            p.append(.key(key))
            return p
        case .index(let base, let idx):
            guard var p = base.staticPath, case .int(let i) = idx.kind, let n = i.int else { return nil }
            p.append(.index(n))
            return p
        default: return nil
        }
    }

    var isConstant: Bool {
        switch kind {
        case .int, .string, .bool, .null: return true
        default: return false
        }
    }
}

extension [FilterPathSegment] {
    var display: String {
        var s = ""
        for seg in self {
            switch seg {
            case .key(let k):
                if filterIsPlainIdentifier(k) {
                    if !s.isEmpty { s += "." }
                    s += k
                } else {
                    s += "[\(filterQuoted(k))]"
                }
            case .index(let i): s += "[\(i)]"
            }
        }
        return s
    }
}

func filterIsPlainIdentifier(_ s: String) -> Bool {
    let u = Array(s.utf8)
    guard let f = u.first, filterIsIdentStart(f) else { return false }
    return u.allSatisfy(filterIsIdentPart)
}

func filterQuoted(_ s: String) -> String {
    var out = "\""
    for ch in s.unicodeScalars {
        switch ch {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if ch.value < 0x20 {
                let h = String(ch.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
            } else {
                out.unicodeScalars.append(ch)
            }
        }
    }
    return out + "\""
}

extension ExprNode {
    /// Canonical source form, fully parenthesized: column names for
    /// aggregates and the precedence tests.
    var text: String {
        switch kind {
        case .int(let v): return v.description
        case .string(let s): return filterQuoted(s)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .list(let items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .object(let es, let keep):
            var parts = keep ? ["..."] : []
            parts += es.map { (filterIsPlainIdentifier($0.key) ? $0.key : filterQuoted($0.key)) + ": " + $0.value.text }
            return "{" + parts.joined(separator: ", ") + "}"
        case .field, .member, .index:
            if let p = staticPath { return p.display }
            if case .member(let b, let k) = kind { return b.text + "[" + filterQuoted(k) + "]" }
            if case .index(let b, let i) = kind { return b.text + "[" + i.text + "]" }
            return "?"
        case .negate(let x): return "(-" + x.text + ")"
        case .not(let x): return "(!" + x.text + ")"
        case .binary(let op, let a, let b): return "(" + a.text + " " + op.rawValue + " " + b.text + ")"
        case .and(let a, let b): return "(" + a.text + " && " + b.text + ")"
        case .or(let a, let b): return "(" + a.text + " || " + b.text + ")"
        case .conditional(let c, let a, let b): return "(" + c.text + " ? " + a.text + " : " + b.text + ")"
        case .call(let n, let args): return n + "(" + args.map(\.text).joined(separator: ", ") + ")"
        case .contains(let e, let l, let neg): return "(" + e.text + (neg ? " not in " : " in ") + l.text + ")"
        }
    }
}
