/// Appends JSON text to a byte buffer.
///
/// Callers write punctuation with `raw` (commas included: `key` writes no
/// comma); the writer guarantees that every string it writes is valid JSON
/// and valid UTF-8: quote, backslash and every control character (U+0000 to
/// U+001F and DEL) are escaped, the short forms \b \f \n \r \t where JSON has
/// them and \u00XX otherwise; invalid UTF-8 becomes U+FFFD, one per maximal
/// subpart (the Unicode "best practice" that Swift's String and ICU also use).
///
/// Speed: every call is an Array append (a few ns). In a per-line loop keep
/// the writer in a local variable or pass it `inout`; a writer stored in a
/// class property pays a dynamic exclusivity check on every call.
package struct JSONWriter {
    package var bytes: [UInt8]

    package init(capacity: Int = 4096) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Empties the buffer and keeps its capacity.
    package mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    // MARK: Raw bytes (the caller guarantees they are valid JSON)

    package mutating func raw(_ s: StaticString) {
        // A single byte (",", "}") is the common case and appends much cheaper alone.
        if s.utf8CodeUnitCount == 1 {
            bytes.append(s.utf8Start.pointee)
        } else {
            bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
        }
    }

    package mutating func raw(_ b: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: b) }

    package mutating func raw(_ b: UInt8) { bytes.append(b) }

    /// `"k":` — `k` is written as is, so it must need no escaping.
    package mutating func key(_ k: StaticString) {
        bytes.append(0x22)
        bytes.append(contentsOf: UnsafeBufferPointer(start: k.utf8Start, count: k.utf8CodeUnitCount))
        bytes.append(0x22)
        bytes.append(0x3A)
    }

    /// `"k":` with `k` escaped like any string.
    package mutating func key(_ k: String) {
        string(k)
        bytes.append(0x3A)
    }

    // MARK: Scalars

    package mutating func string(_ s: String) {
        if let done: Void = s.utf8.withContiguousStorageIfAvailable({ string(utf8: $0) }) { return done }
        var s = s
        s.withUTF8 { string(utf8: $0) }
    }

    /// A quoted, escaped JSON string from arbitrary bytes (meant to be UTF-8).
    package mutating func string(utf8 b: UnsafeBufferPointer<UInt8>) {
        bytes.append(0x22)
        JSONEscaping.appendEscaped(b, to: &bytes)
        bytes.append(0x22)
    }

    /// A quoted string from the contents of a string `JSONLine` scanned
    /// (`JSONValue.stringContents`): escapes are kept as they are, invalid
    /// UTF-8 is replaced. Writes the quotes too, like `string(utf8:)`.
    package mutating func stringAlreadyEscaped(_ b: UnsafeBufferPointer<UInt8>) {
        bytes.append(0x22)
        JSONEscaping.appendRepairingUTF8(b, to: &bytes)
        bytes.append(0x22)
    }

    package mutating func int(_ v: Int64) {
        if v < 0 {
            bytes.append(0x2D)
            uint(v.magnitude)
        } else {
            uint(UInt64(v))
        }
    }

    package mutating func int(_ v: Int) { int(Int64(v)) }

    package mutating func uint(_ v: UInt64) {
        if v < 10 {
            bytes.append(0x30 &+ UInt8(truncatingIfNeeded: v))
            return
        }
        // 20 digits at most; two per division through a lookup table.
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &tmp) { buf in
            var i = 24
            var x = v
            while x >= 100 {
                let r = Int(x % 100)
                x /= 100
                i -= 2
                buf[i] = DigitPairs.pair(r)[0]
                buf[i + 1] = DigitPairs.pair(r)[1]
            }
            if x >= 10 {
                i -= 2
                buf[i] = DigitPairs.pair(Int(x))[0]
                buf[i + 1] = DigitPairs.pair(Int(x))[1]
            } else {
                i -= 1
                buf[i] = 0x30 &+ UInt8(truncatingIfNeeded: x)
            }
            let p = buf.baseAddress!.assumingMemoryBound(to: UInt8.self)
            bytes.append(contentsOf: UnsafeBufferPointer(start: p + i, count: 24 - i))
        }
    }

    package mutating func bool(_ v: Bool) {
        if v { raw("true") } else { raw("false") }
    }

    package mutating func null() { raw("null") }

    // MARK: Scanned values

    /// Writes a scanned value compactly (no insignificant whitespace), with
    /// invalid UTF-8 in its strings replaced. Numbers are copied as written.
    package mutating func value(_ v: JSONValue) {
        // Most values (everything a node or cc-decode wrote) are already compact
        // ASCII: then the raw bytes are the answer, copied in one append.
        let r = v.raw
        if JSONEscaping.isCompactASCII(r) {
            bytes.append(contentsOf: r)
            return
        }
        switch v.kind {
        case .string:
            stringAlreadyEscaped(v.stringContents)
        case .number, .bool, .null:
            bytes.append(contentsOf: v.raw)
        case .object:
            bytes.append(0x7B)
            var first = true
            v.forEachMember { k, m in
                if !first { bytes.append(0x2C) }
                first = false
                stringAlreadyEscaped(k.stringContents)
                bytes.append(0x3A)
                value(m)
            }
            bytes.append(0x7D)
        case .array:
            bytes.append(0x5B)
            var first = true
            v.forEachElement { e in
                if !first { bytes.append(0x2C) }
                first = false
                value(e)
            }
            bytes.append(0x5D)
        }
    }
}
