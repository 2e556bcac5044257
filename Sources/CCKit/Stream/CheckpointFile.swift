import CCCore
import CCJSON
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The contents of a checkpoint file (stream contract, "Checkpoint file").
package struct Checkpoint: Equatable, Sendable {
    package var chainId: UInt64
    package var blockNumber: UInt64
    package var blockHash: String
    package var filter: String
    /// v1.1: the markers' `pipeline` (`PipelineHash`); nil in files written
    /// before it, or by a stream whose markers carry none (then `filter`).
    package var pipeline: String?
    package var updatedAt: String
    /// The sink's own state as a JSON object text (`{}` when it has none).
    package var sinkJSON: String

    package init(
        chainId: UInt64, blockNumber: UInt64, blockHash: String, filter: String, pipeline: String? = nil,
        updatedAt: String = Checkpoint.now(), sinkJSON: String = "{}"
    ) {
        self.chainId = chainId
        self.blockNumber = blockNumber
        self.blockHash = blockHash
        self.filter = filter
        self.pipeline = pipeline
        self.updatedAt = updatedAt
        self.sinkJSON = sinkJSON
    }

    package init(marker: CheckpointMarker, sinkJSON: String = "{}") {
        self.init(
            chainId: marker.chainId, blockNumber: marker.blockNumber, blockHash: marker.blockHash,
            filter: marker.filter, pipeline: marker.pipeline, sinkJSON: sinkJSON)
    }

    package var marker: CheckpointMarker {
        CheckpointMarker(
            chainId: chainId, blockNumber: blockNumber, blockHash: blockHash, filter: filter, pipeline: pipeline)
    }

    /// The sink state decoded as a Foundation object (cold path).
    package var sinkState: [String: Any] {
        guard let data = sinkJSON.data(using: .utf8),
            let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        return obj
    }

    package static func now() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date())
    }

    /// The file's text: one JSON object and a newline, fields in the spec's order.
    package var fileText: String {
        // updatedAt is the one free-form string a read checkpoint carries (the
        // hashes are checked hex): escaped, so a file read back and written
        // again is still JSON (found by Fuzz/Targets/checkpoint.swift).
        var at = JSONWriter(capacity: updatedAt.utf8.count + 2)
        at.string(updatedAt)
        return "{\"version\":1,\"chainId\":\(chainId),\"blockNumber\":\(blockNumber),\"blockHash\":\"\(blockHash)\","
            + "\"filter\":\"\(filter)\","
            + (pipeline.map { "\"pipeline\":\"\($0)\"," } ?? "")
            + "\"updatedAt\":\(String(decoding: at.bytes, as: UTF8.self)),\"sink\":\(sinkJSON)}\n"
    }
}

/// Reads and atomically writes a checkpoint file. Only the last stage
/// (cc-sink) writes it; cc-fetch only reads it.
package struct CheckpointFile: Sendable {
    package var path: String

    package init(path: String) { self.path = path }

    /// The checkpoint, or nil when the file does not exist yet. A file that
    /// exists but is not a valid checkpoint is a configuration error (78):
    /// resuming from a guess could lose or duplicate data.
    package func read() throws(ChainCastError) -> Checkpoint? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .io("checkpoint \(path): cannot read the file")
        }
        return try Self.parse(data, path: path)
    }

    static func parse(_ data: Data, path: String) throws(ChainCastError) -> Checkpoint {
        func bad(_ what: String) -> ChainCastError {
            .config("checkpoint \(path): \(what); move the file away to start over")
        }
        guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw bad("not a JSON object")
        }
        guard let version = obj["version"] as? NSNumber, version.intValue == 1 else {
            throw bad("unsupported or missing \"version\" (expected 1)")
        }
        func uint(_ key: String) throws(ChainCastError) -> UInt64 {
            // NSNumber hides whether the JSON had a fraction; its decimal text does not.
            // `is Bool` also matches the number 1 through bridging; JSON booleans
            // are the only NSNumbers of C type "c".
            guard let n = obj[key] as? NSNumber, String(cString: n.objCType) != "c",
                let v = UInt64(n.stringValue)
            else {
                throw bad("\"\(key)\" must be a non-negative integer")
            }
            return v
        }
        func hex(_ key: String, max: Int) throws(ChainCastError) -> String {
            guard let s = obj[key] as? String, CheckpointMarker.isHexToken(s, maxLength: max) else {
                throw bad("\"\(key)\" must be a hex string")
            }
            return s
        }
        let chainId = try uint("chainId")
        let blockNumber = try uint("blockNumber")
        let blockHash = try hex("blockHash", max: 66)
        let filter = try hex("filter", max: 66)
        let pipeline = obj["pipeline"] == nil ? nil : try hex("pipeline", max: 66)
        let updatedAt = obj["updatedAt"] as? String ?? ""
        var sinkJSON = "{}"
        if let sink = obj["sink"] {
            guard sink is [String: Any],
                let d = try? JSONSerialization.data(withJSONObject: sink, options: [.sortedKeys]),
                let s = String(data: d, encoding: .utf8)
            else { throw bad("\"sink\" must be an object") }
            sinkJSON = s
        }
        return Checkpoint(
            chainId: chainId, blockNumber: blockNumber, blockHash: blockHash, filter: filter, pipeline: pipeline,
            updatedAt: updatedAt, sinkJSON: sinkJSON)
    }

    /// Writes atomically: a temp file in the same directory, fsync, rename over
    /// the old file, fsync of the directory. A crash at any point leaves either
    /// the old checkpoint or the new one, never a torn file.
    package func write(_ checkpoint: Checkpoint) throws(ChainCastError) {
        try AtomicFile.replace(path, with: Array(checkpoint.fileText.utf8), durable: true, label: "checkpoint")
    }

    static func ioError(_ what: String) -> ChainCastError {
        .io("checkpoint: \(what): \(String(cString: strerror(errno)))")
    }
}
