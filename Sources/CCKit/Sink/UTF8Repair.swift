/// SQLite stores TEXT as given; a string column holding invalid UTF-8 makes
/// `json_extract` and every reader that decodes UTF-8 fail. Input strings are
/// mostly ASCII, so validation is a fast scan and repair is rare.
enum UTF8Repair {
    /// True when `b` is well-formed UTF-8.
    @inline(__always)
    static func isValid(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = b.count
        while i < n {
            // ASCII fast path, 8 bytes at a time.
            if i + 8 <= n {
                let w = UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self)
                if w & 0x8080_8080_8080_8080 == 0 {
                    i += 8
                    continue
                }
            }
            let c = b[i]
            if c < 0x80 {
                i += 1
                continue
            }
            let len = sequenceLength(b, i)
            if len == 0 { return false }
            i += len
        }
        return true
    }

    /// A copy of `b` with every ill-formed sequence replaced by U+FFFD.
    static func repaired(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count + 8)
        var i = 0
        while i < b.count {
            let c = b[i]
            if c < 0x80 {
                out.append(c)
                i += 1
                continue
            }
            let len = sequenceLength(b, i)
            if len == 0 {
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                i += 1
            } else {
                out.append(contentsOf: b[i..<(i + len)])
                i += len
            }
        }
        return out
    }

    /// Length of the well-formed multi-byte sequence at `i`, or 0 (RFC 3629:
    /// no overlongs, no surrogates, nothing above U+10FFFF).
    @inline(__always)
    private static func sequenceLength(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let c = b[i]
        let n = b.count
        func cont(_ j: Int) -> Bool { j < n && b[j] & 0xC0 == 0x80 }
        switch c {
        case 0xC2...0xDF:
            return cont(i + 1) ? 2 : 0
        case 0xE0:
            return i + 1 < n && b[i + 1] >= 0xA0 && b[i + 1] <= 0xBF && cont(i + 2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return cont(i + 1) && cont(i + 2) ? 3 : 0
        case 0xED:
            return i + 1 < n && b[i + 1] >= 0x80 && b[i + 1] <= 0x9F && cont(i + 2) ? 3 : 0
        case 0xF0:
            return i + 1 < n && b[i + 1] >= 0x90 && b[i + 1] <= 0xBF && cont(i + 2) && cont(i + 3) ? 4 : 0
        case 0xF1...0xF3:
            return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0
        case 0xF4:
            return i + 1 < n && b[i + 1] >= 0x80 && b[i + 1] <= 0x8F && cont(i + 2) && cont(i + 3) ? 4 : 0
        default:
            return 0
        }
    }
}
