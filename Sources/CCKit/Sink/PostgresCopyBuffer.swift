import CCJSON

/// Rows in `COPY … FROM STDIN` text format: fields separated by tabs, `\N`
/// for NULL, and backslash, tab, newline and carriage return escaped, so
/// nothing a contract put in a string can end a field or a row early.
struct PostgresCopyBuffer {
    private(set) var bytes: [UInt8] = []
    private(set) var rows = 0
    private var scratch: [UInt8] = []

    init() { bytes.reserveCapacity(1 << 20) }

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        rows = 0
    }

    mutating func endRow() {
        bytes[bytes.count - 1] = UInt8(ascii: "\n")
        rows += 1
    }

    mutating func null() { bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N"), 9]) }

    mutating func int(_ v: UInt64?) {
        guard let v else { return null() }
        appendDecimal(v)
        bytes.append(9)
    }

    mutating func int(_ v: Int64) {
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDecimal(v.magnitude)
        bytes.append(9)
    }

    mutating func bool(_ v: Bool) {
        bytes.append(v ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        bytes.append(9)
    }

    /// A JSON string's contents, unescaped (nil or null: NULL).
    mutating func string(_ v: JSONValue?) {
        guard let v, !v.isNull else { return null() }
        if v.kind == .string {
            if v.hasEscapes {
                scratch.removeAll(keepingCapacity: true)
                v.unescapedBytes(into: &scratch)
                scratch.withUnsafeBufferPointer { escaped($0) }
            } else {
                escaped(v.stringContents)
            }
        } else {
            escaped(v.raw)
        }
        bytes.append(9)
    }

    /// A JSON value as its text, for a `jsonb` column. jsonb refuses two
    /// escapes that valid JSON may hold (a string of a contract's bytes can):
    /// `\u0000`, dropped as text columns drop a NUL, and a UTF-16 surrogate
    /// without its pair, written as `\ufffd` as invalid UTF-8 is. Either would
    /// fail the whole batch's COPY, and every rerun with it.
    ///
    /// An object whose members repeat a key keeps the first of them (jsonb
    /// would keep the last), as every other stage and the SQLite sink read it.
    mutating func json(_ v: JSONValue?) {
        guard let v, !v.isNull else { return null() }
        if v.kind == .object, v.hasRepeatedKey {
            bytes.append(UInt8(ascii: "{"))
            var first = true
            v.forEachFirstMember { key, value in
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                jsonText(key.raw)
                bytes.append(UInt8(ascii: ":"))
                jsonText(value.raw)
            }
            bytes.append(UInt8(ascii: "}"))
        } else {
            jsonText(v.raw)
        }
        bytes.append(9)
    }

    private mutating func jsonText(_ b: UnsafeBufferPointer<UInt8>) {
        var i = 0
        var start = 0
        while i < b.count {
            guard b[i] == UInt8(ascii: "\\"), i + 1 < b.count else {
                i += 1
                continue
            }
            guard b[i + 1] == UInt8(ascii: "u"), let unit = JSONUnescape.hex4(b, i + 2) else {
                i += 2  // any other escape, `\\` included, stays as it is
                continue
            }
            var end = i + 6
            var keep = true
            var replace = false
            if unit == 0 {
                keep = false
            } else if unit & 0xFC00 == 0xD800 {
                // A high surrogate needs a low one right after it.
                if end + 1 < b.count, b[end] == UInt8(ascii: "\\"), b[end + 1] == UInt8(ascii: "u"),
                    let low = JSONUnescape.hex4(b, end + 2), low & 0xFC00 == 0xDC00
                {
                    end += 6
                } else {
                    replace = true
                }
            } else if unit & 0xFC00 == 0xDC00 {
                replace = true
            }
            if !keep || replace {
                escaped(UnsafeBufferPointer(rebasing: b[start..<i]))
                if replace { bytes.append(contentsOf: Self.copiedReplacement) }
                start = end
            }
            i = end
        }
        escaped(UnsafeBufferPointer(rebasing: b[start..<b.count]))
    }

    /// `\ufffd`, with its backslash escaped for COPY.
    private static let copiedReplacement: [UInt8] = Array(#"\\ufffd"#.utf8)

    /// PostgreSQL refuses ill-formed UTF-8 for the whole COPY (every rerun
    /// with it): repaired here as in every other output, one U+FFFD per
    /// maximal subpart.
    private mutating func escaped(_ b: UnsafeBufferPointer<UInt8>) {
        guard UTF8Repair.isValid(b) else {
            UTF8Repair.repaired(b).withUnsafeBufferPointer { escapedValid($0) }
            return
        }
        escapedValid(b)
    }

    private mutating func escapedValid(_ b: UnsafeBufferPointer<UInt8>) {
        for c in b {
            switch c {
            case UInt8(ascii: "\\"): bytes.append(c); bytes.append(c)
            case 9: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 10: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 13: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0: break  // PostgreSQL text cannot hold NUL
            default: bytes.append(c)
            }
        }
    }

    private mutating func appendDecimal(_ v: UInt64) {
        if v == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var digits: (UInt64, Int) = (v, 0)
        var tmp = [UInt8](repeating: 0, count: 20)
        while digits.0 > 0 {
            tmp[digits.1] = UInt8(ascii: "0") + UInt8(digits.0 % 10)
            digits.0 /= 10
            digits.1 += 1
        }
        for i in stride(from: digits.1 - 1, through: 0, by: -1) { bytes.append(tmp[i]) }
    }
}

/// SQL text built around names and values that come from the stream.
enum PostgresSQL {
    /// A member name as PostgreSQL keeps it: without U+0000, which neither
    /// text nor jsonb can hold (`PostgresCopyBuffer.json` drops it from the
    /// stored object too, so the column still finds its value).
    static func key(_ k: JSONValue) -> String {
        let s = k.string()
        return s.contains("\u{0}") ? s.filter { $0 != "\u{0}" } : s
    }

    /// Columns a table may have.
    static let maxColumns = 1600

    /// A string literal (`standard_conforming_strings` is on: only quotes need doubling).
    static func literal(_ s: String) -> String {
        var out = "'"
        for c in s.unicodeScalars {
            if c == "'" { out.append("''") } else if c != "\0" { out.unicodeScalars.append(c) }
        }
        out.append("'")
        return out
    }

    /// The column type a per-event table gives an ABI type: integers up to 64
    /// bits (signed) or 63 bits (unsigned) are bigint, wider ones
    /// numeric(78,0), which holds every uint256 and int256 exactly; bool is
    /// boolean; arrays and tuples jsonb; addresses, bytes and strings text.
    static func columnType(for abiType: String) -> String {
        switch EventSignature.columnType(for: abiType) {
        case .integer: return abiType.filter { $0 != " " } == "bool" ? "boolean" : "bigint"
        case .decimal: return "numeric(78,0)"
        case .address: return "text"
        case .text:
            let t = abiType.filter { $0 != " " }
            return t.hasSuffix("]") || t.hasPrefix("(") || t.hasPrefix("tuple") ? "jsonb" : "text"
        }
    }

    /// The expression that takes argument `key` out of the staging row's jsonb `args`.
    static func extract(_ key: String, as type: String) -> String {
        let k = literal(key)
        switch type {
        case "jsonb": return "s.args->\(k)"
        case "text": return "s.args->>\(k)"
        default: return "(s.args->>\(k))::\(type)"
        }
    }
}
