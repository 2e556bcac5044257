// CSV writer: any JSON record's header and row, read back with a strict
// RFC 4180 reader, give the same number of cells, the column names, and
// each field's text (strings unescaped, other values as their JSON text);
// every cell is valid UTF-8 (invalid input is repaired, never copied, one
// U+FFFD per maximal subpart). Tests/SinkTests/CSVPythonRoundTripTests reads
// the same kind of cells back with Python's csv module through the binary.
import CCCore
import CCJSON

@testable import CCSink

/// RFC 4180, strictly: a quoted cell ends at a lone quote followed by a comma
/// or the row's end; nil when the text is not one well-formed row.
func readRow(_ b: [UInt8]) -> [[UInt8]]? {
    guard b.last == 0x0A else { return nil }
    var cells: [[UInt8]] = []
    var i = 0
    let end = b.count - 1
    while true {
        var cell: [UInt8] = []
        if i < end && b[i] == 0x22 {
            i += 1
            while true {
                guard i < end else { return nil }
                if b[i] == 0x22 {
                    if i + 1 < end && b[i + 1] == 0x22 {
                        cell.append(0x22)
                        i += 2
                        continue
                    }
                    i += 1
                    break
                }
                cell.append(b[i])
                i += 1
            }
        } else {
            while i < end && b[i] != 0x2C {
                if b[i] == 0x22 || b[i] == 0x0A || b[i] == 0x0D { return nil }
                cell.append(b[i])
                i += 1
            }
        }
        cells.append(cell)
        if i == end { return cells }
        guard b[i] == 0x2C else { return nil }
        i += 1
    }
}

func expected(_ v: JSONValue?) -> [UInt8] {
    guard let v else { return [] }
    switch v.kind {
    case .null: return []
    case .string:
        var s: [UInt8] = []
        v.unescapedBytes(into: &s)
        return s
    default: return Array(v.raw)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buf = UnsafeBufferPointer(start: data, count: size)
    guard let line = try? JSONLine(buf), line.root.kind == .object else { return 0 }
    let root = line.root
    let names = CSVRecordWriter.columns(of: root)
    let columns = names.map(CSVRecordWriter.Column.init)
    var header: [UInt8] = []
    CSVRecordWriter.header(columns, into: &header)
    var row: [UInt8] = []
    var scratch: [UInt8] = []
    CSVRecordWriter.row(root, columns, scratch: &scratch, into: &row)
    guard let h = readRow(header), let r = readRow(row) else {
        fatalError("fuzz check failed: not one RFC 4180 row: \(String(decoding: header + row, as: UTF8.self).debugDescription)")
    }
    // A record without fields writes an empty line, which reads as one empty cell.
    let n = max(columns.count, 1)
    check(h.count == n && r.count == n, "\(columns.count) columns, read \(h.count) names and \(r.count) cells")
    for (i, c) in columns.enumerated() {
        check(String(validating: r[i], as: UTF8.self) != nil, "cell \(i) is not UTF-8")
        check(h[i] == Array(c.name.utf8) || !UTF8Repair.isValid(Array(c.name.utf8).withUnsafeBufferPointer { $0 }),
            "column name \(c.name.debugDescription) read back as \(String(decoding: h[i], as: UTF8.self).debugDescription)")
        var v = c.top.withUnsafeBufferPointer { root.member($0) }
        if let sub = c.arg { v = v.flatMap { a in a.kind == .object ? sub.withUnsafeBufferPointer { a.member($0) } : nil } }
        // Ill-formed UTF-8 comes back with one U+FFFD per maximal subpart,
        // which is also what the standard library's decoding does.
        let want = Array(String(decoding: expected(v), as: UTF8.self).utf8)
        check(r[i] == want,
            "column \(c.name): \(String(decoding: want, as: UTF8.self).debugDescription) read back as \(String(decoding: r[i], as: UTF8.self).debugDescription)")
    }
    return 0
}
