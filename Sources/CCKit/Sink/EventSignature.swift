/// The parameter types of an event, from the `signature` field of a decoded
/// event (`Swap(address,address,int256,int256,uint160,uint128,int24)`), and
/// the SQLite column type each one gets in a per-event table.
public struct EventSignature: Equatable, Sendable {
    public var name: String
    public var types: [String]

    /// nil when the text is not `Name(type,…)` with balanced parentheses.
    public init?(_ text: String) {
        let b = Array(text.utf8)
        guard let open = b.firstIndex(of: UInt8(ascii: "(")), b.last == UInt8(ascii: ")") else { return nil }
        name = String(decoding: b[..<open], as: UTF8.self)
        var types: [String] = []
        var depth = 0
        var start = open + 1
        let end = b.count - 1
        var i = start
        while i < end {
            switch b[i] {
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"):
                depth -= 1
                if depth < 0 { return nil }
            case UInt8(ascii: ",") where depth == 0:
                types.append(String(decoding: b[start..<i], as: UTF8.self))
                start = i + 1
            default: break
            }
            i += 1
        }
        guard depth == 0 else { return nil }
        if end > open + 1 { types.append(String(decoding: b[start..<end], as: UTF8.self)) }
        if types.contains(where: \.isEmpty) { return nil }
        self.types = types
    }

    public enum ColumnType: String, Sendable {
        /// Fits in SQLite's signed 64-bit integer.
        case integer = "INTEGER"
        /// Everything else: decimal strings of big integers, hex, addresses,
        /// strings, and JSON text for arrays and tuples.
        case text = "TEXT"
    }

    /// Integers that fit in 63 bits (and every intN up to int64, whose range is
    /// SQLite's own) are INTEGER; bools are INTEGER 0/1; all else is TEXT.
    public static func columnType(for abiType: String) -> ColumnType {
        let t = abiType.filter { $0 != " " }
        if t.hasSuffix("]") || t.hasPrefix("(") || t.hasPrefix("tuple") { return .text }
        if t == "bool" { return .integer }
        if t.hasPrefix("uint") {
            let bits = Int(t.dropFirst(4)) ?? 256
            return bits <= 63 ? .integer : .text
        }
        if t.hasPrefix("int") {
            let bits = Int(t.dropFirst(3)) ?? 256
            return bits <= 64 ? .integer : .text
        }
        return .text
    }
}
