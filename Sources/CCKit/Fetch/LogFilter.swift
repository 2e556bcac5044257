import CCCore
import Crypto

/// A 32-byte value (topic, or an address left-padded) kept as four words so
/// that comparing a log's topic against the filter costs no allocation.
package struct Word32: Hashable, Sendable, Comparable {
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
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [0x30, 0x78]
        let ws = [w0, w1, w2, w3]
        for pos in (64 - 2 * byteCount)..<64 {
            let w = ws[pos >> 4]
            let shift = UInt64(60 - (pos & 15) * 4)
            out.append(digits[Int((w >> shift) & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    package static func < (a: Word32, b: Word32) -> Bool {
        (a.w0, a.w1, a.w2, a.w3) < (b.w0, b.w1, b.w2, b.w3)
    }
}

/// The `eth_getLogs` filter cc-fetch asks for and checks every answer
/// against: addresses (any of), and up to four topic positions, each either
/// unconstrained or any of a set of values.
package struct LogFilter: Sendable, Equatable {
    /// Sorted, no duplicates. Empty: any address.
    package private(set) var addresses: [Word32]
    /// Index = topic position. nil: any value. Trailing nils are dropped.
    package private(set) var topics: [[Word32]?]

    package init(addresses: [Word32] = [], topics: [[Word32]?] = []) {
        self.addresses = Array(Set(addresses)).sorted()
        var t = Array(topics.prefix(4)).map { $0.map { Array(Set($0)).sorted() } }
        while let last = t.last, last == nil { t.removeLast() }
        self.topics = t
    }

    /// The filter's members of an `eth_getLogs` parameter object (`,"address":…,"topics":[…]`,
    /// empty for no constraint); `RPCLogNode` adds the blocks.
    package var jsonFields: String {
        var s = ""
        if !addresses.isEmpty {
            s +=
                addresses.count == 1
                ? ",\"address\":\"\(addresses[0].hex(byteCount: 20))\""
                : ",\"address\":[" + addresses.map { "\"\($0.hex(byteCount: 20))\"" }.joined(separator: ",") + "]"
        }
        if !topics.isEmpty {
            s +=
                ",\"topics\":["
                + topics.map { t -> String in
                    guard let t else { return "null" }
                    if t.count == 1 { return "\"\(t[0].hex(byteCount: 32))\"" }
                    return "[" + t.map { "\"\($0.hex(byteCount: 32))\"" }.joined(separator: ",") + "]"
                }.joined(separator: ",") + "]"
        }
        return s
    }

    /// The text the filter hash is computed over; one line per item, so two
    /// filters that select the same logs have the same text: addresses
    /// lowercased and sorted, each topic position's OR list sorted, trailing
    /// unconstrained positions dropped, and the chain id.
    package func canonicalText(chainId: UInt64) -> String {
        var s = "cc-fetch filter v1\nchain=\(chainId)\n"
        s +=
            "address=" + (addresses.isEmpty ? "*" : addresses.map { $0.hex(byteCount: 20) }.joined(separator: ","))
            + "\n"
        for (i, t) in topics.enumerated() {
            s += "topic\(i)=" + (t.map { $0.map { $0.hex(byteCount: 32) }.joined(separator: ",") } ?? "*") + "\n"
        }
        return s
    }

    /// `filter` of checkpoint markers and files: the first 8 bytes of
    /// SHA-256(canonicalText), as 16 lowercase hex digits.
    package func canonicalHash(chainId: UInt64) -> String {
        let digest = SHA256.hash(data: Array(canonicalText(chainId: chainId).utf8))
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in digest.prefix(8) {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    package func matchesAddress(_ a: Word32) -> Bool {
        if addresses.isEmpty { return true }
        if addresses.count <= 8 { return addresses.contains(a) }
        var lo = 0, hi = addresses.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if addresses[mid] < a { lo = mid + 1 } else { hi = mid }
        }
        return lo < addresses.count && addresses[lo] == a
    }

    /// Whether topic `position` holding `value` (nil: the log has fewer topics) passes.
    package func matchesTopic(_ position: Int, _ value: Word32?) -> Bool {
        guard position < topics.count, let allowed = topics[position] else { return true }
        guard let value else { return false }
        return allowed.contains(value)
    }
}
