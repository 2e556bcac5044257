import CCCore
import CCJSON

/// Record 3 of the stream contract:
/// `{"$cc":"checkpoint","chainId":1,"blockNumber":19000100,"blockHash":"0x…","filter":"3f9a…"}`.
/// Every log matching the fetch's filter up to `blockNumber` was written above it.
package struct CheckpointMarker: Hashable, Sendable {
    package var chainId: UInt64
    package var blockNumber: UInt64
    package var blockHash: String
    package var filter: String
    /// v1.1: the hash of every stage's configuration (`PipelineHash`); nil
    /// when the marker has none, which means its `filter`.
    package var pipeline: String?

    package init(chainId: UInt64, blockNumber: UInt64, blockHash: String, filter: String, pipeline: String? = nil) {
        self.chainId = chainId
        self.blockNumber = blockNumber
        self.blockHash = blockHash
        self.filter = filter
        self.pipeline = pipeline
    }

    /// The pipeline the marker stands for (`filter` when it names none).
    package var effectivePipeline: String { pipeline ?? filter }

    /// The marker's line, without the trailing newline. Hash and filter are
    /// hex we produced or validated, so they need no escaping.
    package var jsonLine: String {
        "{\"$cc\":\"checkpoint\",\"chainId\":\(chainId),\"blockNumber\":\(blockNumber),"
            + "\"blockHash\":\"\(blockHash)\",\"filter\":\"\(filter)\""
            + (pipeline.map { ",\"pipeline\":\"\($0)\"" } ?? "") + "}"
    }

    /// A hex token (`isHexToken`) in the one spelling markers and checkpoint
    /// files are compared in: lowercase, as cc-fetch writes them. Applied
    /// where a token is read, so every later comparison is plain `==`.
    static func canonicalHex(_ s: String) -> String {
        String(decoding: s.utf8.map { $0 >= 0x41 && $0 <= 0x46 ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// True for a `blockHash` or `filter` we are willing to copy into a
    /// marker or checkpoint file verbatim (hex digits after an optional 0x).
    static func isHexToken(_ s: String, maxLength: Int = 66) -> Bool {
        let u = Array(s.utf8)
        guard !u.isEmpty, u.count <= maxLength else { return false }
        let digits = u.count >= 2 && u[0] == UInt8(ascii: "0") && u[1] == UInt8(ascii: "x") ? u[2...] : u[...]
        return !digits.isEmpty && digits.allSatisfy { Hex.digit($0) != 0xFF }
    }
}

extension CheckpointMarker {
    /// Parses a scanned record that has `"$cc":"checkpoint"`. Returns nil for
    /// other records; throws a description of what is wrong for a malformed
    /// marker (stages treat that as bad input, exit 65).
    package init?(record: JSONValue) throws(ChainCastError) {
        guard let cc = record["$cc"], cc.equals("checkpoint") else { return nil }
        guard let chain = record["chainId"]?.quantity else {
            throw .data("checkpoint marker without a numeric \"chainId\"")
        }
        guard let block = record["blockNumber"]?.quantity else {
            throw .data("checkpoint marker without a numeric \"blockNumber\"")
        }
        guard let hash = record["blockHash"], hash.kind == .string,
            Self.isHexToken(hash.string(), maxLength: 66)
        else { throw .data("checkpoint marker without a hex \"blockHash\"") }
        guard let filter = record["filter"], filter.kind == .string, Self.isHexToken(filter.string(), maxLength: 66)
        else { throw .data("checkpoint marker without a hex \"filter\"") }
        var pipeline: String?
        if let p = record["pipeline"], !p.isNull {
            guard p.kind == .string, Self.isHexToken(p.string(), maxLength: 66) else {
                throw .data("checkpoint marker with a \"pipeline\" that is not hex")
            }
            pipeline = Self.canonicalHex(p.string())
        }
        self.init(
            chainId: chain, blockNumber: block, blockHash: Self.canonicalHex(hash.string()),
            filter: Self.canonicalHex(filter.string()), pipeline: pipeline)
    }
}

/// Control records are objects with a `$cc` key; stages forward kinds they do
/// not know unchanged.
package enum ControlRecord {
    package static func isControl(_ record: JSONValue) -> Bool {
        record.kind == .object && record["$cc"] != nil
    }
}
