import CCCore

/// EIP-55 mixed-case checksum addresses: a hex letter is uppercase when the
/// matching nibble of keccak256(lowercase hex) is 8 or more.
package enum ChecksumAddress {
    /// Writes `"0x"` + 40 checksummed digits (42 bytes) at `dst`. Writes
    /// nothing and returns false unless `address20` holds exactly 20 bytes.
    @inlinable @discardableResult
    package static func write(_ address20: UnsafeBufferPointer<UInt8>, to dst: UnsafeMutablePointer<UInt8>) -> Bool {
        guard address20.count == 20 else { return false }
        dst[0] = 0x30
        dst[1] = 0x78
        let digits = dst + 2
        Hex.writeDigits(address20, to: UnsafeMutableRawPointer(digits))
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { h in
            Keccak256.hash(
                UnsafeRawBufferPointer(start: digits, count: 40), into: UnsafeMutableRawPointer(h.baseAddress!))
            let raw = UnsafeMutableRawPointer(digits)
            caseMasks.withUnsafeBufferPointer { masks in
                var i = 0
                while i < 20 {
                    // Two digits per hash byte; letters have bit 0x40 set and
                    // digits do not, so `(pair & 0x4040) >> 1` is 0x20 exactly on
                    // letters, and clearing 0x20 uppercases them.
                    let pair = raw.loadUnaligned(fromByteOffset: 2 &* i, as: UInt16.self)
                    let flip = ((pair & 0x4040) &>> 1) & masks[Int(h[i])].littleEndian
                    raw.storeBytes(of: pair ^ flip, toByteOffset: 2 &* i, as: UInt16.self)
                    i &+= 1
                }
            }
        }
        return true
    }

    /// For each hash byte, 0x20 in the byte of each digit whose nibble is >= 8
    /// (the high nibble governs the first digit of the pair).
    @usableFromInline
    static let caseMasks: [UInt16] = (0..<256).map { h in
        UInt16((h >> 2) & 0x20) | UInt16((h << 2) & 0x20) << 8
    }

    /// `"0x"` + EIP-55 form of a 20-byte address. Any other length gives the
    /// plain lowercase hex, since there is no checksum to apply.
    package static func string(_ address20: UnsafeBufferPointer<UInt8>) -> String {
        guard address20.count == 20 else { return Hex.encode(address20) }
        return String(unsafeUninitializedCapacity: 42) { o in
            _ = write(address20, to: o.baseAddress!)
            return 42
        }
    }

    package static func string(_ address20: [UInt8]) -> String {
        address20.withUnsafeBufferPointer { string($0) }
    }

    /// Appends the 42-byte checksummed form to `out` (plain hex when not 20 bytes).
    package static func append(_ address20: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        guard address20.count == 20 else { return Hex.append(address20, to: &out) }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: 42))
        _ = out.withUnsafeMutableBufferPointer { write(address20, to: $0.baseAddress! + start) }
    }

    /// The 20 bytes of a `0x`-prefixed 40-digit address, nil when malformed
    /// or when mixed case does not match the EIP-55 checksum. All-lowercase
    /// and all-uppercase forms carry no checksum and are accepted.
    package static func parse(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard b.count == 42, b[0] == 0x30, b[1] == 0x78 || b[1] == 0x58 else { return nil }
        guard let bytes = Hex.decode(b), bytes.count == 20 else { return nil }
        var lower = false
        var upper = false
        for c in b[2...] {
            if c >= 0x61 { lower = true } else if c >= 0x41 { upper = true }
        }
        if lower && upper {
            let expected: [UInt8] = bytes.withUnsafeBufferPointer { a in
                var o: [UInt8] = []
                append(a, to: &o)
                return o
            }
            for i in 2..<42 where expected[i] != b[i] { return nil }
        }
        return bytes
    }

    package static func parse(_ s: String) -> [UInt8]? {
        var s = s
        return s.withUTF8 { parse($0) }
    }

    /// True for a well-formed address whose mixed case, if any, matches EIP-55.
    package static func isValid(_ s: String) -> Bool { parse(s) != nil }

    /// True only for the exact EIP-55 form (all-lower/all-upper forms are false
    /// unless they happen to equal it, as for an address without letters).
    package static func isChecksummed(_ s: String) -> Bool {
        guard let bytes = parse(s) else { return false }
        return string(bytes) == s
    }
}

/// Real streams repeat a few thousand addresses; caching their checksummed
/// form makes EIP-55 nearly free. A fixed-size open-addressing table keyed by
/// the 20 address bytes: a miss computes and stores, evicting the home slot
/// when its short probe window is full, so memory never grows.
/// Not thread-safe: one per thread.
package final class ChecksumCache {
    // Slot layout (64 bytes, one cache line): key[20] | text[42] | used | pad.
    private static let slotSize = 64
    private static let textOffset = 20
    private static let usedOffset = 62
    private static let probeWindow = 8

    private let slots: UnsafeMutableRawPointer
    private let mask: Int
    package private(set) var hits = 0
    package private(set) var misses = 0

    /// `capacity` is rounded up to a power of two (at least 16 slots).
    package init(capacity: Int = 1 << 16) {
        var n = 16
        while n < capacity && n < (1 << 26) { n <<= 1 }
        mask = n - 1
        slots = UnsafeMutableRawPointer.allocate(byteCount: n * Self.slotSize, alignment: 64)
        slots.initializeMemory(as: UInt8.self, repeating: 0, count: n * Self.slotSize)
    }

    deinit { slots.deallocate() }

    /// Appends `"0x"` + EIP-55 digits (42 bytes) for a 20-byte address; any
    /// other length appends plain lowercase hex.
    package func append(_ address20: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        guard address20.count == 20 else { return Hex.append(address20, to: &out) }
        let text = lookup(address20)
        out.append(contentsOf: UnsafeBufferPointer(start: text.assumingMemoryBound(to: UInt8.self), count: 42))
    }

    package func string(_ address20: UnsafeBufferPointer<UInt8>) -> String {
        guard address20.count == 20 else { return Hex.encode(address20) }
        let text = lookup(address20)
        return String(
            decoding: UnsafeBufferPointer(start: text.assumingMemoryBound(to: UInt8.self), count: 42),
            as: UTF8.self)
    }

    /// Pointer to the cached 42-byte text, valid until the next call.
    private func lookup(_ a: UnsafeBufferPointer<UInt8>) -> UnsafeMutableRawPointer {
        let raw = UnsafeRawPointer(a.baseAddress!)
        let k0 = raw.loadUnaligned(as: UInt64.self)
        let k1 = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        let k2 = raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self)
        // Addresses are hash outputs, so their bytes are already uniform; a
        // multiply mixes in the other words for crafted inputs.
        let h = (k0 ^ (k1 &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(k2)) &* 0xBF58_476D_1CE4_E5B9
        let home = Int(truncatingIfNeeded: h >> 20) & mask
        var i = 0
        var free: UnsafeMutableRawPointer?
        while i < Self.probeWindow {
            let slot = slots + ((home &+ i) & mask) * Self.slotSize
            if slot.load(fromByteOffset: Self.usedOffset, as: UInt8.self) == 0 {
                if free == nil { free = slot }
                break
            }
            if slot.load(as: UInt64.self) == k0,
                slot.load(fromByteOffset: 8, as: UInt64.self) == k1,
                slot.load(fromByteOffset: 16, as: UInt32.self) == k2
            {
                hits &+= 1
                return slot + Self.textOffset
            }
            i &+= 1
        }
        misses &+= 1
        let slot = free ?? (slots + home * Self.slotSize)
        slot.copyMemory(from: raw, byteCount: 20)
        ChecksumAddress.write(a, to: (slot + Self.textOffset).assumingMemoryBound(to: UInt8.self))
        slot.storeBytes(of: 1, toByteOffset: Self.usedOffset, as: UInt8.self)
        return slot + Self.textOffset
    }
}
