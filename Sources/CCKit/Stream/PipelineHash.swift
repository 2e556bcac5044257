import CCCore
import CCJSON
import Crypto

/// The `pipeline` field of checkpoint markers (stream contract v1.1): a short
/// hash of every stage's configuration between cc-fetch and the sink, so a
/// checkpoint is never reused for a different dataset. cc-fetch's markers
/// start it implicitly as their `filter`; each stage that changes what passes
/// folds its own configuration in as the marker goes through.
package enum PipelineHash {
    /// `hex(sha256(previous + "|" + stage + ":" + config))`, 16 hex digits.
    package static func fold(_ previous: String, stage: String, config: String) -> String {
        let digest = SHA256.hash(data: Array((previous + "|" + stage + ":" + config).utf8))
        return String(Hex.encode(Array(digest), prefix: false).prefix(16))
    }

    /// A marker's pipeline: its `pipeline`, else its `filter` (what cc-fetch
    /// starts it as).
    package static func current(of marker: JSONValue) -> String? {
        if let p = marker["pipeline"], p.kind == .string { return p.string() }
        if let f = marker["filter"], f.kind == .string { return f.string() }
        return nil
    }

    /// The marker member that lists each folding stage with a hash of its
    /// own configuration (`"pipelineStages":["cc-decode:1a2b…","cc-filter:…"]`,
    /// in pipe order). The folded `pipeline` says *that* something changed;
    /// this says *which* stage, so the sink's refusal can name it. Readers
    /// that do not know it ignore it, as they ignore any unknown member.
    package static let stagesKey = "pipelineStages"

    /// One entry of `pipelineStages`: `stage:hex(sha256(stage + ":" + config))`, 16 digits.
    package static func stageEntry(stage: String, config: String) -> String {
        let digest = SHA256.hash(data: Array((stage + ":" + config).utf8))
        return stage + ":" + String(Hex.encode(Array(digest), prefix: false).prefix(16))
    }

    /// A marker's `pipelineStages`: nil when absent; throws for anything but
    /// an array of `name:hex` strings (bad input, 65), since the sink copies
    /// them into the checkpoint file.
    package static func stages(of marker: JSONValue) throws(ChainCastError) -> [String]? {
        guard let s = marker.member(stagesKey), !s.isNull else { return nil }
        var out: [String] = []
        var bad = s.kind != .array || s.count > 256
        if !bad {
            s.forEachElement { e in
                if e.kind == .string, isStageEntry(e.stringContents) {
                    out.append(String(decoding: e.stringContents, as: UTF8.self))
                } else {
                    bad = true
                }
            }
        }
        if bad {
            throw .data("checkpoint marker with a \"\(stagesKey)\" that is not a list of \"stage:hex\" strings")
        }
        return out
    }

    /// `name:hex`, the name of letters, digits, `-`, `_` and `.`.
    package static func isStageEntry<C: Collection<UInt8>>(_ b: C) -> Bool {
        guard b.count <= 96, let colon = b.firstIndex(of: UInt8(ascii: ":")), colon != b.startIndex else {
            return false
        }
        for c in b[..<colon] {
            let ok =
                (c >= 48 && c <= 57) || (c | 0x20 >= 97 && c | 0x20 <= 122) || c == UInt8(ascii: "-")
                || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
            if !ok { return false }
        }
        let hex = b[b.index(after: colon)...]
        return !hex.isEmpty && hex.allSatisfy { Hex.digit($0) != 0xFF }
    }

    /// What differs between the stage lists of a checkpoint and of a marker
    /// whose `pipeline` differs, in words: "cc-filter changed (its program or
    /// options)", "a cc-decode stage was added". nil when the lists cannot tell (either is
    /// missing, or they are equal: a stage that folds `pipeline` without
    /// listing itself).
    package static func describeChange(stored: [String]?, now: [String]?) -> String? {
        guard let stored, let now, stored != now else { return nil }
        func name(_ e: String) -> String { String(e.prefix { $0 != ":" }) }
        let a = stored.map(name), b = now.map(name)
        if a == b {
            let changed = zip(stored, now).filter { $0 != $1 }.map { changedStage(name($0.0)) }
            return changed.joined(separator: ", ")
        }
        // Stages added or removed: the difference of the name lists, in order.
        var parts: [String] = []
        var rest = b
        for n in a {
            if let i = rest.firstIndex(of: n) { rest.remove(at: i) } else { parts.append("a \(n) stage was removed") }
        }
        parts += rest.map { "a \($0) stage was added" }
        // Same names in another order or count: say so plainly.
        if parts.isEmpty {
            return "the stages changed order (was \(a.joined(separator: " | ")), now \(b.joined(separator: " | ")))"
        }
        return parts.joined(separator: ", ")
    }

    private static func changedStage(_ name: String) -> String {
        switch name {
        case "cc-decode": return "cc-decode changed (its --abi set or --unknown)"
        case "cc-filter": return "cc-filter changed (its program or options)"
        default: return "\(name) changed (its configuration)"
        }
    }

    /// The record's bytes with `pipeline` folded for `stage` and the stage
    /// appended to `pipelineStages`, every other byte as it came; nil when it
    /// is not a checkpoint marker (forward it as it is).
    package static func foldMarker(_ root: JSONValue, stage: String, config: String) -> [UInt8]? {
        guard root.kind == .object, let cc = root["$cc"], cc.equals("checkpoint"), let previous = current(of: root),
            let base = root.raw.baseAddress
        else { return nil }
        let line = root.raw
        let next = "\"" + fold(previous, stage: stage, config: config) + "\""
        // A malformed list upstream is left as it came, for the sink to refuse, rather than repaired by a guess.
        var members = [("pipeline", next)]
        var listText = ""
        var upstream: [String]?? = nil  // nil: malformed
        do { upstream = try stages(of: root) } catch {}
        if let found = upstream {
            let list = (found ?? []) + [stageEntry(stage: stage, config: config)]
            // Entries are checked `name:hex` tokens (or our own): nothing to escape.
            listText = "[" + list.map { "\"" + $0 + "\"" }.joined(separator: ",") + "]"
            members.append((stagesKey, listText))
        }
        // Values replaced in place (in line order), members the marker lacks added before its closing brace.
        var replace: [(Int, Int, String)] = []
        var append = ""
        for (key, text) in members {
            if let v = root.member(key), let start = v.raw.baseAddress {
                replace.append((base.distance(to: start), v.raw.count, text))
            } else {
                append += ",\"\(key)\":" + text
            }
        }
        replace.sort { $0.0 < $1.0 }
        var out: [UInt8] = []
        out.reserveCapacity(line.count + append.utf8.count + listText.utf8.count + 32)
        var at = 0
        for (from, count, text) in replace {
            out.append(contentsOf: line[at..<from])
            out.append(contentsOf: text.utf8)
            at = from + count
        }
        // The last byte of the object is its closing brace.
        out.append(contentsOf: line[at..<(line.count - 1)])
        out.append(contentsOf: append.utf8)
        out.append(UInt8(ascii: "}"))
        return out
    }
}
