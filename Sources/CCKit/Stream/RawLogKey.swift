import CCJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The members of a raw log (Record 1 of the stream contract), found by their
/// exact key. Every reader of raw logs identifies members through this one
/// table: a key is compared in full (a node that adds `blobGasUsed` or
/// `blockTimestampX` must not be mistaken for `blockNumber` or
/// `blockTimestamp`), and callers keep the first occurrence of a key, as
/// `JSONValue.member` does, so a duplicate cannot override what was checked.
package enum RawLogKey: Int, CaseIterable, Sendable {
    case address, topics, data, blockNumber, blockHash, blockTimestamp, transactionHash, transactionIndex, logIndex,
        removed, chainId

    /// The key as it appears on the wire.
    package var name: StaticString {
        switch self {
        case .address: "address"
        case .topics: "topics"
        case .data: "data"
        case .blockNumber: "blockNumber"
        case .blockHash: "blockHash"
        case .blockTimestamp: "blockTimestamp"
        case .transactionHash: "transactionHash"
        case .transactionIndex: "transactionIndex"
        case .logIndex: "logIndex"
        case .removed: "removed"
        case .chainId: "chainId"
        }
    }

    /// The member named exactly by `key` (unescaped bytes), or nil for any other key.
    @inline(__always)
    package init?(exactly key: UnsafeBufferPointer<UInt8>) {
        let candidate: RawLogKey
        switch key.count {
        case 4: candidate = .data
        case 6: candidate = .topics
        case 7:
            guard let c = key.first else { return nil }
            candidate = c == UInt8(ascii: "a") ? .address : c == UInt8(ascii: "r") ? .removed : .chainId
        case 8: candidate = .logIndex
        case 9: candidate = .blockHash
        case 11: candidate = .blockNumber
        case 14: candidate = .blockTimestamp
        case 15: candidate = .transactionHash
        case 16: candidate = .transactionIndex
        default: return nil
        }
        let name = candidate.name
        guard memcmp(key.baseAddress!, name.utf8Start, key.count) == 0 else { return nil }
        self = candidate
    }

    /// The member a parsed key names, escapes resolved (`"block\u004eumber"` is `blockNumber`).
    package init?(key: JSONValue) {
        if !key.hasEscapes {
            self.init(exactly: key.stringContents)
            return
        }
        var bytes: [UInt8] = []
        key.unescapedBytes(into: &bytes)
        guard let k = bytes.withUnsafeBufferPointer({ RawLogKey(exactly: $0) }) else { return nil }
        self = k
    }
}
