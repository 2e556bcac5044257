import CCJSON

/// The parameter types of an event, from the `signature` field of a decoded
/// event (`Swap(address,address,int256,int256,uint160,uint128,int24)`), and
/// the SQLite column type each one gets in a per-event table.
package struct EventSignature: Equatable, Sendable {
    package var name: String
    package var types: [String]

    /// nil when the text is not `Name(type,…)` with balanced parentheses.
    package init?(_ text: String) {
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

    package enum ColumnType: String, Sendable {
        /// Fits in SQLite's signed 64-bit integer.
        case integer = "INTEGER"
        /// Integers wider than 64 bits: the exact decimal text, compared as
        /// numbers (`DecimalCollation`).
        case decimal = "TEXT COLLATE decimal"
        /// Addresses: EIP-55 text that compares case-insensitively, so
        /// `"to" = '0xabc…'` finds it in any case (and uses its index).
        case address = "TEXT COLLATE NOCASE"
        /// Everything else: hex, strings, and JSON text for arrays and tuples.
        case text = "TEXT"
    }

    /// Integers that fit in 63 bits (and every intN up to int64, whose range is
    /// SQLite's own) and bools are INTEGER; wider integers are `decimal`;
    /// addresses `address`; all else is TEXT.
    package static func columnType(for abiType: String) -> ColumnType {
        let t = abiType.filter { $0 != " " }
        if t.hasSuffix("]") || t.hasPrefix("(") || t.hasPrefix("tuple") { return .text }
        if t == "bool" { return .integer }
        if t == "address" { return .address }
        if t.hasPrefix("uint") {
            guard let bits = t == "uint" ? 256 : Int(t.dropFirst(4)) else { return .text }
            return bits <= 63 ? .integer : .decimal
        }
        if t.hasPrefix("int") {
            guard let bits = t == "int" ? 256 : Int(t.dropFirst(3)) else { return .text }
            return bits <= 64 ? .integer : .decimal
        }
        return .text
    }

    /// Whether the ABI type is an integer type (`uintN`, `intN`), whose
    /// values the stream carries as decimal strings.
    package static func isInteger(_ abiType: String) -> Bool {
        let t = abiType.filter { $0 != " " }
        if t == "uint" || t == "int" { return true }
        if t.hasPrefix("uint") { return Int(t.dropFirst(4)) != nil }
        if t.hasPrefix("int") { return Int(t.dropFirst(3)) != nil }
        return false
    }
}

extension EventSignature {
    /// What a typed column can hold, so that an argument that does not fit
    /// (a hand-made stream's `"0x10"` for a uint256; cc-decode never writes
    /// one) is refused as bad data on its line instead of stored as text in a
    /// numeric column (SQLite) or failing the batch's cast (PostgreSQL).
    package enum ValueKind: Sendable {
        case any
        case bool
        /// A decimal integer in 64 signed bits.
        case int64
        /// SQLite's INTEGER columns: a bool (stored as 0 or 1) or an `int64`.
        case int64OrBool
        /// A decimal integer of at most 78 digits (every uint256 and int256).
        case wideInteger
    }

    /// What a SQLite column of `type` holds.
    package static func valueKind(of type: ColumnType) -> ValueKind {
        switch type {
        case .integer: .int64OrBool
        case .decimal: .wideInteger
        case .address, .text: .any
        }
    }

    /// Whether `v` (null always does) fits a column of `kind`: integers as the
    /// stream writes them, canonical decimal strings or numbers.
    package static func fits(_ v: JSONValue, _ kind: ValueKind) -> Bool {
        guard !v.isNull else { return true }
        switch kind {
        case .any: return true
        case .bool: return v.kind == .bool
        case .int64: return TextBinder.int64(decimal: v) != nil
        case .int64OrBool: return v.kind == .bool || TextBinder.int64(decimal: v) != nil
        case .wideInteger:
            guard v.kind == .number || (v.kind == .string && !v.hasEscapes) else { return false }
            let b = v.stringContents
            return NumericArgs.isCanonicalInteger(b) && b.count - (b.first == UInt8(ascii: "-") ? 1 : 0) <= 78
        }
    }
}
