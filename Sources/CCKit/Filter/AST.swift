/// The parsed program. Every node keeps its source offset so compile-time
/// type errors can point at the exact operand.
struct Node: Sendable {
    var kind: NodeKind
    var offset: Int
}

enum BinaryOp: String, Sendable {
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "**"
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
}

enum PathSegment: Hashable, Sendable {
    case key(String)
    case index(Int)
}

struct ObjectEntry: Sendable {
    var key: String
    var value: Node
}

indirect enum NodeKind: Sendable {
    case int(Int512)
    case string(String)
    case bool(Bool)
    case null
    case list([Node])
    /// `keepRest` is the `...` entry of `{..., key: expr}`.
    case object([ObjectEntry], keepRest: Bool)
    /// A top-level member of the event: `event`, `args`, `blockNumber`.
    case field(String)
    /// `a.b` and `a["b"]`.
    case member(Node, String)
    /// `a[expr]` with a computed or integer index.
    case index(Node, Node)
    case negate(Node)
    case not(Node)
    case binary(BinaryOp, Node, Node)
    case and(Node, Node)
    case or(Node, Node)
    case conditional(Node, Node, Node)
    case call(String, [Node])
    case contains(element: Node, list: Node, negated: Bool)
}

extension Node {
    /// The static path of `args.order.maker` or `args.ids[0]`: a root field and
    /// constant segments. Nil when any part is computed.
    var staticPath: [PathSegment]? {
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

extension [PathSegment] {
    var display: String {
        var s = ""
        for seg in self {
            switch seg {
            case .key(let k):
                if isPlainIdentifier(k) {
                    if !s.isEmpty { s += "." }
                    s += k
                } else {
                    s += "[\(jsonQuoted(k))]"
                }
            case .index(let i): s += "[\(i)]"
            }
        }
        return s
    }
}

func isPlainIdentifier(_ s: String) -> Bool {
    let u = Array(s.utf8)
    guard let f = u.first, isIdentStart(f) else { return false }
    return u.allSatisfy(isIdentPart)
}

func jsonQuoted(_ s: String) -> String {
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

extension Node {
    /// Canonical source form, fully parenthesized: column names for
    /// aggregates and the precedence tests.
    var text: String {
        switch kind {
        case .int(let v): return v.description
        case .string(let s): return jsonQuoted(s)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .list(let items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .object(let es, let keep):
            var parts = keep ? ["..."] : []
            parts += es.map { (isPlainIdentifier($0.key) ? $0.key : jsonQuoted($0.key)) + ": " + $0.value.text }
            return "{" + parts.joined(separator: ", ") + "}"
        case .field, .member, .index:
            if let p = staticPath { return p.display }
            if case .member(let b, let k) = kind { return b.text + "[" + jsonQuoted(k) + "]" }
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
