/// Parses human-readable ABI declarations, the form ethers and viem use:
///
///     event Transfer(address indexed from, address indexed to, uint256 value)
///     event Swap(address indexed sender, (uint256 a, bytes b)[] legs) anonymous
///     Transfer(address,address,uint256)
///
/// and type strings such as `uint256`, `(address,uint256)[2][]` or
/// `tuple(address owner, uint256 amount)`.
package enum HumanReadableABI {
    /// Parses a text of declarations, one per line (or separated by `;`).
    /// `function`, `error`, `constructor`, `struct` and other non-event lines
    /// are skipped, as are blank lines and `#` or `//` comments.
    package static func parseEvents(_ text: String) throws(ABIParseError) -> [ABIEvent] {
        var events: [ABIEvent] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Substring(rawLine)
            if let c = line.indices.first(where: { line[$0] == "/" && line[line.index(after: $0)...].first == "/" }) {
                line = line[..<c]
            }
            if line.trimmingCharacters(in: " \t\r").first == "#" { continue }
            for piece in line.split(separator: ";") {
                let decl = piece.trimmingCharacters(in: " \t\r")
                if decl.isEmpty { continue }
                do throws(ABIParseError) {
                    if let e = try parseDeclaration(decl) { events.append(e) }
                } catch {
                    throw ABIParseError("line \(lineNumber): \(error.message)")
                }
            }
        }
        return events
    }

    /// Parses one declaration; nil when it declares something other than an event.
    package static func parseDeclaration(_ text: String) throws(ABIParseError) -> ABIEvent? {
        var p = Parser(text)
        p.skipSpace()
        let first = p.peekIdentifier()
        switch first {
        case "function", "error", "constructor", "fallback", "receive", "struct", "modifier":
            return nil
        case "event":
            _ = p.identifier()
            p.skipSpace()
            guard let name = p.identifier() else { throw p.error("expected an event name after 'event'") }
            let params = try p.eventParams()
            p.skipSpace()
            var anonymous = false
            if p.peekIdentifier() == "anonymous" {
                _ = p.identifier()
                anonymous = true
            }
            try p.expectEnd()
            return ABIEvent(name: name, inputs: params, anonymous: anonymous)
        default:
            // Bare signature, `Transfer(address,address,uint256)`: it says nothing about
            // which parameters are indexed, so the registry works that out from the topic count.
            guard let name = p.identifier() else { throw p.error("expected 'event Name(…)' or 'Name(type,…)'") }
            let params = try p.eventParams()
            try p.expectEnd()
            var e = ABIEvent(name: name, inputs: params)
            if params.contains(where: \.indexed) { return e }
            e.indexingKnown = false
            return e
        }
    }

    /// Parses a type string: `uint256`, `(uint8,string)[]`, `tuple(address a, bool b)[3]`.
    package static func parseType(_ text: String) throws(ABIParseError) -> ABIType {
        var p = Parser(text)
        let t = try p.type(depth: 0)
        try p.expectEnd()
        return t
    }

    /// The elementary-type table shared with the JSON ABI parser.
    static func elementary(_ name: String) -> ABIType? {
        switch name {
        case "address": return .address
        case "bool": return .bool
        case "string": return .string
        case "bytes": return .bytes
        case "uint": return .uint(bits: 256)
        case "int": return .int(bits: 256)
        case "byte": return .fixedBytes(1)
        default: break
        }
        func suffixNumber(_ prefix: String) -> Int? {
            guard name.hasPrefix(prefix) else { return nil }
            let digits = name.dropFirst(prefix.count)
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy(\.isASCIIDigit), digits.first != "0" else {
                return nil
            }
            return Int(digits)
        }
        if let n = suffixNumber("uint") { return n % 8 == 0 && n >= 8 && n <= 256 ? .uint(bits: n) : nil }
        if let n = suffixNumber("int") { return n % 8 == 0 && n >= 8 && n <= 256 ? .int(bits: n) : nil }
        if let n = suffixNumber("bytes") { return n >= 1 && n <= 32 ? .fixedBytes(n) : nil }
        return nil
    }

    /// Applies array suffixes such as `[2][]` (outermost last, as Solidity reads them).
    static func applyArraySuffixes(_ base: ABIType, _ suffix: Substring) throws(ABIParseError) -> ABIType {
        var t = base
        var rest = suffix
        while !rest.isEmpty {
            guard rest.first == "[", let close = rest.firstIndex(of: "]") else {
                throw ABIParseError("bad array suffix '\(suffix)'")
            }
            let inner = rest[rest.index(after: rest.startIndex)..<close]
            if inner.isEmpty {
                t = .array(t)
            } else {
                guard inner.count <= 6, inner.allSatisfy(\.isASCIIDigit), let k = Int(inner), k > 0,
                    k <= ABILimits.maxFixedArrayLength
                else {
                    throw ABIParseError("bad array length '[\(inner)]' (1…\(ABILimits.maxFixedArrayLength))")
                }
                t = .fixedArray(t, k)
            }
            rest = rest[rest.index(after: close)...]
        }
        guard t.depth <= ABILimits.maxDepth else {
            throw ABIParseError("type nested deeper than \(ABILimits.maxDepth)")
        }
        return t
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}

/// A small recursive-descent parser over the characters of one declaration.
private struct Parser {
    let chars: [Character]
    var i = 0
    let text: String

    init(_ text: String) {
        self.text = text
        chars = Array(text)
    }

    func error(_ m: String) -> ABIParseError {
        ABIParseError("\(m) at column \(i + 1) of '\(text)'")
    }

    mutating func skipSpace() {
        while i < chars.count, chars[i] == " " || chars[i] == "\t" || chars[i] == "\r" || chars[i] == "\n" { i += 1 }
    }

    func peekIdentifier() -> String? {
        var j = i
        var s = ""
        while j < chars.count, Self.isIdent(chars[j], first: s.isEmpty) {
            s.append(chars[j])
            j += 1
        }
        return s.isEmpty ? nil : s
    }

    mutating func identifier() -> String? {
        guard let s = peekIdentifier() else { return nil }
        i += s.count
        return s
    }

    static func isIdent(_ c: Character, first: Bool) -> Bool {
        guard c.isASCII else { return false }
        return c.isLetter || c == "_" || c == "$" || (!first && c.isNumber)
    }

    mutating func expect(_ c: Character) throws(ABIParseError) {
        skipSpace()
        guard i < chars.count, chars[i] == c else { throw error("expected '\(c)'") }
        i += 1
    }

    mutating func expectEnd() throws(ABIParseError) {
        skipSpace()
        guard i == chars.count else { throw error("unexpected '\(chars[i])'") }
    }

    mutating func eventParams() throws(ABIParseError) -> [ABIEventParam] {
        try expect("(")
        var params: [ABIEventParam] = []
        skipSpace()
        if i < chars.count, chars[i] == ")" {
            i += 1
            return params
        }
        while true {
            let t = try type(depth: 0)
            var indexed = false
            var name = ""
            while true {
                skipSpace()
                guard let word = peekIdentifier() else { break }
                i += word.count
                switch word {
                case "indexed": indexed = true
                case "memory", "calldata", "storage", "payable": continue
                default:
                    guard name.isEmpty else { throw error("unexpected '\(word)' after parameter name '\(name)'") }
                    name = word
                }
            }
            params.append(ABIEventParam(name: name, type: t, indexed: indexed))
            if try endOfListItem() { return params }
        }
    }

    /// After a list item: consumes "," (more items follow: false) or ")"
    /// (the list ends: true).
    mutating func endOfListItem() throws(ABIParseError) -> Bool {
        skipSpace()
        guard i < chars.count else { throw error("expected ')'") }
        if chars[i] == "," {
            i += 1
            return false
        }
        if chars[i] == ")" {
            i += 1
            return true
        }
        throw error("expected ',' or ')'")
    }

    mutating func type(depth: Int) throws(ABIParseError) -> ABIType {
        guard depth <= ABILimits.maxDepth else { throw error("type nested deeper than \(ABILimits.maxDepth)") }
        skipSpace()
        var base: ABIType
        if peekIdentifier() == "tuple" {
            i += 5
            skipSpace()
            guard i < chars.count, chars[i] == "(" else { throw error("expected '(' after 'tuple'") }
        }
        if i < chars.count, chars[i] == "(" {
            base = .tuple(try components(depth: depth + 1))
        } else {
            guard let name = identifier() else { throw error("expected a type") }
            guard let t = HumanReadableABI.elementary(name) else { throw error("unknown type '\(name)'") }
            base = t
        }
        let start = i
        while i < chars.count, chars[i] == "[" {
            guard let close = chars[i...].firstIndex(of: "]") else { throw error("expected ']'") }
            i = close + 1
        }
        let suffix = String(chars[start..<i])
        do throws(ABIParseError) {
            return try HumanReadableABI.applyArraySuffixes(base, Substring(suffix))
        } catch {
            throw self.error(error.message)
        }
    }

    mutating func components(depth: Int) throws(ABIParseError) -> [ABIComponent] {
        try expect("(")
        var cs: [ABIComponent] = []
        skipSpace()
        if i < chars.count, chars[i] == ")" {
            i += 1
            return cs
        }
        while true {
            let t = try type(depth: depth)
            var name = ""
            while true {
                skipSpace()
                guard let word = peekIdentifier() else { break }
                i += word.count
                switch word {
                case "memory", "calldata", "storage", "payable": continue
                default:
                    guard name.isEmpty else { throw error("unexpected '\(word)' after component name '\(name)'") }
                    name = word
                }
            }
            cs.append(ABIComponent(name: name, type: t))
            if try endOfListItem() { return cs }
        }
    }
}
