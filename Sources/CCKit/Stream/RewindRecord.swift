import CCCore
import CCJSON

/// The `rewind` control record of the stream contract (v1.1):
/// `{"$cc":"rewind","chainId":1,"blockNumber":19000090,"blockHash":"0x…"}`.
/// Every record above `blockNumber` of that chain that earlier lines or
/// earlier runs delivered is retracted; the canonical logs from the block on
/// follow it, then a marker. cc-fetch writes it when it cannot list every
/// orphaned log (a restart, a reorg deeper than its memory, rows a sink may
/// have committed above its checkpoint before a kill).
package struct RewindRecord: Hashable, Sendable {
    package var chainId: UInt64
    package var blockNumber: UInt64
    /// The last block both branches share (lowercase `0x` hex).
    package var blockHash: String

    package init(chainId: UInt64, blockNumber: UInt64, blockHash: String) {
        self.chainId = chainId
        self.blockNumber = blockNumber
        self.blockHash = blockHash
    }

    /// The record's line, without the trailing newline. The hash is hex we
    /// produced or validated, so it needs no escaping.
    package var jsonLine: String {
        "{\"$cc\":\"rewind\",\"chainId\":\(chainId),\"blockNumber\":\(blockNumber),\"blockHash\":\"\(blockHash)\"}"
    }

    /// The checkpoint a sink moves back to: the rewind's block, with the
    /// filter of the checkpoint it replaces.
    package func marker(filter: String) -> CheckpointMarker {
        CheckpointMarker(chainId: chainId, blockNumber: blockNumber, blockHash: blockHash, filter: filter)
    }
}

extension RewindRecord {
    /// Parses a scanned record that has `"$cc":"rewind"`. Returns nil for
    /// other records; throws what is wrong with a malformed rewind (bad
    /// input, 65): a retraction must never be guessed.
    package init?(record: JSONValue) throws(ChainCastError) {
        guard let cc = record["$cc"], cc.equals("rewind") else { return nil }
        guard let chain = record["chainId"]?.quantity else {
            throw .data("rewind record without a numeric \"chainId\"")
        }
        guard let block = record["blockNumber"]?.quantity else {
            throw .data("rewind record without a numeric \"blockNumber\"")
        }
        guard let hash = record["blockHash"], hash.kind == .string,
            CheckpointMarker.isHexToken(hash.string(), maxLength: 66)
        else { throw .data("rewind record without a hex \"blockHash\"") }
        self.init(chainId: chain, blockNumber: block, blockHash: hash.string())
    }
}
