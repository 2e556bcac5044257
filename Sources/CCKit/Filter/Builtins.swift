import CCCore
import CCEthereum
import CCJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The language's functions. Every function returns null when an argument
/// it needs is null (so a missing field never stops a filter), except
/// `coalesce`, whose job is nulls.
enum FilterFunction: String, CaseIterable, Sendable {
    case lower, upper, len, contains, startsWith, endsWith, replace, substr, concat
    case int, str, hex
    case abs, min, max, coalesce
    case keccak256, checksum, formatUnits, parseUnits, ecrecover, matches

    /// Parameter types the compiler checks against literal arguments.
    enum Param { case any, string, number, numberOrString }

    var arity: ClosedRange<Int> {
        switch self {
        case .lower, .upper, .len, .int, .str, .hex, .abs, .keccak256, .checksum: return 1...1
        case .contains, .startsWith, .endsWith, .formatUnits, .parseUnits, .matches: return 2...2
        case .replace: return 3...3
        case .substr: return 2...3
        case .ecrecover: return 4...4
        case .min, .max, .coalesce, .concat: return 1...64
        }
    }

    func param(_ i: Int) -> Param {
        switch self {
        case .lower, .upper, .startsWith, .endsWith, .replace, .checksum, .matches: return .string
        case .substr: return i == 0 ? .string : .number
        case .abs, .min, .max: return .numberOrString
        case .formatUnits: return i == 0 ? .numberOrString : .number
        case .parseUnits: return i == 0 ? .any : .number
        case .ecrecover: return .numberOrString
        default: return .any
        }
    }

    var resultType: FilterType {
        switch self {
        case .lower, .upper, .replace, .substr, .concat, .str, .hex, .keccak256, .checksum, .formatUnits, .ecrecover:
            return .string
        case .len, .int, .abs, .min, .max, .parseUnits: return .number
        case .contains, .startsWith, .endsWith, .matches: return .bool
        case .coalesce: return .any
        }
    }

    var signature: String {
        switch self {
        case .lower: return "lower(string)"
        case .upper: return "upper(string)"
        case .len: return "len(string|list|object)"
        case .contains: return "contains(string|list, value)"
        case .startsWith: return "startsWith(string, prefix)"
        case .endsWith: return "endsWith(string, suffix)"
        case .replace: return "replace(string, old, new)"
        case .substr: return "substr(string, start[, length])"
        case .concat: return "concat(value, …)"
        case .int: return "int(value)"
        case .str: return "str(value)"
        case .hex: return "hex(value)"
        case .abs: return "abs(number)"
        case .min: return "min(number, …)"
        case .max: return "max(number, …)"
        case .coalesce: return "coalesce(value, …)"
        case .keccak256: return "keccak256(value)"
        case .checksum: return "checksum(address)"
        case .formatUnits: return "formatUnits(number, decimals)"
        case .parseUnits: return "parseUnits(string, decimals)"
        case .ecrecover: return "ecrecover(hash, v, r, s)"
        case .matches: return "matches(string, regex)"
        }
    }
}

/// Static types the compiler tracks; `any` is anything read from the event.
enum FilterType: Equatable, Sendable {
    case any, null, bool, number, string, list, object

    var name: String {
        switch self {
        case .any: return "value"
        case .null: return "null"
        case .bool: return "bool"
        case .number: return "number"
        case .string: return "string"
        case .list: return "list"
        case .object: return "object"
        }
    }
}

/// Evaluates one call. `regexCache` holds compiled patterns across events.
struct FilterFunctionEvaluator {
    /// Longest string a function may return. `replace(s, "a", s)` squares
    /// its input and nesting repeats that, so without a cap a small program
    /// exhausts memory; no event field is near this size.
    static let maxStringBytes = 16 << 20

    var regexCache: [[UInt8]: FilterRegex] = [:]

    mutating func call(_ fn: FilterFunction, _ args: [FilterValue]) throws(FilterRuntimeError) -> FilterValue {
        let v = try callUnchecked(fn, args)
        if case .string(let b) = v, b.count > Self.maxStringBytes { throw Self.tooLong(fn) }
        return v
    }

    static func tooLong(_ fn: FilterFunction) -> FilterRuntimeError {
        FilterRuntimeError(
            "\(fn.rawValue)() result longer than \(maxStringBytes >> 20) MiB (cc-filter's limit for strings)")
    }

    private mutating func callUnchecked(_ fn: FilterFunction, _ args: [FilterValue]) throws(FilterRuntimeError)
        -> FilterValue
    {
        // min and max skip nulls, as SQL's aggregates do, and coalesce is
        // about them; the rest propagate them.
        if fn != .min && fn != .max && fn != .coalesce {
            for a in args where a.isNull { return .null }
        }
        switch fn {
        case .lower, .upper:
            let b = try stringArg(args[0], fn)
            if b.allSatisfy({ $0 < 0x80 }) {
                return .string(
                    b.map { c in
                        if fn == .lower { return c >= 65 && c <= 90 ? c | 0x20 : c }
                        return c >= 97 && c <= 122 ? c & ~0x20 : c
                    })
            }
            let s = String(decoding: b, as: UTF8.self)
            return .string(fn == .lower ? s.lowercased() : s.uppercased())
        case .len:
            if let b = args[0].stringBytes {
                return .int(Int512(String(decoding: b, as: UTF8.self).unicodeScalars.count))
            }
            if let e = args[0].elements { return .int(Int512(e.count)) }
            if let o = args[0].objectMembers { return .int(Int512(o.keys.count)) }
            throw FilterRuntimeError("len() needs a string, list or object, got \(args[0].typeName)")
        case .contains:
            if let items = args[0].elements {
                for item in items where FilterComparison.equal(item, args[1]) { return .bool(true) }
                return .bool(false)
            }
            let h = try stringArg(args[0], fn)
            let n = try stringArg(args[1], fn)
            return .bool(filterFind(n, in: h, from: 0) != nil)
        case .startsWith:
            let s = try stringArg(args[0], fn), p = try stringArg(args[1], fn)
            return .bool(s.count >= p.count && Array(s[0..<p.count]) == p)
        case .endsWith:
            let s = try stringArg(args[0], fn), p = try stringArg(args[1], fn)
            return .bool(s.count >= p.count && Array(s[(s.count - p.count)...]) == p)
        case .replace:
            let s = try stringArg(args[0], fn), old = try stringArg(args[1], fn), new = try stringArg(args[2], fn)
            if old.isEmpty { return .string(s) }
            var out: [UInt8] = []
            var i = 0
            while let j = filterFind(old, in: s, from: i) {
                out.append(contentsOf: s[i..<j])
                out.append(contentsOf: new)
                // Stop as soon as the cap is passed, not after building it all.
                if out.count > Self.maxStringBytes { throw Self.tooLong(fn) }
                i = j + old.count
            }
            out.append(contentsOf: s[i...])
            return .string(out)
        case .substr:
            let scalars = Array(String(decoding: try stringArg(args[0], fn), as: UTF8.self).unicodeScalars)
            guard let startN = try intArg(args[1], fn).int else { return .string([]) }
            var start = startN < 0 ? Swift.max(0, scalars.count + startN) : Swift.min(startN, scalars.count)
            var end = scalars.count
            if args.count == 3 {
                guard let length = try intArg(args[2], fn).int, length >= 0 else {
                    throw FilterRuntimeError("substr() length must be a non-negative integer")
                }
                end = Swift.min(scalars.count, start + Swift.min(length, scalars.count))
            }
            start = Swift.min(start, end)
            var s = String.UnicodeScalarView()
            s.append(contentsOf: scalars[start..<end])
            return .string(String(s))
        case .concat:
            var out: [UInt8] = []
            for a in args {
                out.append(contentsOf: a.stringBytes ?? a.textForm)
                if out.count > Self.maxStringBytes { throw Self.tooLong(fn) }
            }
            return .string(out)
        case .int:
            if case .bool(let b) = args[0] { return .int(b ? .one : .zero) }
            guard let v = try args[0].number(for: "int()") else { return .null }
            return .int(v)
        case .str:
            if let b = args[0].stringBytes { return .string(b) }
            return .string(args[0].textForm)
        case .hex:
            if let v = try? args[0].number(for: "hex()") {
                return .string(v.hexString)
            }
            let b = try stringArg(args[0], fn)
            var out: [UInt8] = Array("0x".utf8)
            b.withUnsafeBufferPointer { Hex.append($0, to: &out, prefix: false) }
            return .string(out)
        case .abs:
            guard let v = try args[0].number(for: "abs()") else { return .null }
            return .int(v.absolute)
        case .min, .max:
            let items = args.count == 1 ? (args[0].elements ?? args) : args
            var best: FilterValue? = nil
            for item in items where !item.isNull {
                guard let b = best else {
                    best = item
                    continue
                }
                if let c = try FilterComparison.order(item, b, fn.rawValue + "()"), fn == .min ? c < 0 : c > 0 {
                    best = item
                }
            }
            guard let b = best else { return .null }
            if let v = try? b.number(for: fn.rawValue) { return .int(v) }
            return b
        case .keccak256:
            let data = try bytesArg(args[0], fn)
            return .string(Hex.encode(Keccak256.hash(data)))
        case .checksum:
            let b = try stringArg(args[0], fn)
            guard b.count == 42, let raw = Hex.decode(String(decoding: b, as: UTF8.self)), raw.count == 20 else {
                throw FilterRuntimeError("checksum() needs a 20-byte 0x address, got \(args[0].preview)")
            }
            return .string(raw.withUnsafeBufferPointer { ChecksumAddress.string($0) })
        case .formatUnits:
            guard let v = try args[0].number(for: "formatUnits()") else { return .null }
            let d = try decimalsArg(args[1], fn)
            return .string(DecimalUnits.format(v, decimals: d))
        case .parseUnits:
            let d = try decimalsArg(args[1], fn)
            let text = args[0].stringBytes ?? args[0].textForm
            return .int(try DecimalUnits.parse(text, decimals: d))
        case .ecrecover:
            return try ecrecover(args)
        case .matches:
            let s = try stringArg(args[0], fn), pattern = try stringArg(args[1], fn)
            let re = try regex(pattern)
            return .bool(try re.firstMatch(in: Array(String(decoding: s, as: UTF8.self).unicodeScalars)))
        case .coalesce:
            return args.first { !$0.isNull } ?? .null
        }
    }

    mutating func regex(_ pattern: [UInt8]) throws(FilterRuntimeError) -> FilterRegex {
        if let r = regexCache[pattern] { return r }
        let r = try FilterRegex(String(decoding: pattern, as: UTF8.self))
        if regexCache.count > 1024 { regexCache.removeAll() }
        regexCache[pattern] = r
        return r
    }

    private func ecrecover(_ args: [FilterValue]) throws(FilterRuntimeError) -> FilterValue {
        func word(_ v: FilterValue, _ name: String) throws(FilterRuntimeError) -> [UInt8] {
            if let b = v.stringBytes, filterIsHexBytes(b) {
                if let raw = Hex.decode(String(decoding: b, as: UTF8.self)), raw.count == 32 { return raw }
                if name == "hash" { throw FilterRuntimeError("ecrecover() hash must be 32 bytes, got \(v.preview)") }
            }
            guard let n = try v.number(for: "ecrecover()"), let w = n.bigEndian32 else {
                throw FilterRuntimeError("ecrecover() \(name) must be 32 bytes, got \(v.preview)")
            }
            return w
        }
        let hash = try word(args[0], "hash")
        guard let vNum = try args[1].number(for: "ecrecover()"), let v = vNum.int, [0, 1, 27, 28].contains(v) else {
            throw FilterRuntimeError("ecrecover() v must be 0, 1, 27 or 28, got \(args[1].preview)")
        }
        let sig = try word(args[2], "r") + word(args[3], "s") + [UInt8(v)]
        guard let address = Secp256k1.recoverAddress(hash: hash, signature65: sig) else { return .null }
        return .string(address.withUnsafeBufferPointer { ChecksumAddress.string($0) })
    }

    private func stringArg(_ v: FilterValue, _ fn: FilterFunction) throws(FilterRuntimeError) -> [UInt8] {
        guard let b = v.stringBytes else {
            throw FilterRuntimeError("\(fn.signature): expected a string, got \(v.typeName) \(v.preview)")
        }
        return b
    }

    private func intArg(_ v: FilterValue, _ fn: FilterFunction) throws(FilterRuntimeError) -> Int512 {
        guard let n = try v.number(for: fn.rawValue + "()") else { return .zero }
        return n
    }

    private func decimalsArg(_ v: FilterValue, _ fn: FilterFunction) throws(FilterRuntimeError) -> Int {
        guard let n = try v.number(for: fn.rawValue + "()"), let d = n.int, d >= 0, d <= 77 else {
            throw FilterRuntimeError("\(fn.signature): decimals must be an integer from 0 to 77, got \(v.preview)")
        }
        return d
    }

    /// keccak256 input: hex strings are their bytes (as in Solidity and
    /// `cast keccak`), other strings their UTF-8, numbers a 32-byte word.
    private func bytesArg(_ v: FilterValue, _ fn: FilterFunction) throws(FilterRuntimeError) -> [UInt8] {
        if let b = v.stringBytes {
            if filterIsHexBytes(b), b.count % 2 == 0, let raw = Hex.decode(String(decoding: b, as: UTF8.self)) {
                return raw
            }
            return b
        }
        if let n = try? v.number(for: "keccak256()") {
            guard let w = n.bigEndian32 else {
                throw FilterRuntimeError("keccak256() of a number needs 0 <= n < 2^256, got \(n)")
            }
            return w
        }
        throw FilterRuntimeError("\(fn.signature): expected a string or number, got \(v.typeName)")
    }
}

func filterIsHexBytes(_ b: [UInt8]) -> Bool { b.withUnsafeBufferPointer { filterIsHexString($0) } }

/// Knuth–Morris–Pratt: linear, where a naive scan is quadratic on inputs
/// such as "aaaa…" searched for "aa…ab" (a 100 kB `replace()` ran minutes).
/// Repeated calls (replace's loop) rebuild the table, but a match consumes
/// the needle's length, so that stays linear too.
func filterFind(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
    let m = needle.count
    if m == 0 { return from <= hay.count ? from : nil }
    guard from <= hay.count, hay.count - from >= m else { return nil }
    if m == 1 { return hay[from...].firstIndex(of: needle[0]) }
    var fail = [Int](repeating: 0, count: m)
    var k = 0
    for q in 1..<m {
        while k > 0 && needle[q] != needle[k] { k = fail[k - 1] }
        if needle[q] == needle[k] { k += 1 }
        fail[q] = k
    }
    k = 0
    for i in from..<hay.count {
        while k > 0 && hay[i] != needle[k] { k = fail[k - 1] }
        if hay[i] == needle[k] { k += 1 }
        if k == m { return i - m + 1 }
    }
    return nil
}

extension FilterValue {
    /// `str()`'s form: numbers in decimal, strings as they are, the rest as JSON.
    var textForm: [UInt8] {
        switch self {
        case .int(let v):
            var out: [UInt8] = []
            v.appendDecimal(to: &out)
            return out
        case .json(let j) where j.kind == .number:
            if let v = Int512(jsonNumber: j.raw) { return FilterValue.int(v).textForm }
            return Array(j.raw)
        default:
            if let b = stringBytes { return b }
            var w = JSONWriter(capacity: 64)
            writeJSON(to: &w)
            return w.bytes
        }
    }
}

/// Exact conversions between integer base units and decimal strings
/// (`formatUnits(1500000, 6) == "1.5"`), as ethers.js does them.
enum DecimalUnits {
    /// Always has a fractional part, trimmed of trailing zeros but at least
    /// one digit: `"1.0"`, `"0.000001"`, `"-2.5"`.
    static func format(_ v: Int512, decimals: Int) -> [UInt8] {
        var digits: [UInt8] = []
        v.magnitude.appendDecimal(to: &digits)
        var out: [UInt8] = v.isNegative ? [UInt8(ascii: "-")] : []
        if digits.count <= decimals {
            digits = [UInt8](repeating: UInt8(ascii: "0"), count: decimals - digits.count + 1) + digits
        }
        let intPart = digits[..<(digits.count - decimals)]
        var frac = Array(digits[(digits.count - decimals)...])
        while frac.count > 1, frac.last == UInt8(ascii: "0") { frac.removeLast() }
        if frac.isEmpty || frac == [UInt8(ascii: "0")] { frac = [UInt8(ascii: "0")] }
        out.append(contentsOf: intPart)
        out.append(UInt8(ascii: "."))
        out.append(contentsOf: frac)
        return out
    }

    static func parse(_ text: [UInt8], decimals: Int) throws(FilterRuntimeError) -> Int512 {
        let shown = filterQuoted(String(decoding: text, as: UTF8.self))
        var s = text
        var negative = false
        if s.first == UInt8(ascii: "-") {
            negative = true
            s.removeFirst()
        }
        let parts = s.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !(whole.isEmpty && (parts.count == 1 || parts[1].isEmpty)),
            whole.allSatisfy(filterIsDigit), parts.count == 1 || parts[1].allSatisfy(filterIsDigit)
        else {
            throw FilterRuntimeError("parseUnits(): \(shown) is not a decimal number")
        }
        var frac = parts.count == 2 ? Array(parts[1]) : []
        while frac.count > decimals, frac.last == UInt8(ascii: "0") { frac.removeLast() }
        if frac.count > decimals {
            throw FilterRuntimeError("parseUnits(): \(shown) has more than \(decimals) fractional digits")
        }
        var all = Array(whole) + frac + [UInt8](repeating: UInt8(ascii: "0"), count: decimals - frac.count)
        if all.isEmpty { all = [UInt8(ascii: "0")] }
        guard let v = all.withUnsafeBufferPointer({ Int512(decimal: $0) }) else {
            throw FilterRuntimeError("parseUnits(): \(shown) overflows 512 bits")
        }
        return negative ? v.negated : v
    }
}
