#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One scanned value (or object key) of a line, in document order.
///
/// Children follow their container directly, so walking an object's members
/// is `i += 1` for a key and `i = entries[i].next` to hop over a value of any
/// size: lookups never look at the line's bytes again except to compare keys.
struct TapeEntry {
    /// Byte offset of the value's first byte (the quote of a string).
    var start: UInt32
    /// Byte offset one past the value's last byte.
    var end: UInt32
    /// Tape index one past this value's subtree.
    var next: UInt32
    /// kind (bits 0-2) | flags (bits 3-7) | member or element count (bits 8-31).
    var meta: UInt32

    static let hasEscapes: UInt32 = 1 << 3  // string contains a backslash
    static let nonInteger: UInt32 = 1 << 4  // number has a fraction or an exponent
    static let negative: UInt32 = 1 << 5  // number starts with '-'
    static let countUnit: UInt32 = 1 << 8

    @inline(__always) var kindBits: UInt8 { UInt8(truncatingIfNeeded: meta & 7) }
    @inline(__always) var count: Int { Int(meta >> 8) }
}

/// The reusable result of scanning one line: a flat array of `TapeEntry`
/// plus the line's base address. A `JSONLine` and every `JSONValue` taken from
/// it hold a reference, so the tape lives as long as they do; the scanner of
/// each thread reuses its tape as soon as nobody holds it any more, so the hot
/// path allocates nothing per line.
final class JSONTape {
    /// Deeper documents are rejected: it bounds the container stack (and the
    /// recursion of `JSONWriter.value`), and no stream record is deeper than ~10.
    static let maxDepth = 512

    var entries: UnsafeMutablePointer<TapeEntry>
    var capacity: Int
    var count = 0
    var base: UnsafePointer<UInt8>
    var length = 0
    /// Open containers, as tape indices.
    let stack: UnsafeMutablePointer<UInt32>

    init(capacity: Int = 256) {
        self.capacity = capacity
        entries = .allocate(capacity: capacity)
        stack = .allocate(capacity: JSONTape.maxDepth + 1)
        base = UnsafePointer(bitPattern: 1)!  // never read while length == 0
    }

    deinit {
        entries.deallocate()
        stack.deallocate()
    }

    @inline(never)
    func grow() {
        let newCapacity = capacity * 2
        let n = UnsafeMutablePointer<TapeEntry>.allocate(capacity: newCapacity)
        n.update(from: entries, count: count)
        entries.deallocate()
        entries = n
        capacity = newCapacity
    }

    @inline(__always)
    func push(start: Int, end: Int, meta: UInt32) {
        if count == capacity { grow() }
        entries[count] = TapeEntry(
            start: UInt32(truncatingIfNeeded: start), end: UInt32(truncatingIfNeeded: end),
            next: UInt32(truncatingIfNeeded: count + 1), meta: meta)
        count += 1
    }
}

// MARK: - Per-thread tape cache

/// Holds the thread's spare tape; `isKnownUniquelyReferenced(&box.tape)`
/// tells whether every line scanned with it is gone.
final class TapeBox {
    var tape = JSONTape()
}

private let tapeKey: pthread_key_t = {
    var key = pthread_key_t()
    let destructor: @convention(c) (UnsafeMutableRawPointer?) -> Void = { p in
        if let p { Unmanaged<TapeBox>.fromOpaque(p).release() }
    }
    pthread_key_create(&key, destructor)
    return key
}()

extension JSONTape {
    /// A tape nobody else holds: the thread's cached one when it is free,
    /// otherwise a new one that becomes the thread's cache.
    @inline(__always)
    static func acquire() -> JSONTape {
        let box: TapeBox
        if let p = pthread_getspecific(tapeKey) {
            box = Unmanaged<TapeBox>.fromOpaque(p).takeUnretainedValue()
        } else {
            box = TapeBox()
            pthread_setspecific(tapeKey, Unmanaged.passRetained(box).toOpaque())
        }
        if !isKnownUniquelyReferenced(&box.tape) {
            box.tape = JSONTape(capacity: 256)
        }
        return box.tape
    }
}

// MARK: - Scanner

private let quote: UInt8 = 0x22
private let backslash: UInt8 = 0x5C

/// Classes of bytes after which a JSON value may start or end, for the hot loop.
@inline(__always) private func isWhitespace(_ c: UInt8) -> Bool {
    c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
}

@inline(__always) private func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }

@inline(__always) private func isHexDigit(_ c: UInt8) -> Bool {
    c &- 0x30 < 10 || (c | 0x20) &- 0x61 < 6
}

extension JSONTape {
    /// Validates `bytes` as exactly one JSON text (RFC 8259, surrounding
    /// whitespace allowed) and records every value on the tape.
    func scan(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) {
        count = 0
        let n = bytes.count
        guard let b = bytes.baseAddress, n > 0 else {
            length = 0
            throw JSONSyntaxError("unexpected end of input, expected a JSON value", at: 0)
        }
        guard n < Int(UInt32.max) else {
            throw JSONSyntaxError("line longer than 4 GiB", at: 0)
        }
        base = b
        length = n
        var depth = 0
        var p = 0

        // Each turn of `value` reads one value at p (after whitespace); containers
        // push themselves and loop back for their first child.
        value: while true {
            while p < n && isWhitespace(b[p]) { p += 1 }
            guard p < n else {
                throw JSONSyntaxError("unexpected end of input, expected a value", at: p)
            }
            let c = b[p]
            switch c {
            case quote:
                p = try scanString(b, n, p)
            case 0x30...0x39, 0x2D:  // digit, '-'
                p = try scanNumber(b, n, p)
            case 0x7B, 0x5B:  // '{', '['
                guard depth < JSONTape.maxDepth else {
                    throw JSONSyntaxError("nesting deeper than \(JSONTape.maxDepth) levels", at: p)
                }
                stack[depth] = UInt32(truncatingIfNeeded: count)
                depth += 1
                let isObject = c == 0x7B
                push(start: p, end: p, meta: UInt32(isObject ? JSONKind.object.rawValue : JSONKind.array.rawValue))
                p += 1
                while p < n && isWhitespace(b[p]) { p += 1 }
                if p < n && b[p] == (isObject ? 0x7D : 0x5D) {
                    p += 1
                    depth -= 1
                    close(Int(stack[depth]), end: p)
                    break
                }
                entries[count - 1].meta &+= TapeEntry.countUnit
                if isObject { p = try scanKey(b, n, p) }
                continue value
            case 0x74:  // t
                p = try scanLiteral(b, n, p, "true", kind: .bool)
            case 0x66:  // f
                p = try scanLiteral(b, n, p, "false", kind: .bool)
            case 0x6E:  // n
                p = try scanLiteral(b, n, p, "null", kind: .null)
            default:
                throw JSONSyntaxError("unexpected \(describeByte(c)), expected a value", at: p)
            }

            // After a value: close containers, or find the next member/element.
            while true {
                while p < n && isWhitespace(b[p]) { p += 1 }
                if depth == 0 {
                    if p < n {
                        throw JSONSyntaxError("unexpected \(describeByte(b[p])) after the JSON value", at: p)
                    }
                    return
                }
                let top = Int(stack[depth - 1])
                let isObject = entries[top].kindBits == JSONKind.object.rawValue
                guard p < n else {
                    throw JSONSyntaxError(
                        "unexpected end of input, expected " + (isObject ? "',' or '}'" : "',' or ']'"), at: p)
                }
                let c = b[p]
                if c == 0x2C {  // ','
                    p += 1
                    entries[top].meta &+= TapeEntry.countUnit
                    if isObject {
                        while p < n && isWhitespace(b[p]) { p += 1 }
                        p = try scanKey(b, n, p)
                    }
                    continue value
                }
                if c == (isObject ? 0x7D : 0x5D) {
                    p += 1
                    depth -= 1
                    close(top, end: p)
                    continue
                }
                throw JSONSyntaxError(
                    isObject
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

    /// Scans `"key"` then whitespace and ':'; returns the offset after the ':'.
    @inline(__always)
    private func scanKey(_ b: UnsafePointer<UInt8>, _ n: Int, _ start: Int) throws(JSONSyntaxError) -> Int {
        guard start < n else {
            throw JSONSyntaxError("unexpected end of input, expected an object key", at: start)
        }
        guard b[start] == quote else {
            throw JSONSyntaxError("expected '\"' to begin an object key, found \(describeByte(b[start]))", at: start)
        }
        var p = try scanString(b, n, start)
        while p < n && isWhitespace(b[p]) { p += 1 }
        guard p < n && b[p] == 0x3A else {
            throw JSONSyntaxError(p < n ? "expected ':' after object key" : "unexpected end of input, expected ':'", at: p)
        }
        return p + 1
    }

    /// Scans a string starting at its opening quote; returns the offset after the closing quote.
    @inline(__always)
    private func scanString(_ b: UnsafePointer<UInt8>, _ n: Int, _ start: Int) throws(JSONSyntaxError) -> Int {
        var p = start + 1
        var meta = UInt32(JSONKind.string.rawValue)
        let raw = UnsafeRawPointer(b)
        while true {
            // Eight bytes at a time until one is '"', '\\' or a control character.
            while p &+ 8 <= n {
                let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: UInt64.self))
                let q = w ^ 0x2222_2222_2222_2222
                let s = w ^ 0x5C5C_5C5C_5C5C_5C5C
                let m =
                    ((q &- 0x0101_0101_0101_0101) & ~q) | ((s &- 0x0101_0101_0101_0101) & ~s)
                    | ((w &- 0x2020_2020_2020_2020) & ~w)
                let mask = m & 0x8080_8080_8080_8080
                if mask == 0 {
                    p &+= 8
                } else {
                    p &+= mask.trailingZeroBitCount >> 3
                    break
                }
            }
            guard p < n else {
                throw JSONSyntaxError("unterminated string (no closing '\"')", at: start)
            }
            let c = b[p]
            if c == quote {
                push(start: start, end: p + 1, meta: meta)
                return p + 1
            }
            if c == backslash {
                meta |= TapeEntry.hasEscapes
                guard p + 1 < n else {
                    throw JSONSyntaxError("unterminated string (no closing '\"')", at: start)
                }
                switch b[p + 1] {
                case quote, backslash, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:  // " \ / b f n r t
                    p += 2
                case 0x75:  // u
                    guard p + 6 <= n, isHexDigit(b[p + 2]), isHexDigit(b[p + 3]), isHexDigit(b[p + 4]),
                        isHexDigit(b[p + 5])
                    else {
                        throw JSONSyntaxError("invalid \\u escape in string (expected 4 hex digits)", at: p)
                    }
                    p += 6
                default:
                    throw JSONSyntaxError("invalid escape '\\\(describeEscape(b[p + 1]))' in string", at: p)
                }
            } else if c < 0x20 {
                throw JSONSyntaxError("unescaped control character \(describeByte(c)) in string", at: p)
            } else {
                p += 1
            }
        }
    }

    private func describeEscape(_ c: UInt8) -> String {
        c >= 0x21 && c < 0x7F ? String(Character(Unicode.Scalar(c))) : describeByte(c)
    }

    /// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    @inline(__always)
    private func scanNumber(_ b: UnsafePointer<UInt8>, _ n: Int, _ start: Int) throws(JSONSyntaxError) -> Int {
        var p = start
        var meta = UInt32(JSONKind.number.rawValue)
        if b[p] == 0x2D {
            meta |= TapeEntry.negative
            p += 1
        }
        guard p < n && isDigit(b[p]) else {
            throw JSONSyntaxError("invalid number: expected a digit after '-'", at: p)
        }
        if b[p] == 0x30 {
            p += 1
            if p < n && isDigit(b[p]) {
                throw JSONSyntaxError("invalid number: leading zero", at: start)
            }
        } else {
            p += 1
            while p < n && isDigit(b[p]) { p += 1 }
        }
        if p < n && b[p] == 0x2E {  // '.'
            meta |= TapeEntry.nonInteger
            p += 1
            guard p < n && isDigit(b[p]) else {
                throw JSONSyntaxError("invalid number: expected a digit after '.'", at: p)
            }
            while p < n && isDigit(b[p]) { p += 1 }
        }
        if p < n && (b[p] | 0x20) == 0x65 {  // e E
            meta |= TapeEntry.nonInteger
            p += 1
            if p < n && (b[p] == 0x2B || b[p] == 0x2D) { p += 1 }
            guard p < n && isDigit(b[p]) else {
                throw JSONSyntaxError("invalid number: expected a digit in the exponent", at: p)
            }
            while p < n && isDigit(b[p]) { p += 1 }
        }
        push(start: start, end: p, meta: meta)
        return p
    }

    @inline(__always)
    private func scanLiteral(
        _ b: UnsafePointer<UInt8>, _ n: Int, _ start: Int, _ word: StaticString, kind: JSONKind
    ) throws(JSONSyntaxError) -> Int {
        let len = word.utf8CodeUnitCount
        guard start + len <= n, memcmp(b + start, word.utf8Start, len) == 0 else {
            throw JSONSyntaxError("invalid literal, expected '\(word)'", at: start)
        }
        push(start: start, end: start + len, meta: UInt32(kind.rawValue))
        return start + len
    }
}
