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
    /// The sink's own state (`.none`, written `{}`, when it has none).
    package var sink: SinkState

    package init(
        chainId: UInt64, blockNumber: UInt64, blockHash: String, filter: String, pipeline: String? = nil,
        updatedAt: String = Checkpoint.now(), sink: SinkState = .none
    ) {
        self.chainId = chainId
        self.blockNumber = blockNumber
        self.blockHash = blockHash
        self.filter = filter
        self.pipeline = pipeline
        self.updatedAt = updatedAt
        self.sink = sink
    }

    package init(marker: CheckpointMarker, sink: SinkState = .none) {
        self.init(
            chainId: marker.chainId, blockNumber: marker.blockNumber, blockHash: marker.blockHash,
            filter: marker.filter, pipeline: marker.pipeline, sink: sink)
    }

    package var marker: CheckpointMarker {
        CheckpointMarker(
            chainId: chainId, blockNumber: blockNumber, blockHash: blockHash, filter: filter, pipeline: pipeline)
    }

    package static func now() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date())
    }

    /// The file's text: one JSON object and a newline, fields in the spec's
    /// order, written with the same `JSONWriter` as every record (the
    /// hashes are checked hex, `updatedAt` and the sink's strings escaped).
    package var fileBytes: [UInt8] {
        var w = JSONWriter(capacity: 512)
        w.raw("{"); w.key("version"); w.uint(1)
        w.raw(","); w.key("chainId"); w.uint(chainId)
        w.raw(","); w.key("blockNumber"); w.uint(blockNumber)
        w.raw(","); w.key("blockHash"); w.string(blockHash)
        w.raw(","); w.key("filter"); w.string(filter)
        if let pipeline { w.raw(","); w.key("pipeline"); w.string(pipeline) }
        w.raw(","); w.key("updatedAt"); w.string(updatedAt)
        w.raw(","); w.key("sink"); sink.write(to: &w)
        w.raw("}\n")
        return w.bytes
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
        let bytes = [UInt8](data)
        return try bytes.withUnsafeBufferPointer { b throws(ChainCastError) in try parse(b, path: path) }
    }

    /// Reads the file with the JSON tape every stage reads records with (one
    /// JSON reader and one writer for the stream and this file alike).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, path: String) throws(ChainCastError) -> Checkpoint {
        func bad(_ what: String) -> ChainCastError {
            .config("checkpoint \(path): \(what); move the file away to start over")
        }
        let line: JSONLine
        do { line = try JSONLine(bytes) } catch { throw bad("not a JSON object") }
        let obj = line.root
        guard obj.kind == .object else { throw bad("not a JSON object") }
        guard let version = obj["version"], version.kind == .number, version.quantity == 1 else {
            throw bad("unsupported or missing \"version\" (expected 1)")
        }
        func uint(_ key: StaticString) throws(ChainCastError) -> UInt64 {
            // A JSON number only: `quantity` alone would also take "0x10" and "16".
            guard let n = obj[key], n.kind == .number, let v = n.quantity else {
                throw bad("\"\(key)\" must be a non-negative integer")
            }
            return v
        }
        func hex(_ key: StaticString, max: Int) throws(ChainCastError) -> String {
            guard let v = obj[key], v.kind == .string, CheckpointMarker.isHexToken(v.string(), maxLength: max) else {
                throw bad("\"\(key)\" must be a hex string")
            }
            return CheckpointMarker.canonicalHex(v.string())
        }
        let chainId = try uint("chainId")
        let blockNumber = try uint("blockNumber")
        let blockHash = try hex("blockHash", max: 66)
        let filter = try hex("filter", max: 66)
        let pipeline = obj["pipeline"] == nil ? nil : try hex("pipeline", max: 66)
        let updatedAt = obj["updatedAt"].flatMap { $0.kind == .string ? $0.string() : nil } ?? ""
        var sink = SinkState.none
        if let s = obj["sink"] {
            guard s.kind == .object else { throw bad("\"sink\" must be an object") }
            sink = SinkState(s)
        }
        return Checkpoint(
            chainId: chainId, blockNumber: blockNumber, blockHash: blockHash, filter: filter, pipeline: pipeline,
            updatedAt: updatedAt, sink: sink)
    }

    /// Writes atomically: a temp file in the same directory, fsync, rename over
    /// the old file, fsync of the directory. A crash at any point leaves either
    /// the old checkpoint or the new one, never a torn file.
    package func write(_ checkpoint: Checkpoint) throws(ChainCastError) {
        try AtomicFile.replace(path, with: checkpoint.fileBytes, durable: true, label: "checkpoint")
    }
}
