/// A 32-byte value kept as four words: a block hash, a topic, or an address
/// left-padded. The one type for them on the fetch path, so comparing a
/// log's topic against the filter or a block's hash against its child's
/// parent hash costs no allocation and no case folding (hex is parsed in
/// either case once, at the edge, and printed lowercase).
package struct Word32: Hashable, Sendable, Comparable, CustomStringConvertible {
    package var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    package init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    /// Parses `0x` + 2*byteCount hex digits (either case), right-aligned:
    /// 20 bytes for an address, 32 for a topic. Nil on anything else.
    package init?(hex b: UnsafeBufferPointer<UInt8>, byteCount: Int) {
        guard byteCount >= 1, byteCount <= 32, b.count == 2 + 2 * byteCount, b[0] == 0x30, b[1] | 0x20 == 0x78
        else { return nil }
        var a0: UInt64 = 0, a1: UInt64 = 0, a2: UInt64 = 0, a3: UInt64 = 0
        let pad = 64 - 2 * byteCount
        for k in 0..<(2 * byteCount) {
            let n = Hex.digit(b[2 + k])
            if n > 15 { return nil }
            switch (pad + k) >> 4 {
            case 0: a0 = a0 << 4 | UInt64(n)
            case 1: a1 = a1 << 4 | UInt64(n)
            case 2: a2 = a2 << 4 | UInt64(n)
            default: a3 = a3 << 4 | UInt64(n)
            }
        }
        self.init(a0, a1, a2, a3)
    }

    package init?(hex s: String, byteCount: Int) {
        var s = s
        guard let v = s.withUTF8({ Word32(hex: $0, byteCount: byteCount) }) else { return nil }
        self = v
    }

    /// Lowercase `0x` hex of the last `byteCount` bytes.
    package func hex(byteCount: Int) -> String {
        let n = max(0, min(32, byteCount))
        return String(unsafeUninitializedCapacity: 2 + 2 * n) { o in
            o[0] = 0x30
            o[1] = 0x78
            var p = 2
            for pos in (64 - 2 * n)..<64 {
                let w = pos < 16 ? w0 : pos < 32 ? w1 : pos < 48 ? w2 : w3
                o[p] = Hex.lowerDigits.utf8Start[Int((w >> UInt64(60 - (pos & 15) * 4)) & 0xF)]
                p += 1
            }
            return p
        }
    }

    /// A block hash or topic as the stream writes it: `0x` and 64 lowercase digits.
    package var description: String { hex(byteCount: 32) }

    package static func < (a: Word32, b: Word32) -> Bool {
        (a.w0, a.w1, a.w2, a.w3) < (b.w0, b.w1, b.w2, b.w3)
    }
}

extension Word32 {
    /// Right-aligned big-endian bytes (32 for a topic, 20 for an address).
    package init(bytes: [UInt8]) {
        var w: [UInt64] = [0, 0, 0, 0]
        let pad = 32 - min(32, bytes.count)
        for (k, b) in bytes.suffix(32).enumerated() {
            let pos = pad + k
            w[pos >> 3] |= UInt64(b) << UInt64(56 - (pos & 7) * 8)
        }
        self.init(w[0], w[1], w[2], w[3])
    }
}
