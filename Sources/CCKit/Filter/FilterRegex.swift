import CCCore

/// The engine behind `matches()`: a Thompson NFA run as a Pike VM over
/// Unicode scalars, so a search costs O(text length × program size) whatever
/// the pattern (RE2's guarantee). A backtracking engine takes 51 s for
/// `^(a+)+$` on 20 `a`s and a `!`, and cannot be stopped; this one answers
/// in microseconds and checks for SIGINT/SIGTERM as it goes.
///
/// Syntax: literals and `\` escapes, `.`, `[…]` classes with ranges and
/// negation, `\d \D \w \W \s \S`, `^ $ \A \z \Z \b \B`, groups `(…)`,
/// `(?:…)`, `(?<name>…)`, the flags `(?ims)` and `(?i:…)`, `|`, `* + ? {n} {n,} {n,m}`
/// (lazy and possessive forms accepted; they match the same). Not
/// supported, refused when compiled: backreferences and lookaround, which
/// no linear-time engine can offer.
package struct FilterRegex {
    /// Largest compiled program; `{n,m}` copies its operand, so
    /// `(a{1000}){1000}` would otherwise be a million states.
    static let maxProgram = 10_000

    enum Assertion { case start, end, endOrFinalNewline, lineStart, lineEnd, wordBoundary, notWordBoundary }

    struct CharClass {
        var ranges: [ClosedRange<UInt32>] = []
        var shorthands: [(kind: UInt8, negated: Bool)] = []  // d, w, s
        var negated = false
        var caseInsensitive = false
    }

    enum Instr {
        case scalar(UInt32, caseInsensitive: Bool)
        case any  // every scalar but \n
        case charClass(Int)
        case split(Int, Int)
        case jump(Int)
        case assert(Assertion)
        case match
    }

    private(set) var program: [Instr] = []
    private var classes: [CharClass] = []

    package init(_ pattern: String) throws(FilterRuntimeError) {
        var p = RegexParser(Array(pattern.unicodeScalars))
        let ast = try p.parseAll()
        try emit(ast)
        program.append(.match)
    }

    // MARK: - Matching

    /// True when the pattern matches anywhere in `text`. Checks for a stop
    /// request every 64 Ki steps (a step is one state on one scalar).
    package func firstMatch(in text: [Unicode.Scalar]) throws(FilterRuntimeError) -> Bool {
        let n = program.count
        var current = SparseSet(capacity: n), next = SparseSet(capacity: n)
        var stack: [Int] = []
        var work = 0
        for pos in 0...text.count {
            // Unanchored search: a new thread starts at every position.
            if addThread(0, pos, text, &current, &stack) { return true }
            if pos == text.count { break }
            let c = text[pos].value
            next.clear()
            for k in 0..<current.count {
                let pc = current.dense[k]
                let advance: Bool
                switch program[pc] {
                case .scalar(let s, let ci): advance = c == s || (ci && Self.fold(c) == s)
                case .any: advance = c != 10
                case .charClass(let i): advance = Self.classMatches(classes[i], c)
                default: advance = false
                }
                if advance, addThread(pc + 1, pos + 1, text, &next, &stack) { return true }
            }
            swap(&current, &next)
            work &+= n
            if work > 1 << 16 {
                work = 0
                if SignalState.shouldStop { throw FilterRuntimeError.stopRequested }
            }
        }
        return false
    }

    /// Adds the thread at `pc` and every state reachable without consuming
    /// a scalar; true when one of them is `match`.
    private func addThread(
        _ pc: Int, _ pos: Int, _ text: [Unicode.Scalar], _ set: inout SparseSet, _ stack: inout [Int]
    ) -> Bool {
        stack.removeAll(keepingCapacity: true)
        stack.append(pc)
        while let pc = stack.popLast() {
            guard set.insert(pc) else { continue }
            switch program[pc] {
            case .match: return true
            case .jump(let t): stack.append(t)
            case .split(let a, let b):
                stack.append(b)
                stack.append(a)
            case .assert(let a):
                if Self.holds(a, pos, text) { stack.append(pc + 1) }
            default: break
            }
        }
        return false
    }

    private static func holds(_ a: Assertion, _ pos: Int, _ text: [Unicode.Scalar]) -> Bool {
        switch a {
        case .start: return pos == 0
        case .end: return pos == text.count
        case .endOrFinalNewline: return pos == text.count || (pos == text.count - 1 && text[pos] == "\n")
        case .lineStart: return pos == 0 || text[pos - 1] == "\n"
        case .lineEnd: return pos == text.count || text[pos] == "\n"
        case .wordBoundary, .notWordBoundary:
            let before = pos > 0 && isWord(text[pos - 1].value)
            let after = pos < text.count && isWord(text[pos].value)
            return (before != after) == (a == .wordBoundary)
        }
    }

    static func fold(_ c: UInt32) -> UInt32 {
        if c < 0x80 { return c >= 65 && c <= 90 ? c | 0x20 : c }
        guard let s = Unicode.Scalar(c) else { return c }
        let l = s.properties.lowercaseMapping.unicodeScalars
        return l.count == 1 ? l.first!.value : c
    }

    static func isWord(_ c: UInt32) -> Bool {
        if c < 0x80 { return (c >= 48 && c <= 57) || (c | 0x20 >= 97 && c | 0x20 <= 122) || c == 95 }
        guard let s = Unicode.Scalar(c) else { return false }
        return s.properties.isAlphabetic || s.properties.numericType == .decimal
            || s.properties.generalCategory == .nonspacingMark
    }

    static func shorthand(_ kind: UInt8, _ c: UInt32) -> Bool {
        switch kind {
        case UInt8(ascii: "d"):
            if c < 0x80 { return c >= 48 && c <= 57 }
            return Unicode.Scalar(c)?.properties.numericType == .decimal
        case UInt8(ascii: "w"): return isWord(c)
        default:
            if c < 0x80 { return c == 32 || (c >= 9 && c <= 13) }
            return Unicode.Scalar(c)?.properties.isWhitespace ?? false
        }
    }

    private static func classMatches(_ cc: CharClass, _ c: UInt32) -> Bool {
        var hit = false
        let f = cc.caseInsensitive ? fold(c) : c
        for r in cc.ranges where r.contains(c) || r.contains(f) || (cc.caseInsensitive && r.contains(upper(c))) {
            hit = true
            break
        }
        if !hit {
            for s in cc.shorthands where shorthand(s.kind, c) != s.negated {
                hit = true
                break
            }
        }
        return hit != cc.negated
    }

    private static func upper(_ c: UInt32) -> UInt32 {
        if c < 0x80 { return c >= 97 && c <= 122 ? c & ~0x20 : c }
        guard let s = Unicode.Scalar(c) else { return c }
        let u = s.properties.uppercaseMapping.unicodeScalars
        return u.count == 1 ? u.first!.value : c
    }

    // MARK: - Compiling

    private mutating func append(_ i: Instr) throws(FilterRuntimeError) {
        if program.count >= Self.maxProgram {
            throw FilterRuntimeError(
                "regular expression too large (more than \(Self.maxProgram) states after expanding repetitions)")
        }
        program.append(i)
    }

    private mutating func emit(_ node: RegexNode) throws(FilterRuntimeError) {
        switch node {
        case .empty: break
        case .scalar(let c, let ci): try append(.scalar(ci ? Self.fold(c) : c, caseInsensitive: ci))
        case .any: try append(.any)
        case .charClass(let cc):
            classes.append(cc)
            try append(.charClass(classes.count - 1))
        case .assert(let a): try append(.assert(a))
        case .concat(let parts): for p in parts { try emit(p) }
        case .alternation(let alts):
            // split L1, next; L1: alt0; jump end; next: split …
            var jumps: [Int] = []
            for (k, alt) in alts.enumerated() {
                if k < alts.count - 1 {
                    let split = program.count
                    try append(.split(split + 1, 0))
                    try emit(alt)
                    jumps.append(program.count)
                    try append(.jump(0))
                    program[split] = .split(split + 1, program.count)
                } else {
                    try emit(alt)
                }
            }
            for j in jumps { program[j] = .jump(program.count) }
        case .repeated(let sub, let lo, let hi):
            for _ in 0..<lo { try emit(sub) }
            if let hi {
                // Up to hi - lo optional copies, each skipping to the end.
                var splits: [Int] = []
                for _ in lo..<hi {
                    splits.append(program.count)
                    try append(.split(0, 0))
                    try emit(sub)
                }
                for s in splits { program[s] = .split(s + 1, program.count) }
            } else {
                let loop = program.count
                try append(.split(0, 0))
                try emit(sub)
                try append(.jump(loop))
                program[loop] = .split(loop + 1, program.count)
            }
        }
    }
}

/// A set of program counters with O(1) insert and clear (Russ Cox's sparse set).
private struct SparseSet {
    var dense: [Int]
    var sparse: [Int]
    var count = 0

    init(capacity: Int) {
        dense = Array(repeating: 0, count: capacity)
        sparse = Array(repeating: 0, count: capacity)
    }

    mutating func clear() { count = 0 }

    mutating func insert(_ v: Int) -> Bool {
        let i = sparse[v]
        if i < count && dense[i] == v { return false }
        sparse[v] = count
        dense[count] = v
        count += 1
        return true
    }
}

indirect enum RegexNode {
    case empty
    case scalar(UInt32, Bool)
    case any
    case charClass(FilterRegex.CharClass)
    case assert(FilterRegex.Assertion)
    case concat([RegexNode])
    case alternation([RegexNode])
    case repeated(RegexNode, Int, Int?)
}

/// Pattern text → `RegexNode`. Group nesting is limited like the filter
/// language's, since both this parser and the compiler recurse on it.
struct RegexParser {
    private let s: [Unicode.Scalar]
    private var i = 0
    private var caseInsensitive = false
    /// `(?m)`: `^` and `$` also match at line breaks.
    private var multiline = false
    /// `(?s)`: `.` also matches a newline.
    private var dotAll = false
    private var depth = 0

    init(_ s: [Unicode.Scalar]) { self.s = s }

    private func fail(_ m: String) -> FilterRuntimeError {
        FilterRuntimeError("invalid regular expression at offset \(i): \(m)")
    }

    private var peek: Unicode.Scalar? { i < s.count ? s[i] : nil }

    mutating func parseAll() throws(FilterRuntimeError) -> RegexNode {
        let n = try alternation()
        if i < s.count { throw fail("unmatched ')'") }
        return n
    }

    private mutating func alternation() throws(FilterRuntimeError) -> RegexNode {
        var alts = [try concatenation()]
        while peek == "|" {
            i += 1
            alts.append(try concatenation())
        }
        return alts.count == 1 ? alts[0] : .alternation(alts)
    }

    private mutating func concatenation() throws(FilterRuntimeError) -> RegexNode {
        var parts: [RegexNode] = []
        while let c = peek, c != "|", c != ")" {
            guard let atom = try atom() else { continue }  // a flag group such as (?i)
            parts.append(try quantified(atom))
        }
        return parts.isEmpty ? .empty : (parts.count == 1 ? parts[0] : .concat(parts))
    }

    private mutating func quantified(_ atom: RegexNode) throws(FilterRuntimeError) -> RegexNode {
        guard let c = peek else { return atom }
        var lo = 0, hi: Int? = nil
        switch c {
        case "*": i += 1
        case "+":
            i += 1
            lo = 1
        case "?":
            i += 1
            hi = 1
        case "{":
            guard let (a, b) = braces() else { return atom }  // a literal '{'
            (lo, hi) = (a, b)
        default: return atom
        }
        if let h = hi, h < lo { throw fail("{\(lo),\(h)}: the maximum is below the minimum") }
        if lo > FilterRegex.maxProgram || (hi ?? 0) > FilterRegex.maxProgram {
            throw fail("repetition count above \(FilterRegex.maxProgram)")
        }
        if peek == "?" || peek == "+" { i += 1 }  // lazy or possessive: same answer for a yes/no match
        if let c = peek, c == "*" || c == "+" || c == "?" || (c == "{" && lookaheadBraces()) {
            throw fail("a quantifier cannot follow another; add a group")
        }
        if case .assert = atom { return atom }
        return .repeated(atom, lo, hi)
    }

    private func lookaheadBraces() -> Bool {
        var copy = self
        return copy.braces() != nil
    }

    /// `{n}`, `{n,}`, `{n,m}`; nil (nothing consumed) for anything else,
    /// which is then a literal '{' as in PCRE.
    private mutating func braces() -> (Int, Int?)? {
        var j = i + 1
        func number() -> Int? {
            var v = 0, digits = 0
            while j < s.count, let d = Int(String(s[j])), s[j].isASCII {
                v = min(v * 10 + d, 1 << 30)
                digits += 1
                j += 1
            }
            return digits > 0 ? v : nil
        }
        guard let lo = number() else { return nil }
        var hi: Int? = lo
        if j < s.count, s[j] == "," {
            j += 1
            hi = number()
        }
        guard j < s.count, s[j] == "}" else { return nil }
        i = j + 1
        return (lo, hi)
    }

    private mutating func atom() throws(FilterRuntimeError) -> RegexNode? {
        let c = s[i]
        i += 1
        switch c {
        case ".": return dotAll ? .charClass(FilterRegex.CharClass(negated: true)) : .any
        case "^": return .assert(multiline ? .lineStart : .start)
        case "$": return .assert(multiline ? .lineEnd : .endOrFinalNewline)
        case "[": return .charClass(try charClass())
        case "\\": return try escape(inClass: false).node(caseInsensitive)
        case "*", "+", "?": throw fail("'\(c)' has nothing to repeat")
        case "(": return try group()
        default: return .scalar(c.value, caseInsensitive)
        }
    }

    private mutating func group() throws(FilterRuntimeError) -> RegexNode? {
        depth += 1
        defer { depth -= 1 }
        if depth > FilterParser.maxDepth { throw fail("groups nested deeper than \(FilterParser.maxDepth)") }
        let outer = (caseInsensitive, multiline, dotAll)
        if peek == "?" {
            i += 1
            guard let k = peek else { throw fail("unterminated group") }
            if k == "=" || k == "!" || (k == "<" && i + 1 < s.count && (s[i + 1] == "=" || s[i + 1] == "!")) {
                throw fail("lookaround is not supported (matches() uses a linear-time engine)")
            }
            if k == ":" {
                i += 1
            } else if k == "<" || k == "'" || (k == "P" && i + 1 < s.count && s[i + 1] == "<") {
                // A named group: the name does not matter for a yes/no match.
                // (`(?P=name)` and `(?P>name)` are a backreference and a recursion.)
                let close: Unicode.Scalar = k == "'" ? "'" : ">"
                i += k == "P" ? 2 : 1
                while let x = peek, x != close { i += 1 }
                if peek == nil { throw fail("unterminated group name") }
                i += 1
            } else {
                // Flags: (?i) for the rest of the enclosing group, (?i:…) for a group.
                // U (lazy by default) and u, w (Unicode) change no yes/no answer;
                // x (free spacing) would change how the rest reads, so it is refused.
                var on = true
                while let x = peek, x != ")" && x != ":" {
                    switch x {
                    case "-": on = false
                    case "i": caseInsensitive = on
                    case "m": multiline = on
                    case "s": dotAll = on
                    case "U", "u", "w": break
                    default: throw fail("unknown group flag '\(x)' (flags: i, m, s)")
                    }
                    i += 1
                }
                guard let end = peek else { throw fail("unterminated group") }
                i += 1
                if end == ")" { return nil }
            }
        }
        let inner = try alternation()
        guard peek == ")" else { throw fail("missing ')'") }
        i += 1
        (caseInsensitive, multiline, dotAll) = outer
        return inner
    }

    private enum Escaped {
        case scalar(UInt32)
        case shorthand(UInt8, Bool)
        case assertion(FilterRegex.Assertion)

        func node(_ ci: Bool) -> RegexNode {
            switch self {
            case .scalar(let c): return .scalar(c, ci)
            case .shorthand(let k, let neg):
                return .charClass(FilterRegex.CharClass(shorthands: [(k, neg)], negated: false, caseInsensitive: false))
            case .assertion(let a): return .assert(a)
            }
        }
    }

    private mutating func escape(inClass: Bool) throws(FilterRuntimeError) -> Escaped {
        guard let c = peek else { throw fail("'\\' at the end of the pattern") }
        i += 1
        switch c {
        case "d", "w", "s": return .shorthand(UInt8(c.value), false)
        case "D", "W", "S": return .shorthand(UInt8(c.value) | 0x20, true)
        case "n": return .scalar(10)
        case "t": return .scalar(9)
        case "r": return .scalar(13)
        case "f": return .scalar(12)
        case "v": return .scalar(11)
        case "e": return .scalar(27)
        case "0": return .scalar(0)
        case "b": return inClass ? .scalar(8) : .assertion(.wordBoundary)
        case "B" where !inClass: return .assertion(.notWordBoundary)
        case "A" where !inClass: return .assertion(.start)
        case "z" where !inClass: return .assertion(.end)
        case "Z" where !inClass: return .assertion(.endOrFinalNewline)
        case "x", "u":
            var digits = ""
            if peek == "{" {
                i += 1
                while let x = peek, x != "}" {
                    digits.unicodeScalars.append(x)
                    i += 1
                }
                i += 1
            } else {
                for _ in 0..<(c == "x" ? 2 : 4) where i < s.count {
                    digits.unicodeScalars.append(s[i])
                    i += 1
                }
            }
            guard let v = UInt32(digits, radix: 16), Unicode.Scalar(v) != nil else {
                throw fail("bad \\\(c) escape")
            }
            return .scalar(v)
        default:
            if c.properties.isAlphabetic || (c.isASCII && c.properties.numericType != nil) {
                throw fail("'\\\(c)' is not supported (no backreferences or classes beyond \\d \\w \\s)")
            }
            return .scalar(c.value)
        }
    }

    private mutating func charClass() throws(FilterRuntimeError) -> FilterRegex.CharClass {
        var cc = FilterRegex.CharClass()
        cc.caseInsensitive = caseInsensitive
        if peek == "^" {
            cc.negated = true
            i += 1
        }
        var first = true
        while true {
            guard let c = peek else { throw fail("missing ']'") }
            if c == "]" && !first {
                i += 1
                return cc
            }
            first = false
            i += 1
            var lo: UInt32
            if c == "\\" {
                switch try escape(inClass: true) {
                case .scalar(let v): lo = v
                case .shorthand(let k, let neg):
                    cc.shorthands.append((k, neg))
                    continue
                case .assertion: throw fail("an assertion inside [ ]")
                }
            } else if c == "[", peek == ":" {
                throw fail("POSIX classes [:…:] are not supported; use \\d, \\w, \\s or ranges")
            } else {
                lo = c.value
            }
            if peek == "-", i + 1 < s.count, s[i + 1] != "]" {
                i += 1
                var hi = s[i].value
                i += 1
                if hi == 0x5C {  // '\'
                    guard case .scalar(let v) = try escape(inClass: true) else { throw fail("bad range end") }
                    hi = v
                }
                if hi < lo { throw fail("range out of order") }
                cc.ranges.append(lo...hi)
            } else {
                cc.ranges.append(lo...lo)
            }
        }
    }
}
