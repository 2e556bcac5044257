import CCCore
import CCJSON

/// The checkpoint file's `sink` object: what the sink that wrote the file
/// needs to resume. Each sink builds and reads it with typed fields; this
/// file alone turns it into JSON text and back (with the `JSONWriter` and
/// the tape every record goes through), so the keys each sink has always
/// written stay byte for byte what they were.
///
/// Reading never fails: cc-fetch reads the same file and has no use for the
/// sink's part. Keys a state does not know are ignored; a sink checks its
/// own kind and fields on `resume` and reports what does not fit.
package enum SinkState: Equatable, Sendable {
    /// `{}`, or an object without a string "type": no sink's state.
    case none
    /// `{"type":"file","path":…,"format":…,["sealed":true,]"files":[…]}`
    case file(FileSinkState)
    /// `{"type":"sqlite","table":…}`
    case sqlite(table: String)
    /// `{"type":"postgres","schema":…,"table":…[,"stream":…]}` (no "stream" when empty)
    case postgres(schema: String, table: String, stream: String)
    /// `{"type":"webhook","url":…}` (the URL as messages show it: no secrets)
    case webhook(url: String)
    /// A type this build has no fields for (a test's sink): only its name.
    case other(type: String)
    /// A known type whose fields do not fit it: why (the sink of that type reports it).
    case invalid(type: String, problem: String)

    /// The object's "type": the kind of sink that wrote it.
    package var type: String? {
        switch self {
        case .none: nil
        case .file: "file"
        case .sqlite: "sqlite"
        case .postgres: "postgres"
        case .webhook: "webhook"
        case .other(let t), .invalid(let t, _): t
        }
    }

    // MARK: JSON

    /// Writes the object, keys in the order the sinks have always written them.
    package func write(to w: inout JSONWriter) {
        w.raw("{")
        switch self {
        case .none:
            break
        case .file(let f):
            w.key("type"); w.string("file")
            w.raw(","); w.key("path"); w.string(f.path)
            w.raw(","); w.key("format"); w.string(f.format)
            if f.sealed { w.raw(","); w.key("sealed"); w.raw("true") }
            w.raw(","); w.key("files"); w.raw("[")
            for (i, e) in f.files.enumerated() {
                if i > 0 { w.raw(",") }
                e.write(to: &w)
            }
            w.raw("]")
        case .sqlite(let table):
            w.key("type"); w.string("sqlite")
            w.raw(","); w.key("table"); w.string(table)
        case .postgres(let schema, let table, let stream):
            w.key("type"); w.string("postgres")
            w.raw(","); w.key("schema"); w.string(schema)
            w.raw(","); w.key("table"); w.string(table)
            if !stream.isEmpty { w.raw(","); w.key("stream"); w.string(stream) }
        case .webhook(let url):
            w.key("type"); w.string("webhook")
            w.raw(","); w.key("url"); w.string(url)
        case .other(let type), .invalid(let type, _):
            w.key("type"); w.string(type)
        }
        w.raw("}")
    }

    /// The object as JSON text (PostgreSQL keeps a copy in `cc_checkpoint.sink`).
    package var jsonText: String {
        var w = JSONWriter(capacity: 128)
        write(to: &w)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// Reads a `sink` object (any other kind of value is `.none`).
    package init(_ v: JSONValue) {
        guard v.kind == .object, let t = v["type"], t.kind == .string else {
            self = .none
            return
        }
        let type = t.string()
        func text(_ key: StaticString) -> String? {
            guard let s = v[key], s.kind == .string else { return nil }
            return s.string()
        }
        switch type {
        case "file":
            switch FileSinkState.read(v) {
            case .success(let f): self = .file(f)
            case .failure(let p): self = .invalid(type: type, problem: p.text)
            }
        case "sqlite":
            self = .sqlite(table: text("table") ?? "")
        case "postgres":
            self = .postgres(schema: text("schema") ?? "", table: text("table") ?? "", stream: text("stream") ?? "")
        case "webhook":
            self = .webhook(url: text("url") ?? "")
        default:
            self = .other(type: type)
        }
    }

    /// Reads a `sink` object from its JSON text (`.none` when it is not one).
    package init(json: String) {
        self = Array(json.utf8).withUnsafeBufferPointer { b in
            guard let line = try? JSONLine(b) else { return .none }
            return SinkState(line.root)
        }
    }
}

/// The file sink's state: the output it was writing and every file not yet
/// complete, with the length the checkpoint committed.
package struct FileSinkState: Equatable, Sendable {
    /// The path template, as given.
    package var path: String
    /// `--format`: "ndjson" or "csv".
    package var format: String
    /// Every file was completed at a clean end of input.
    package var sealed: Bool
    package var files: [File]

    package struct File: Equatable, Sendable {
        /// The file's series key (its path with the window left out).
        package var key: String
        /// Where it is written (a hidden name while it rotates).
        package var path: String
        /// Bytes the checkpoint committed; a rerun truncates back to it.
        package var length: UInt64
        package var from: UInt64
        package var lastBlock: UInt64
        /// `--rotate-blocks`' window number.
        package var window: UInt64?
        /// The name it gets once complete (set while it is being completed).
        package var finalPath: String?
        /// CSV: the header's columns.
        package var columns: [String]?

        package init(
            key: String, path: String, length: UInt64, from: UInt64, lastBlock: UInt64, window: UInt64? = nil,
            finalPath: String? = nil, columns: [String]? = nil
        ) {
            self.key = key
            self.path = path
            self.length = length
            self.from = from
            self.lastBlock = lastBlock
            self.window = window
            self.finalPath = finalPath
            self.columns = columns
        }

        fileprivate func write(to w: inout JSONWriter) {
            w.raw("{"); w.key("key"); w.string(key)
            w.raw(","); w.key("path"); w.string(path)
            w.raw(","); w.key("length"); w.uint(length)
            w.raw(","); w.key("from"); w.uint(from)
            w.raw(","); w.key("lastBlock"); w.uint(lastBlock)
            if let window { w.raw(","); w.key("window"); w.uint(window) }
            if let finalPath { w.raw(","); w.key("final"); w.string(finalPath) }
            if let columns {
                w.raw(","); w.key("columns"); w.raw("[")
                for (i, c) in columns.enumerated() {
                    if i > 0 { w.raw(",") }
                    w.string(c)
                }
                w.raw("]")
            }
            w.raw("}")
        }
    }

    package init(path: String, format: String, sealed: Bool = false, files: [File] = []) {
        self.path = path
        self.format = format
        self.sealed = sealed
        self.files = files
    }

    struct Problem: Error { var text: String }

    fileprivate static func read(_ v: JSONValue) -> Result<FileSinkState, Problem> {
        func text(_ o: JSONValue, _ key: StaticString) -> String? {
            guard let s = o[key], s.kind == .string else { return nil }
            return s.string()
        }
        guard let path = text(v, "path") else { return .failure(Problem(text: "no \"path\"")) }
        guard let format = text(v, "format") else { return .failure(Problem(text: "no \"format\"")) }
        guard let list = v["files"], list.kind == .array else { return .failure(Problem(text: "no \"files\" list")) }
        var files: [File] = []
        var malformed = false
        list.forEachElement { f in
            guard let key = text(f, "key"), let path = text(f, "path"), let length = f["length"]?.quantity,
                let from = f["from"]?.quantity, let last = f["lastBlock"]?.quantity
            else {
                malformed = true
                return
            }
            var e = File(key: key, path: path, length: length, from: from, lastBlock: last)
            e.window = f["window"]?.quantity
            e.finalPath = text(f, "final")
            if let cols = f["columns"], cols.kind == .array {
                var names: [String] = []
                cols.forEachElement { names.append($0.string()) }
                e.columns = names
            }
            files.append(e)
        }
        if malformed { return .failure(Problem(text: "a malformed file entry")) }
        return .success(FileSinkState(path: path, format: format, sealed: v["sealed"]?.bool == true, files: files))
    }
}
