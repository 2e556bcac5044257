#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A validated view of one JSON text, usually one NDJSON line.
///
/// Parsing validates the whole line (RFC 8259: number grammar, escapes,
/// nesting up to 512 levels, nothing after the value) in one pass and records
/// every value's position on a tape; field access walks that tape and builds
/// no dictionaries. Invalid UTF-8 inside strings is tolerated (the writer
/// replaces it on output).
///
/// Lifetime: `raw` and every buffer a value hands out point into the bytes
/// given to `init`, so use them only while those bytes are valid (inside the
/// `LineReader.forEachLine` closure). The tape is reused for the next line
/// once the line and all its values are gone, so scanning allocates nothing.
package struct JSONLine {
    let tape: JSONTape

    package init(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) {
        tape = JSONTape.acquire()
        try tape.scan(bytes)
    }

    /// The line's top-level value.
    package var root: JSONValue { JSONValue(tape: tape, index: 0) }
}

/// `count` bytes at `a` and `b` are equal. Short keys are compared with two
/// overlapping loads instead of a memcmp call; no byte outside the ranges is read.
@inlinable @inline(__always)
func bytesEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>?, _ count: Int) -> Bool {
    guard count > 0, let b else { return true }
    let ra = UnsafeRawPointer(a)
    let rb = UnsafeRawPointer(b)
    if count >= 8 {
        if count > 16 { return memcmp(a, b, count) == 0 }
        return ra.loadUnaligned(as: UInt64.self) == rb.loadUnaligned(as: UInt64.self)
            && ra.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
                == rb.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
    }
    if count >= 4 {
        return ra.loadUnaligned(as: UInt32.self) == rb.loadUnaligned(as: UInt32.self)
            && ra.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)
                == rb.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)
    }
    var i = 0
    while i < count {
        if a[i] != b[i] { return false }
        i &+= 1
    }
    return true
}

/// One value of a `JSONLine`: cheap to copy, valid while the line's bytes are.
///
/// `value["key"]` walks the object's members from the first each time (about
/// 10 ns for a raw log). To read many fields, one `forEachMember` pass with a
/// switch on the key is cheaper still.
package struct JSONValue {
    package let tape: JSONTape
    package let index: Int

    @inlinable
    package init(tape: JSONTape, index: Int) {
        self.tape = tape
        self.index = index
    }

    @inlinable @inline(__always) var entry: TapeEntry { tape.entries[index] }

    @inlinable @inline(__always)
    package var kind: JSONKind { JSONKind(rawValue: entry.kindBits) ?? .null }

    /// The exact bytes of the value as they appear in the line (strings include their quotes).
    @inlinable @inline(__always)
    package var raw: UnsafeBufferPointer<UInt8> {
        let e = entry
        return UnsafeBufferPointer(start: tape.base + Int(e.start), count: Int(e.end &- e.start))
    }

    // MARK: Containers

    /// Number of elements of an array or members of an object; 0 for anything else.
    @inlinable @inline(__always)
    package var count: Int {
        let e = entry
        guard e.kindBits <= JSONKind.array.rawValue else { return 0 }
        if e.meta < TapeEntry.countSaturated { return e.count }
        return countByWalking()
    }

    @inline(never)
    private func countByWalking() -> Int {
        var n = 0
        if kind == .object { forEachMember { _, _ in n += 1 } } else { forEachElement { _ in n += 1 } }
        return n
    }

    /// The value of the first member named `key`; nil when absent or when this is not an object.
    package subscript(key: StaticString) -> JSONValue? {
        member(UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
    }

    /// The value of the first member named `key` (unescaped UTF-8 bytes).
    /// (Always the first: a lookup that started where the last one ended would
    /// make duplicate keys answer differently depending on the order of lookups.)
    package func member(_ key: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        let i = Self.memberIndex(tape, index, key)
        return i < 0 ? nil : JSONValue(tape: tape, index: i)
    }

    /// The tape index of the first member named `key` of the object at
    /// `index`, or -1. Takes the tape as a parameter so that hot paths can
    /// walk a document without a reference count per step.
    @inlinable @inline(__always)
    package static func memberIndex(_ t: JSONTape, _ index: Int, _ key: UnsafeBufferPointer<UInt8>) -> Int {
        let entries = t.entries
        let e = entries[index]
        guard e.kindBits == JSONKind.object.rawValue else { return -1 }
        let end = Int(e.next)
        var i = index &+ 1
        let keyCount = key.count
        let keyBase = key.baseAddress
        while i < end {
            let k = entries[i]
            let contentLength = Int(k.end &- k.start) &- 2
            if k.meta & TapeEntry.hasEscapes == 0 {
                if contentLength == keyCount && bytesEqual(t.base + (Int(k.start) &+ 1), keyBase, keyCount) {
                    return i &+ 1
                }
            } else if JSONValue(tape: t, index: i).unescapedEquals(key) {
                return i &+ 1
            }
            i = Int(entries[i &+ 1].next)
        }
        return -1
    }

    /// The value of the first member named `key`.
    package func member(_ key: String) -> JSONValue? {
        var key = key
        return key.withUTF8 { member($0) }
    }

    /// Calls `body` for each member in document order; `key` is a string value.
    @inlinable
    package func forEachMember(_ body: (_ key: JSONValue, _ value: JSONValue) throws -> Void) rethrows {
        let t = tape
        let e = t.entries[index]
        guard e.kindBits == JSONKind.object.rawValue else { return }
        let end = Int(e.next)
        var i = index + 1
        while i < end {
            try body(JSONValue(tape: t, index: i), JSONValue(tape: t, index: i + 1))
            i = Int(t.entries[i + 1].next)
        }
    }

    /// `forEachMember` without the members whose key an earlier member has:
    /// the first occurrence wins, as `self["key"]` finds it, so a store that
    /// keeps one value per key (a column, a jsonb object) keeps the one every
    /// other stage reads. Keys compare with escapes resolved.
    package func forEachFirstMember(_ body: (_ key: JSONValue, _ value: JSONValue) throws -> Void) rethrows {
        try forEachFirstMemberAndPosition { key, value, _ in try body(key, value) }
    }

    /// `forEachFirstMember` with each member's position among all members,
    /// repeated ones included: in an event's `args` that is the position of
    /// its parameter in the signature, whatever an earlier member repeated.
    package func forEachFirstMemberAndPosition(
        _ body: (_ key: JSONValue, _ value: JSONValue, _ position: Int) throws -> Void
    ) rethrows {
        let t = tape
        var scratch: [UInt8] = []
        var position = -1
        try forEachMember { key, value in
            position += 1
            let first: Int
            if key.hasEscapes {
                scratch.removeAll(keepingCapacity: true)
                key.unescapedBytes(into: &scratch)
                first = scratch.withUnsafeBufferPointer { Self.memberIndex(t, index, $0) }
            } else {
                first = Self.memberIndex(t, index, key.stringContents)
            }
            if first == value.index { try body(key, value, position) }
        }
    }

    /// Whether two members of this object share a key.
    package var hasRepeatedKey: Bool {
        let n = count
        guard kind == .object, n > 1 else { return false }
        var kept = 0
        forEachFirstMember { _, _ in kept += 1 }
        return kept != n
    }

    /// Calls `body` for each element of an array in order.
    @inlinable
    package func forEachElement(_ body: (JSONValue) throws -> Void) rethrows {
        let t = tape
        let e = t.entries[index]
        guard e.kindBits == JSONKind.array.rawValue else { return }
        let end = Int(e.next)
        var i = index + 1
        while i < end {
            try body(JSONValue(tape: t, index: i))
            i = Int(t.entries[i].next)
        }
    }

    /// The array element at `index` (0-based); nil when out of range or not an array.
    package subscript(index: Int) -> JSONValue? {
        let t = tape
        let e = t.entries[self.index]
        guard e.kindBits == JSONKind.array.rawValue, index >= 0, index < e.count || e.meta >= TapeEntry.countSaturated
        else { return nil }
        var i = self.index + 1
        let end = Int(e.next)
        for _ in 0..<index {
            i = Int(t.entries[i].next)
            if i >= end { return nil }  // only reachable past a saturated count
        }
        return i < end ? JSONValue(tape: t, index: i) : nil
    }

    // MARK: Scalars

    /// The bytes between a string's quotes, escapes not yet resolved; the raw bytes for other kinds.
    @inlinable @inline(__always)
    package var stringContents: UnsafeBufferPointer<UInt8> {
        let e = entry
        if e.kindBits == JSONKind.string.rawValue {
            return UnsafeBufferPointer(start: tape.base + Int(e.start) + 1, count: Int(e.end &- e.start) - 2)
        }
        return raw
    }

    /// Whether a string contains a backslash escape (if not, `stringContents` is the value).
    @inlinable @inline(__always)
    package var hasEscapes: Bool { entry.meta & TapeEntry.hasEscapes != 0 }

    /// A string's value with escapes resolved (invalid UTF-8 becomes U+FFFD);
    /// for other kinds, the raw JSON text ("12", "true", "{…}").
    package func string() -> String {
        if kind == .string && !hasEscapes { return String(decoding: stringContents, as: UTF8.self) }
        if kind != .string { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        unescapedBytes(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends a string's unescaped UTF-8 bytes to `out` (raw bytes for other kinds).
    /// Lone surrogate escapes (\uD800) become U+FFFD; invalid raw UTF-8 is copied as is.
    package func unescapedBytes(into out: inout [UInt8]) {
        guard kind == .string else {
            out.append(contentsOf: raw)
            return
        }
        let s = stringContents
        if !hasEscapes {
            out.append(contentsOf: s)
            return
        }
        JSONUnescape.append(s, to: &out)
    }

    /// Whether this is a string whose unescaped value is `s`.
    package func equals(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { key in
            guard kind == .string else { return false }
            if !hasEscapes {
                let c = stringContents
                return c.count == key.count
                    && (key.count == 0 || memcmp(c.baseAddress!, key.baseAddress!, key.count) == 0)
            }
            return unescapedEquals(key)
        }
    }

    func unescapedEquals(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        var out: [UInt8] = []
        out.reserveCapacity(key.count + 8)
        JSONUnescape.append(stringContents, to: &out)
        return out.elementsEqual(key)
    }

    /// true/false for JSON booleans, nil for every other kind.
    @inlinable @inline(__always)
    package var bool: Bool? {
        let e = entry
        guard e.kindBits == JSONKind.bool.rawValue else { return nil }
        return tape.base[Int(e.start)] == 0x74
    }

    @inlinable @inline(__always)
    package var isNull: Bool { entry.kindBits == JSONKind.null.rawValue }

    /// A stream "quantity": a JSON integer, a "0x" hex string or a decimal
    /// string, that fits in UInt64. nil for anything else (negative, fraction,
    /// exponent, empty "0x", garbage, overflow).
    package var quantity: UInt64? { Self.quantity(tape, index) }

    /// `quantity` of the value at `index`, with the tape borrowed: hot paths
    /// that read many fields by index pay no reference count per field.
    package static func quantity(_ t: JSONTape, _ index: Int) -> UInt64? {
        let e = t.entries[index]
        let raw = UnsafeBufferPointer(start: t.base + Int(e.start), count: Int(e.end &- e.start))
        switch e.kindBits {
        case JSONKind.number.rawValue:
            guard e.meta & (TapeEntry.nonInteger | TapeEntry.negative) == 0 else { return nil }
            return JSONUnescape.parseDecimal(raw)
        case JSONKind.string.rawValue:
            let contents = UnsafeBufferPointer(rebasing: raw[1..<(raw.count - 1)])
            if e.meta & TapeEntry.hasEscapes == 0 { return JSONUnescape.parseQuantity(contents) }
            var out: [UInt8] = []
            JSONUnescape.append(contents, to: &out)
            return out.withUnsafeBufferPointer { JSONUnescape.parseQuantity($0) }
        default:
            return nil
        }
    }

    /// A JSON integer number that fits in Int64 (no fraction or exponent); nil otherwise.
    package var int64: Int64? {
        let e = entry
        guard e.kindBits == JSONKind.number.rawValue, e.meta & TapeEntry.nonInteger == 0 else { return nil }
        let r = raw
        if e.meta & TapeEntry.negative == 0 {
            guard let v = JSONUnescape.parseDecimal(r), v <= UInt64(Int64.max) else { return nil }
            return Int64(v)
        }
        guard let m = JSONUnescape.parseDecimal(UnsafeBufferPointer(rebasing: r[1...])) else { return nil }
        if m == UInt64(Int64.max) + 1 { return Int64.min }
        guard m <= UInt64(Int64.max) else { return nil }
        return -Int64(m)
    }

    /// A JSON number as a Double (nearest value); nil for other kinds.
    package var double: Double? {
        guard kind == .number else { return nil }
        return Double(String(decoding: raw, as: UTF8.self))
    }
}
