/// A compile-time problem in a filter program: where it is and what was
/// expected there. `rendered` shows the offending line with a caret under
/// the column, which is what a person needs to fix a shell-quoted expression.
package struct FilterCompileError: Error, Sendable, Equatable, CustomStringConvertible {
    package var message: String
    /// Byte offset into `source`.
    package var offset: Int
    package var source: String
    /// Where the program came from, for messages: "--where", "-f rules.ccf", …
    package var origin: String

    package init(_ message: String, at offset: Int, in source: String, origin: String = "expression") {
        self.message = message
        self.offset = offset
        self.source = source
        self.origin = origin
    }

    package var description: String { rendered }

    /// ```
    /// expression:1:15: expected ')' to close '(' at column 9
    ///   args.value > (10**18
    ///                       ^
    /// ```
    package var rendered: String {
        let bytes = Array(source.utf8)
        let off = min(max(offset, 0), bytes.count)
        var lineStart = off
        while lineStart > 0 && bytes[lineStart - 1] != 10 { lineStart -= 1 }
        var lineEnd = off
        while lineEnd < bytes.count && bytes[lineEnd] != 10 { lineEnd += 1 }
        let lineNo = bytes[..<lineStart].filter { $0 == 10 }.count + 1
        let col = String(decoding: bytes[lineStart..<off], as: UTF8.self).count + 1
        // A generated program can be one line of megabytes: show 60 bytes
        // either side of the error, so the message stays one screen.
        var cut = false
        if off - lineStart > 60 {
            lineStart = off - 60
            while lineStart < off && bytes[lineStart] & 0xC0 == 0x80 { lineStart += 1 }
            cut = true
        }
        if lineEnd - off > 60 {
            lineEnd = off + 60
            while lineEnd > off && bytes[lineEnd] & 0xC0 == 0x80 { lineEnd -= 1 }
        }
        let line = (cut ? "…" : "") + String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self)
        let prefix = (cut ? "…" : "") + String(decoding: bytes[lineStart..<off], as: UTF8.self)
        // Tabs keep their width so the caret lines up in a terminal.
        let pad = String(prefix.map { $0 == "\t" ? "\t" : " " })
        return "\(origin):\(lineNo):\(col): \(message)\n  \(line)\n  \(pad)^"
    }
}

enum FilterTokenKind: Equatable, Sendable {
    case int(Int512)
    case string(String)
    case ident(String)
    case punct(String)  // operators and punctuation, longest match
    case end
}

struct FilterToken: Sendable {
    var kind: FilterTokenKind
    var offset: Int
    var length: Int
}

/// Turns program text into tokens. Numbers are exact from the start: `1e18`,
/// `2.5e6` and `1_000` become integers here, and anything that is not a
/// whole number is rejected with a pointer to it.
struct FilterLexer {
    let bytes: [UInt8]
    let source: String
    let origin: String
    var pos = 0

    init(_ source: String, origin: String) {
        self.source = source
        self.origin = origin
        self.bytes = Array(source.utf8)
    }

    private static let puncts3: [String] = ["..."]
    private static let puncts2: [String] = ["&&", "||", "==", "!=", "<=", ">=", "**"]
    private static let puncts1: Set<UInt8> = Set("()[]{},:.?!<>+-*/%".utf8)

    func error(_ msg: String, _ at: Int) -> FilterCompileError {
        FilterCompileError(msg, at: at, in: source, origin: origin)
    }

    mutating func tokenize() throws(FilterCompileError) -> [FilterToken] {
        var out: [FilterToken] = []
        while true {
            skipSpaceAndComments()
            if pos >= bytes.count {
                out.append(FilterToken(kind: .end, offset: pos, length: 0))
                return out
            }
            let start = pos
            let c = bytes[pos]
            if c >= 48 && c <= 57 {
                out.append(FilterToken(kind: .int(try number()), offset: start, length: pos - start))
            } else if c == UInt8(ascii: "\"") {
                out.append(FilterToken(kind: .string(try string()), offset: start, length: pos - start))
            } else if filterIsIdentStart(c) {
                while pos < bytes.count && filterIsIdentPart(bytes[pos]) { pos += 1 }
                let name = String(decoding: bytes[start..<pos], as: UTF8.self)
                out.append(FilterToken(kind: .ident(name), offset: start, length: pos - start))
            } else if let p = punct() {
                out.append(FilterToken(kind: .punct(p), offset: start, length: p.utf8.count))
            } else if c == UInt8(ascii: "'") {
                throw error("strings use double quotes (\"…\"), not single quotes", start)
            } else if c == UInt8(ascii: "=") {
                throw error("unexpected '='; use '==' to compare", start)
            } else if c == UInt8(ascii: "&") || c == UInt8(ascii: "|") {
                let ch = String(UnicodeScalar(c))
                throw error("unexpected '\(ch)'; use '\(ch)\(ch)'", start)
            } else {
                var it = String(decoding: bytes[start...], as: UTF8.self).unicodeScalars.makeIterator()
                let shown = it.next().map { String($0) } ?? "?"
                throw error("unexpected character '\(shown)'", start)
            }
        }
    }

    private mutating func skipSpaceAndComments() {
        while pos < bytes.count {
            let c = bytes[pos]
            if c == 32 || c == 9 || c == 10 || c == 13 {
                pos += 1
            } else if c == UInt8(ascii: "#") {
                // Comments make -f program files readable.
                while pos < bytes.count && bytes[pos] != 10 { pos += 1 }
            } else {
                return
            }
        }
    }

    private mutating func punct() -> String? {
        for p in Self.puncts3 where matchAt(p) {
            pos += 3
            return p
        }
        for p in Self.puncts2 where matchAt(p) {
            pos += 2
            return p
        }
        if Self.puncts1.contains(bytes[pos]) {
            pos += 1
            return String(UnicodeScalar(bytes[pos - 1]))
        }
        return nil
    }

    private func matchAt(_ p: String) -> Bool {
        let u = Array(p.utf8)
        guard pos + u.count <= bytes.count else { return false }
        for (i, b) in u.enumerated() where bytes[pos + i] != b { return false }
        return true
    }

    /// 123, 1_000, 0xff, 1e18, 2.5e6, 1.5E+3.
    private mutating func number() throws(FilterCompileError) -> Int512 {
        let start = pos
        if bytes[pos] == UInt8(ascii: "0") && pos + 1 < bytes.count && (bytes[pos + 1] | 0x20) == UInt8(ascii: "x") {
            pos += 2
            var digits: [UInt8] = []
            while pos < bytes.count && (filterHexDigit(bytes[pos]) != nil || bytes[pos] == UInt8(ascii: "_")) {
                if bytes[pos] != UInt8(ascii: "_") { digits.append(bytes[pos]) }
                pos += 1
            }
            if digits.isEmpty { throw error("expected hex digits after '0x'", pos) }
            if pos < bytes.count && filterIsIdentPart(bytes[pos]) { throw error("invalid hex digit", pos) }
            guard let v = digits.withUnsafeBufferPointer({ Int512(hex: $0) }) else {
                throw error("hex literal is wider than 512 bits", start)
            }
            return v
        }
        var intDigits: [UInt8] = []
        var fracDigits: [UInt8] = []
        while pos < bytes.count && (filterIsDigit(bytes[pos]) || bytes[pos] == UInt8(ascii: "_")) {
            if bytes[pos] != UInt8(ascii: "_") { intDigits.append(bytes[pos]) }
            pos += 1
        }
        var hasFraction = false
        if pos + 1 < bytes.count && bytes[pos] == UInt8(ascii: ".") && filterIsDigit(bytes[pos + 1]) {
            hasFraction = true
            pos += 1
            while pos < bytes.count && (filterIsDigit(bytes[pos]) || bytes[pos] == UInt8(ascii: "_")) {
                if bytes[pos] != UInt8(ascii: "_") { fracDigits.append(bytes[pos]) }
                pos += 1
            }
        }
        var exponent = 0
        var hasExponent = false
        if pos < bytes.count && (bytes[pos] | 0x20) == UInt8(ascii: "e") {
            let ePos = pos
            pos += 1
            var expNeg = false
            if pos < bytes.count && (bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-")) {
                expNeg = bytes[pos] == UInt8(ascii: "-")
                pos += 1
            }
            var expDigits = 0
            while pos < bytes.count && filterIsDigit(bytes[pos]) {
                if exponent < 100_000 { exponent = exponent * 10 + Int(bytes[pos] - 48) }
                expDigits += 1
                pos += 1
            }
            if expDigits == 0 { throw error("expected exponent digits after 'e'", ePos + 1) }
            if expNeg { exponent = -exponent }
            hasExponent = true
        }
        if pos < bytes.count && filterIsIdentPart(bytes[pos]) {
            throw error("unexpected '\(String(UnicodeScalar(bytes[pos])))' in number", pos)
        }
        // value = intDigits.fracDigits * 10^exponent; whole only if the
        // fractional part is absorbed by the exponent (trailing zeros are fine).
        while let last = fracDigits.last, last == UInt8(ascii: "0") { fracDigits.removeLast() }
        let shift = exponent - fracDigits.count
        var all = intDigits + fracDigits
        if shift < 0 {
            // Dropping digits is exact only when they are zeros.
            let drop = -shift
            if drop > all.count || all[(all.count - drop)...].contains(where: { $0 != UInt8(ascii: "0") }) {
                let what = hasFraction && !hasExponent ? "fractional numbers are not supported" : "not a whole number"
                throw error("\(what): numbers are exact integers (write 2.5e6, 10**18 or an integer)", start)
            }
            all.removeLast(drop)
        } else {
            if shift > 160 { throw error("number is wider than 512 bits", start) }
            all.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: shift))
        }
        if all.isEmpty { all = [UInt8(ascii: "0")] }
        guard let v = all.withUnsafeBufferPointer({ Int512(decimal: $0) }) else {
            throw error("number is wider than 512 bits", start)
        }
        return v
    }

    /// JSON string syntax, including \uXXXX surrogate pairs.
    private mutating func string() throws(FilterCompileError) -> String {
        let start = pos
        pos += 1
        var out: [UInt8] = []
        while true {
            guard pos < bytes.count else { throw error("unterminated string; expected '\"'", start) }
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") {
                guard pos + 1 < bytes.count else { throw error("unterminated escape", pos) }
                let e = bytes[pos + 1]
                pos += 2
                switch e {
                case UInt8(ascii: "\""): out.append(34)
                case UInt8(ascii: "\\"): out.append(92)
                case UInt8(ascii: "/"): out.append(47)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "u"):
                    var scalar = try hex4(pos - 2)
                    if scalar >= 0xD800 && scalar < 0xDC00 {
                        guard pos + 1 < bytes.count, bytes[pos] == 92, bytes[pos + 1] == UInt8(ascii: "u") else {
                            throw error("expected a low surrogate \\uDC00-\\uDFFF after a high surrogate", pos)
                        }
                        pos += 2
                        let low = try hex4(pos - 2)
                        guard low >= 0xDC00 && low < 0xE000 else {
                            throw error("expected a low surrogate \\uDC00-\\uDFFF", pos - 6)
                        }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if scalar >= 0xDC00 && scalar < 0xE000 {
                        throw error("lone low surrogate in \\u escape", pos - 6)
                    }
                    out.append(contentsOf: Array(String(UnicodeScalar(scalar) ?? "\u{FFFD}").utf8))
                default:
                    throw error(
                        "invalid escape '\\\(String(UnicodeScalar(e)))' (JSON escapes: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)",
                        pos - 2)
                }
                continue
            }
            if c < 0x20 { throw error("control character in string; use an escape such as \\n", pos) }
            out.append(c)
            pos += 1
        }
    }

    private mutating func hex4(_ escStart: Int) throws(FilterCompileError) -> UInt32 {
        guard pos + 4 <= bytes.count else { throw error("expected 4 hex digits after \\u", escStart) }
        var v: UInt32 = 0
        for k in 0..<4 {
            guard let d = filterHexDigit(bytes[pos + k]) else {
                throw error("expected 4 hex digits after \\u", escStart)
            }
            v = v << 4 | UInt32(d)
        }
        pos += 4
        return v
    }
}

@inline(__always) func filterIsDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
@inline(__always) func filterIsIdentStart(_ c: UInt8) -> Bool {
    (c | 0x20) >= 97 && (c | 0x20) <= 122 || c == UInt8(ascii: "_") || c == UInt8(ascii: "$")
}
@inline(__always) func filterIsIdentPart(_ c: UInt8) -> Bool { filterIsIdentStart(c) || filterIsDigit(c) }
