import CCCore
import CCStream

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
        StreamID.of(canonicalText(chainId: chainId))
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
