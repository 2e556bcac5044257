/// The one UTF-8 repair: every ill-formed sequence becomes one U+FFFD per
/// maximal subpart (Unicode's recommended practice, what `JSONWriter` writes),
/// so a string reads the same in every output: NDJSON, CSV, SQLite TEXT and
/// webhook bodies. Input is mostly ASCII, so validation is a fast scan and
/// repair is rare.
package enum UTF8Repair {
    /// True when `b` is well-formed UTF-8 (RFC 3629: no overlongs, no
    /// surrogates, nothing above U+10FFFF).
    @inline(__always)
    package static func isValid(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = b.baseAddress else { return true }
        let n = b.count
        var i = 0
        while i < n {
            // ASCII fast path, 8 bytes at a time.
            if i + 8 <= n {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if w & 0x8080_8080_8080_8080 == 0 {
                    i += 8
                    continue
                }
            }
            if base[i] < 0x80 {
                i += 1
                continue
            }
            let len = JSONEscaping.utf8SequenceLength(base, i, n)
            if len <= 0 { return false }
            i += len
        }
        return true
    }

    /// A copy of `b` with every ill-formed sequence replaced.
    package static func repaired(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count + 8)
        JSONEscaping.appendRepairingUTF8(b, to: &out)
        return out
    }
}
