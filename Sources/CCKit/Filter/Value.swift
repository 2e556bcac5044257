import CCJSON

/// A value while a program runs. Values read from the event stay `.json`
/// views into the input line until an operation needs them in another form,
/// so `event == "Transfer"` compares bytes and never builds a String.
package enum FilterValue {
    case null
    case bool(Bool)
    case int(Int512)
    /// UTF-8 bytes, unescaped.
    case string([UInt8])
    /// A string, number, array or object of the current input line. Never
    /// null or bool: those are converted when read.
    case json(JSONValue)
    case list([FilterValue])
    case object(FilterObject)

    package static func string(_ s: String) -> FilterValue { .string(Array(s.utf8)) }

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// jq's rule: only `false` and `null` are false.
    var truthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        default: return true
        }
    }

    /// Lifts a scanned JSON value: null and bools become plain values.
    @inline(__always) static func from(_ j: JSONValue) -> FilterValue {
        switch j.kind {
        case .null: return .null
        case .bool: return .bool(j.bool ?? false)
        default: return .json(j)
        }
    }

    /// Type name for messages.
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int: return "number"
        case .string: return "string"
        case .list: return "list"
        case .object: return "object"
        case .json(let j):
            switch j.kind {
            case .string: return "string"
            case .number: return "number"
            case .array: return "list"
            default: return "object"
            }
        }
    }
}

/// An object built by the program (`{a: 1}`, `--map`, aggregation rows):
/// keys in order, as they will be written. Past 16 keys a hash index keeps
/// lookups constant, so an 8,000-key `--map` is not quadratic per event.
package struct FilterObject {
    package private(set) var keys: [[UInt8]] = []
    package var values: [FilterValue] = []
    private var index: [[UInt8]: Int]? = nil

    package init() {}

    private func find(_ key: [UInt8]) -> Int? {
        if let index { return index[key] }
        return keys.firstIndex(of: key)
    }

    package subscript(key: [UInt8]) -> FilterValue? {
        guard let i = find(key) else { return nil }
        return values[i]
    }

    package mutating func set(_ key: [UInt8], _ value: FilterValue) {
        if let i = find(key) {
            values[i] = value
            return
        }
        keys.append(key)
        values.append(value)
        if index != nil {
            index![key] = keys.count - 1
        } else if keys.count > 16 {
            var ix: [[UInt8]: Int] = [:]
            ix.reserveCapacity(keys.count * 2)
            for (i, k) in keys.enumerated() where ix[k] == nil { ix[k] = i }
            index = ix
        }
    }

    package mutating func remove(_ key: [UInt8]) {
        guard let i = find(key) else { return }
        keys.remove(at: i)
        values.remove(at: i)
        if index != nil {
            index = nil
            if keys.count > 16 {
                var ix: [[UInt8]: Int] = [:]
                for (j, k) in keys.enumerated() where ix[k] == nil { ix[k] = j }
                index = ix
            }
        }
    }
}

/// A runtime error for one event: the VM reports it with the event's block
/// and log index, then drops the event (or stops under `--strict`).
package struct FilterRuntimeError: Error, Sendable, Equatable {
    package var message: String
    /// SIGINT/SIGTERM arrived during a long operation (a regex search on a
    /// huge string): not the event's fault; the stream stops cleanly.
    package var isStop = false
    package init(_ message: String) { self.message = message }

    static var stopRequested: FilterRuntimeError {
        var e = FilterRuntimeError("stopped by a signal")
        e.isStop = true
        return e
    }

    static func arithmetic(_ f: ArithmeticFault, _ op: String) -> FilterRuntimeError {
        switch f {
        case .overflow: return .init("integer overflow in '\(op)' (numbers are limited to 512 bits)")
        case .divisionByZero: return .init("division by zero in '\(op)'")
        case .negativeExponent: return .init("negative exponent in '**'")
        }
    }
}

// MARK: - Reading values

extension FilterValue {
    /// Strings as bytes: owned strings directly, JSON strings unescaped only
    /// when they contain escapes.
    @inline(__always) func withStringBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        switch self {
        case .string(let b): return try b.withUnsafeBufferPointer(body)
        case .json(let j) where j.kind == .string:
            if !j.hasEscapes { return try body(j.stringContents) }
            var tmp: [UInt8] = []
            j.unescapedBytes(into: &tmp)
            return try tmp.withUnsafeBufferPointer(body)
        default: return nil
        }
    }

    var stringBytes: [UInt8]? {
        switch self {
        case .string(let b): return b
        case .json(let j) where j.kind == .string:
            if !j.hasEscapes { return Array(j.stringContents) }
            var tmp: [UInt8] = []
            j.unescapedBytes(into: &tmp)
            return tmp
        default: return nil
        }
    }

    var isString: Bool {
        switch self {
        case .string: return true
        case .json(let j): return j.kind == .string
        default: return false
        }
    }

    var isNumber: Bool {
        switch self {
        case .int: return true
        case .json(let j): return j.kind == .number
        default: return false
        }
    }

    /// The value as an integer for arithmetic: numbers, decimal strings and
    /// hex strings. Nil for null (arithmetic with null is null).
    func number(for op: String) throws(FilterRuntimeError) -> Int512? {
        switch self {
        case .int(let v): return v
        case .null: return nil
        case .json(let j):
            if j.kind == .number {
                if let v = Int512(jsonNumber: j.raw) { return v }
                throw FilterRuntimeError("'\(op)' needs an integer, got \(self.preview)")
            }
            if j.kind == .string, let v = withStringBytes({ Int512(numeric: $0) }) ?? nil { return v }
        case .string(let b):
            if let v = b.withUnsafeBufferPointer({ Int512(numeric: $0) }) { return v }
        default: break
        }
        throw FilterRuntimeError("'\(op)' needs a number, got \(typeName) \(preview)")
    }

    /// A short rendering for error messages.
    var preview: String {
        var w = JSONWriter(capacity: 64)
        writeJSON(to: &w)
        let s = String(decoding: w.bytes, as: UTF8.self)
        return s.count > 60 ? String(s.prefix(57)) + "…" : s
    }
}

extension Int512 {
    /// A JSON number that is a whole number: `12`, `-3`, `1e18`, `2.50e1`.
    init?(jsonNumber p: UnsafeBufferPointer<UInt8>) {
        var plain = true
        for c in p where !(filterIsDigit(c) || c == UInt8(ascii: "-")) {
            plain = false
            break
        }
        if plain {
            self.init(decimal: p)
            return
        }
        let s = String(decoding: p, as: UTF8.self)
        var lexer = FilterLexer(s.hasPrefix("-") ? String(s.dropFirst()) : s, origin: "")
        guard let toks = try? lexer.tokenize(), toks.count == 2, case .int(let v) = toks[0].kind else { return nil }
        self = s.hasPrefix("-") ? v.negated : v
    }
}

// MARK: - Writing values

extension FilterValue {
    /// Integers within ±(2^53-1) are written as JSON numbers (every JSON
    /// reader holds them exactly); larger ones as decimal strings, the stream
    /// contract's form for uint256 values, so nothing downstream rounds them.
    func writeJSON(to w: inout JSONWriter) {
        switch self {
        case .null: w.raw("null")
        case .bool(let b): if b { w.raw("true") } else { w.raw("false") }
        case .int(let v):
            if v.bitWidth <= 53, let n = v.int {
                w.int(Int64(n))
            } else {
                var digits: [UInt8] = []
                v.appendDecimal(to: &digits)
                w.raw(UInt8(ascii: "\""))
                digits.withUnsafeBufferPointer { w.raw($0) }
                w.raw(UInt8(ascii: "\""))
            }
        case .string(let b): b.withUnsafeBufferPointer { w.string(utf8: $0) }
        case .json(let j): w.value(j)  // invalid UTF-8 repaired like every other output
        case .list(let items):
            w.raw(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { w.raw(UInt8(ascii: ",")) }
                item.writeJSON(to: &w)
            }
            w.raw(UInt8(ascii: "]"))
        case .object(let o):
            w.raw(UInt8(ascii: "{"))
            for i in 0..<o.keys.count {
                if i > 0 { w.raw(UInt8(ascii: ",")) }
                o.keys[i].withUnsafeBufferPointer { w.string(utf8: $0) }
                w.raw(UInt8(ascii: ":"))
                o.values[i].writeJSON(to: &w)
            }
            w.raw(UInt8(ascii: "}"))
        }
    }

    /// The bytes a group key is hashed and compared by (never shown: the
    /// group's first value is). Every string and member name is its
    /// unescaped bytes behind a length, so `"Ü"` and `"\u00dc"`, equal
    /// everywhere else in the language, are one group; a string without
    /// escapes is copied as it is, which keeps the common key one memcpy.
    func writeGroupKey(to w: inout JSONWriter) {
        switch self {
        case .json(let j): Self.writeGroupKey(j, to: &w)
        case .string(let b): b.withUnsafeBufferPointer { Self.writeKeyString($0, to: &w) }
        case .list(let items):
            w.raw(UInt8(ascii: "["))
            for item in items { item.writeGroupKey(to: &w) }
            w.raw(UInt8(ascii: "]"))
        case .object(let o):
            w.raw(UInt8(ascii: "{"))
            for i in 0..<o.keys.count {
                o.keys[i].withUnsafeBufferPointer { Self.writeKeyString($0, to: &w) }
                o.values[i].writeGroupKey(to: &w)
            }
            w.raw(UInt8(ascii: "}"))
        default: writeJSON(to: &w)
        }
    }

    @inline(__always)
    private static func writeKeyString(_ b: UnsafeBufferPointer<UInt8>, to w: inout JSONWriter) {
        var n = UInt32(truncatingIfNeeded: b.count)
        w.raw(UInt8(ascii: "s"))
        withUnsafeBytes(of: &n) { w.raw($0.bindMemory(to: UInt8.self)) }
        w.raw(b)
    }

    private static func writeGroupKey(_ j: JSONValue, to w: inout JSONWriter) {
        switch j.kind {
        case .string:
            guard j.hasEscapes else { return writeKeyString(j.stringContents, to: &w) }
            var b: [UInt8] = []
            j.unescapedBytes(into: &b)
            b.withUnsafeBufferPointer { writeKeyString($0, to: &w) }
        case .array:
            w.raw(UInt8(ascii: "["))
            j.forEachElement { writeGroupKey($0, to: &w) }
            w.raw(UInt8(ascii: "]"))
        case .object:
            w.raw(UInt8(ascii: "{"))
            j.forEachMember { k, m in
                writeGroupKey(k, to: &w)
                writeGroupKey(m, to: &w)
            }
            w.raw(UInt8(ascii: "}"))
        default: w.raw(j.raw)
        }
    }

    /// Turns `.json` views into owned values, so the value can outlive its
    /// input line (aggregation state). Deep: a list or object the program
    /// built (a composite group key, `first([a, b])`) still holds views of
    /// the line, whose buffer the next line overwrites.
    package func detached() -> FilterValue {
        let j: JSONValue
        switch self {
        case .null, .bool, .int, .string: return self
        case .list(let items):
            var owned: [FilterValue] = []
            owned.reserveCapacity(items.count)
            for item in items { owned.append(item.detached()) }
            return .list(owned)
        case .object(var o):
            for i in o.values.indices { o.values[i] = o.values[i].detached() }
            return .object(o)
        case .json(let v): j = v
        }
        switch j.kind {
        case .string: return .string(stringBytes ?? [])
        case .number:
            if let v = Int512(jsonNumber: j.raw) { return .int(v) }
            return .string(Array(j.raw))  // a fraction: keep its text
        case .array:
            var items: [FilterValue] = []
            j.forEachElement { items.append(FilterValue.from($0).detached()) }
            return .list(items)
        case .object:
            var o = FilterObject()
            j.forEachMember { k, v in o.set(FilterValue.from(k).stringBytes ?? [], FilterValue.from(v).detached()) }
            return .object(o)
        default: return .null
        }
    }

    /// Elements of a list or JSON array; nil for other types.
    var elements: [FilterValue]? {
        switch self {
        case .list(let items): return items
        case .json(let j) where j.kind == .array:
            var items: [FilterValue] = []
            j.forEachElement { items.append(FilterValue.from($0)) }
            return items
        default: return nil
        }
    }
}
