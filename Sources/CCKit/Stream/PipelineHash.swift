import CCCore
import CCJSON

/// The `pipeline` field of checkpoint markers (stream contract v1.1): a short
/// hash of every stage's configuration between cc-fetch and the sink, so a
/// checkpoint is never reused for a different dataset. cc-fetch's markers
/// start it implicitly as their `filter`; each stage that changes what passes
/// folds its own configuration in as the marker goes through.
package enum PipelineHash {
    /// `hex(sha256(previous + "|" + stage + ":" + config))`, 16 hex digits.
    package static func fold(_ previous: String, stage: String, config: String) -> String {
        StreamID.of(previous + "|" + stage + ":" + config)
    }

    /// A marker's pipeline: its `pipeline`, else its `filter` (what cc-fetch
    /// starts it as).
    package static func current(of marker: JSONValue) -> String? {
        if let p = marker["pipeline"], p.kind == .string { return p.string() }
        if let f = marker["filter"], f.kind == .string { return f.string() }
        return nil
    }

    /// The record's bytes with `pipeline` folded for `stage`, every other byte
    /// as it came; nil when it is not a checkpoint marker (forward it as it is).
    package static func foldMarker(_ root: JSONValue, stage: String, config: String) -> [UInt8]? {
        guard root.kind == .object, let cc = root["$cc"], cc.equals("checkpoint"), let previous = current(of: root),
            let base = root.raw.baseAddress
        else { return nil }
        let line = root.raw
        let next = Array(fold(previous, stage: stage, config: config).utf8)
        var out: [UInt8] = []
        out.reserveCapacity(line.count + 32)
        // A pipeline that is not a string counts as absent (`current`), and is
        // replaced in place: a second key would leave readers the first one.
        if let p = root["pipeline"], let start = p.raw.baseAddress {
            let from = base.distance(to: start)
            out.append(contentsOf: line[0..<from])
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: next)
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: line[(from + p.raw.count)...])
        } else {
            // Before the closing brace: the last byte of the object.
            out.append(contentsOf: line[0..<(line.count - 1)])
            out.append(contentsOf: Array(#","pipeline":""#.utf8))
            out.append(contentsOf: next)
            out.append(contentsOf: Array("\"}".utf8))
        }
        return out
    }
}
