/// One type of the Solidity ABI type grammar.
///
/// Tuples carry their component names because decoded output keys tuple
/// objects by them; the canonical form (`canonical`) drops them, as the
/// event signature (and so topic0) does.
package indirect enum ABIType: Hashable, Sendable {
    case uint(bits: Int)
    case int(bits: Int)
    case address
    case bool
    case fixedBytes(Int)
    case bytes
    case string
    case array(ABIType)
    case fixedArray(ABIType, Int)
    case tuple([ABIComponent])

    /// The form used in signatures: `uint256`, `(address,uint256[])[2]`.
    package var canonical: String {
        switch self {
        case .uint(let b): return "uint\(b)"
        case .int(let b): return "int\(b)"
        case .address: return "address"
        case .bool: return "bool"
        case .fixedBytes(let n): return "bytes\(n)"
        case .bytes: return "bytes"
        case .string: return "string"
        case .array(let t): return t.canonical + "[]"
        case .fixedArray(let t, let k): return t.canonical + "[\(k)]"
        case .tuple(let cs): return "(" + cs.map(\.type.canonical).joined(separator: ",") + ")"
        }
    }

    /// Dynamic types are encoded out of line, behind an offset in the head.
    package var isDynamic: Bool {
        switch self {
        case .bytes, .string, .array: return true
        case .fixedArray(let t, _): return t.isDynamic
        case .tuple(let cs): return cs.contains { $0.type.isDynamic }
        default: return false
        }
    }

    /// Bytes this type takes in the head of its enclosing tuple: 32 for an
    /// offset or a value type, the full inline size for static arrays/tuples.
    package var headSize: Int {
        switch self {
        case .fixedArray(let t, let k) where !isDynamic: return t.headSize * k
        case .tuple(let cs) where !isDynamic: return cs.reduce(0) { $0 + $1.type.headSize }
        default: return 32
        }
    }

    /// Value types fit in one 32-byte word and so can be read back from an
    /// indexed topic; everything else is only present as its hash.
    package var isValueType: Bool {
        switch self {
        case .uint, .int, .address, .bool, .fixedBytes: return true
        default: return false
        }
    }

    /// Nesting depth, for limits on hostile ABI files.
    var depth: Int {
        switch self {
        case .array(let t), .fixedArray(let t, _): return 1 + t.depth
        case .tuple(let cs): return 1 + (cs.map(\.type.depth).max() ?? 0)
        default: return 0
        }
    }
}

/// A named member of a tuple (struct field). The name may be empty.
package struct ABIComponent: Hashable, Sendable {
    package var name: String
    package var type: ABIType

    package init(name: String, type: ABIType) {
        self.name = name
        self.type = type
    }
}
