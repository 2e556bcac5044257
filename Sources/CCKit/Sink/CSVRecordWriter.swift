import CCJSON

/// One CSV row per event (RFC 4180 quoting: a field with a comma, a quote or
/// a line break is quoted, quotes doubled). Columns name top-level fields
/// (`blockNumber`) or arguments (`args.value`); arrays and objects are
/// written as their JSON text, a missing field as an empty cell.
struct CSVRecordWriter {
    struct Column: Equatable {
        var name: String
        var top: [UInt8]
        var arg: [UInt8]?

        init(_ name: String) {
            self.name = name
            let u = Array(name.utf8)
            if u.count > 5, u.starts(with: Array("args.".utf8)) {
                top = Array("args".utf8)
                arg = Array(u[5...])
            } else {
                top = u
                arg = nil
            }
        }
    }

    /// The columns of a first record: its fields in order, `args` flattened.
    static func columns(of root: JSONValue) -> [String] {
        var names: [String] = []
        root.forEachFirstMember { key, value in
            let k = key.string()
            if k == "args" && value.kind == .object {
                value.forEachFirstMember { ak, _ in names.append("args." + ak.string()) }
            } else {
                names.append(k)
            }
        }
        return names
    }

    /// The record's field names (`args` flattened) as bytes, to tell quickly
    /// whether a record has the shape of one already checked.
    static func shape(of root: JSONValue, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        root.forEachFirstMember { key, value in
            out.append(contentsOf: key.raw)
            if value.kind == .object, FieldName.equals(key.stringContents, "args") {
                value.forEachFirstMember { ak, _ in
                    out.append(1)
                    out.append(contentsOf: ak.raw)
                }
            }
            out.append(0)
        }
    }

    /// The record's fields that no column holds.
    static func uncovered(_ root: JSONValue, by columns: [Column]) -> [String] {
        let names = Set(columns.map(\.name))
        return Self.columns(of: root).filter { !names.contains($0) }
    }

    static func header(_ columns: [Column], into out: inout [UInt8]) {
        for (i, c) in columns.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            let name = Array(c.name.utf8)
            name.withUnsafeBufferPointer { cell($0, into: &out) }
        }
        out.append(0x0A)
    }

    static func row(_ root: JSONValue, _ columns: [Column], scratch: inout [UInt8], into out: inout [UInt8]) {
        for (i, c) in columns.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            var v = c.top.withUnsafeBufferPointer { root.member($0) }
            if let sub = c.arg {
                v = v.flatMap { a in a.kind == .object ? sub.withUnsafeBufferPointer { a.member($0) } : nil }
            }
            guard let v else { continue }
            switch v.kind {
            case .null: break
            case .string:
                if v.hasEscapes {
                    scratch.removeAll(keepingCapacity: true)
                    v.unescapedBytes(into: &scratch)
                    scratch.withUnsafeBufferPointer { cell($0, into: &out) }
                } else {
                    cell(v.stringContents, into: &out)
                }
            default:
                cell(v.raw, into: &out)
            }
        }
        out.append(0x0A)
    }

    @inline(__always)
    static func cell(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var needsQuotes = false
        for c in b where c == 0x2C || c == 0x22 || c == 0x0A || c == 0x0D {
            needsQuotes = true
            break
        }
        let valid = UTF8Repair.isValid(b)
        if !needsQuotes {
            if valid { out.append(contentsOf: b) } else { out.append(contentsOf: UTF8Repair.repaired(b)) }
            return
        }
        out.append(0x22)
        let bytes = valid ? Array(b) : UTF8Repair.repaired(b)
        for c in bytes {
            if c == 0x22 { out.append(0x22) }
            out.append(c)
        }
        out.append(0x22)
    }
}
