#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

private let quote: UInt8 = 0x22
private let backslash: UInt8 = 0x5C

@inline(__always) private func isWhitespace(_ c: UInt8) -> Bool {
    c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
}

@inline(__always) private func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }

@inline(__always) private func isHexDigit(_ c: UInt8) -> Bool {
    c &- 0x30 < 10 || (c | 0x20) &- 0x61 < 6
}

/// High bit set in each byte of `w` that is '"', '\\' or below 0x20. Only the
/// lowest set bit is exact (a borrow can flag a byte above a real hit), which
/// is all the caller uses.
@inline(__always) private func stringStopMask(_ w: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let q = w ^ (ones &* 0x22)
    let s = w ^ (ones &* 0x5C)
    return (((q &- ones) & ~q) | ((s &- ones) & ~s) | ((w &- ones &* 0x20) & ~w)) & (ones &* 0x80)
}

/// Lane-wise version of `stringStopMask`: 0x80 in each lane that is '"',
/// '\\' or below 0x20, exact per lane (no borrows cross lanes), returned as
/// two little-endian words for the caller's bit scan.
@inline(__always) private func stringStopMask16(_ v: SIMD16<UInt8>) -> SIMD2<UInt64> {
    let x = v ^ SIMD16(repeating: 0x22)
    let y = v ^ SIMD16(repeating: 0x5C)
    let one = SIMD16<UInt8>(repeating: 1)
    let m = (((x &- one) & ~x) | ((y &- one) & ~y) | ((v &- SIMD16(repeating: 0x20)) & ~v)) & SIMD16(repeating: 0x80)
    return unsafeBitCast(m, to: SIMD2<UInt64>.self)
}

/// The single validating pass behind `JSONLine`: a loop over the bytes with
/// an explicit container stack (never recursion, so depth is an error, not a
/// crash), writing one `TapeEntry` per value and per key. All state lives in
/// this struct's locals so the optimizer keeps it in registers.
struct JSONScanner {
    let b: UnsafePointer<UInt8>
    let n: Int
    var entries: UnsafeMutablePointer<TapeEntry>
    var capacity: Int
    var count = 0
    /// Open containers: tape index | objectFlag.
    let stack: UnsafeMutablePointer<UInt32>

    static let objectFlag: UInt32 = 1 << 31

    init(
        _ b: UnsafePointer<UInt8>, _ n: Int, entries: UnsafeMutablePointer<TapeEntry>, capacity: Int,
        stack: UnsafeMutablePointer<UInt32>
    ) {
        self.b = b
        self.n = n
        self.entries = entries
        self.capacity = capacity
        self.stack = stack
    }

    @inline(never)
    mutating func growEntries() {
        let newCapacity = capacity * 2
        let grown = UnsafeMutablePointer<TapeEntry>.allocate(capacity: newCapacity)
        grown.update(from: entries, count: count)
        entries.deallocate()
        entries = grown
        capacity = newCapacity
    }

    @inline(__always)
    mutating func push(start: Int, end: Int, meta: UInt32) {
        if count == capacity { growEntries() }
        entries[count] = TapeEntry(
            start: UInt32(truncatingIfNeeded: start), end: UInt32(truncatingIfNeeded: end),
            next: UInt32(truncatingIfNeeded: count &+ 1), meta: meta)
        count &+= 1
    }

    @inline(__always)
    func skipWhitespace(_ p: inout Int) {
        while p < n && isWhitespace(b[p]) { p &+= 1 }
    }

    mutating func run() throws(JSONSyntaxError) {
        var depth = 0
        var p = 0
        // Kind of the innermost open container (valid when depth > 0).
        var inObject = false

        // Each turn reads one value at p; a container pushes itself and loops
        // back for its first child.
        value: while true {
            skipWhitespace(&p)
            guard p < n else {
                throw JSONSyntaxError("unexpected end of input, expected a value", at: p)
            }
            let c = b[p]
            switch c {
            case quote:
                p = try scanString(p)
            case 0x30...0x39, 0x2D:  // digit, '-'
                p = try scanNumber(p)
            case 0x7B, 0x5B:  // '{', '['
                guard depth < JSONTape.maxDepth else {
                    throw JSONSyntaxError("nesting deeper than \(JSONTape.maxDepth) levels", at: p)
                }
                inObject = c == 0x7B
                stack[depth] = UInt32(truncatingIfNeeded: count) | (inObject ? JSONScanner.objectFlag : 0)
                depth &+= 1
                push(start: p, end: p, meta: UInt32(inObject ? JSONKind.object.rawValue : JSONKind.array.rawValue))
                p &+= 1
                skipWhitespace(&p)
                if p < n && b[p] == c &+ 2 {  // '}' is '{' + 2, ']' is '[' + 2
                    p &+= 1
                    depth &-= 1
                    close(Int(stack[depth] & ~JSONScanner.objectFlag), end: p)
                    if depth > 0 { inObject = stack[depth &- 1] & JSONScanner.objectFlag != 0 }
                    break
                }
                entries[count &- 1].meta &+= TapeEntry.countUnit
                if inObject { p = try scanKey(p) }
                continue value
            case 0x74:  // t
                p = try scanLiteral(p, "true", kind: .bool)
            case 0x66:  // f
                p = try scanLiteral(p, "false", kind: .bool)
            case 0x6E:  // n
                p = try scanLiteral(p, "null", kind: .null)
            default:
                throw JSONSyntaxError("unexpected \(describeByte(c)), expected a value", at: p)
            }

            // After a value: close containers, or find the next member/element.
            while true {
                skipWhitespace(&p)
                if depth == 0 {
                    if p < n {
                        throw JSONSyntaxError("unexpected \(describeByte(b[p])) after the JSON value", at: p)
                    }
                    return
                }
                guard p < n else {
                    throw JSONSyntaxError(
                        "unexpected end of input, expected " + (inObject ? "',' or '}'" : "',' or ']'"), at: p)
                }
                let c = b[p]
                if c == 0x2C {  // ','
                    p &+= 1
                    let top = Int(stack[depth &- 1] & ~JSONScanner.objectFlag)
                    // Saturates: a count past 2^24 - 1 is recounted by walking (JSONValue.count).
                    if entries[top].meta < TapeEntry.countSaturated { entries[top].meta &+= TapeEntry.countUnit }
                    if inObject {
                        skipWhitespace(&p)
                        p = try scanKey(p)
                    }
                    continue value
                }
                if c == (inObject ? 0x7D : 0x5D) {
                    p &+= 1
                    depth &-= 1
                    close(Int(stack[depth] & ~JSONScanner.objectFlag), end: p)
                    if depth > 0 { inObject = stack[depth &- 1] & JSONScanner.objectFlag != 0 }
                    continue
                }
                throw JSONSyntaxError(
                    inObject
                        ? "expected ',' or '}' after object member" : "expected ',' or ']' after array element",
                    at: p)
            }
        }
    }

    @inline(__always)
    private func close(_ index: Int, end: Int) {
        entries[index].end = UInt32(truncatingIfNeeded: end)
        entries[index].next = UInt32(truncatingIfNeeded: count)
    }

    /// Scans `"key"`, whitespace and ':'; returns the offset after the ':'.
    @inline(__always)
    private mutating func scanKey(_ start: Int) throws(JSONSyntaxError) -> Int {
        guard start < n else {
            throw JSONSyntaxError("unexpected end of input, expected an object key", at: start)
        }
        guard b[start] == quote else {
            throw JSONSyntaxError("expected '\"' to begin an object key, found \(describeByte(b[start]))", at: start)
        }
        var p = try scanString(start)
        if p < n && b[p] == 0x3A { return p &+ 1 }
        skipWhitespace(&p)
        guard p < n && b[p] == 0x3A else {
            throw JSONSyntaxError(
                p < n ? "expected ':' after object key" : "unexpected end of input, expected ':'", at: p)
        }
        return p &+ 1
    }

    /// Scans a string from its opening quote; returns the offset after the closing quote.
    @inline(__always)
    private mutating func scanString(_ start: Int) throws(JSONSyntaxError) -> Int {
        var p = start &+ 1
        var meta = UInt32(JSONKind.string.rawValue)
        let raw = UnsafeRawPointer(b)
        while true {
            // Sixteen bytes at a time (SSE2/NEON: Swift lowers this lane-wise
            // arithmetic to vector instructions; its SIMD comparisons it does not),
            // then eight, until one may stop the string.
            while p &+ 16 <= n {
                let m = stringStopMask16(raw.loadUnaligned(fromByteOffset: p, as: SIMD16<UInt8>.self))
                let lo = UInt64(littleEndian: m[0])
                let hi = UInt64(littleEndian: m[1])
                if lo | hi == 0 {
                    p &+= 16
                    continue
                }
                p &+= lo != 0 ? lo.trailingZeroBitCount >> 3 : 8 &+ hi.trailingZeroBitCount >> 3
                break
            }
            if p &+ 16 > n {
                while p &+ 8 <= n {
                    let m = stringStopMask(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: UInt64.self)))
                    if m == 0 {
                        p &+= 8
                    } else {
                        p &+= m.trailingZeroBitCount >> 3
                        break
                    }
                }
            }
            guard p < n else {
                throw JSONSyntaxError("unterminated string (no closing '\"')", at: start)
            }
            let c = b[p]
            if c == quote {
                push(start: start, end: p &+ 1, meta: meta)
                return p &+ 1
            }
            if c == backslash {
                meta |= TapeEntry.hasEscapes
                guard p &+ 1 < n else {
                    throw JSONSyntaxError("unterminated string (no closing '\"')", at: start)
                }
                switch b[p &+ 1] {
                case quote, backslash, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:  // " \ / b f n r t
                    p &+= 2
                case 0x75:  // u
                    guard p &+ 6 <= n, isHexDigit(b[p &+ 2]), isHexDigit(b[p &+ 3]), isHexDigit(b[p &+ 4]),
                        isHexDigit(b[p &+ 5])
                    else {
                        throw JSONSyntaxError("invalid \\u escape in string (expected 4 hex digits)", at: p)
                    }
                    p &+= 6
                default:
                    let e = b[p &+ 1]
                    let shown = e >= 0x21 && e < 0x7F ? String(Character(Unicode.Scalar(e))) : describeByte(e)
                    throw JSONSyntaxError("invalid escape '\\\(shown)' in string", at: p)
                }
            } else if c < 0x20 {
                throw JSONSyntaxError("unescaped control character \(describeByte(c)) in string", at: p)
            } else {
                p &+= 1
            }
        }
    }

    /// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    @inline(__always)
    private mutating func scanNumber(_ start: Int) throws(JSONSyntaxError) -> Int {
        var p = start
        var meta = UInt32(JSONKind.number.rawValue)
        if b[p] == 0x2D {
            meta |= TapeEntry.negative
            p &+= 1
        }
        guard p < n && isDigit(b[p]) else {
            throw JSONSyntaxError("invalid number: expected a digit after '-'", at: p)
        }
        if b[p] == 0x30 {
            p &+= 1
            if p < n && isDigit(b[p]) {
                throw JSONSyntaxError("invalid number: leading zero", at: start)
            }
        } else {
            p &+= 1
            while p < n && isDigit(b[p]) { p &+= 1 }
        }
        if p < n && b[p] == 0x2E {  // '.'
            meta |= TapeEntry.nonInteger
            p &+= 1
            guard p < n && isDigit(b[p]) else {
                throw JSONSyntaxError("invalid number: expected a digit after '.'", at: p)
            }
            while p < n && isDigit(b[p]) { p &+= 1 }
        }
        if p < n && (b[p] | 0x20) == 0x65 {  // e E
            meta |= TapeEntry.nonInteger
            p &+= 1
            if p < n && (b[p] == 0x2B || b[p] == 0x2D) { p &+= 1 }
            guard p < n && isDigit(b[p]) else {
                throw JSONSyntaxError("invalid number: expected a digit in the exponent", at: p)
            }
            while p < n && isDigit(b[p]) { p &+= 1 }
        }
        push(start: start, end: p, meta: meta)
        return p
    }

    @inline(__always)
    private mutating func scanLiteral(_ start: Int, _ word: StaticString, kind: JSONKind) throws(JSONSyntaxError)
        -> Int
    {
        let len = word.utf8CodeUnitCount
        guard start &+ len <= n, memcmp(b + start, word.utf8Start, len) == 0 else {
            throw JSONSyntaxError("invalid literal, expected '\(word)'", at: start)
        }
        push(start: start, end: start &+ len, meta: UInt32(kind.rawValue))
        return start &+ len
    }
}
