// JSON scanner and line reader: any bytes either scan or throw JSONSyntaxError;
// a scanned value re-written compactly scans again to the same text; the line
// reader hands out exactly the lines a plain split would, at any buffer size.
import CCCore
@testable import CCJSON

#if canImport(Glibc)
    import Glibc
#endif

/// Walks every value through every accessor, so each one meets hostile input.
func walk(_ v: JSONValue, _ depth: Int) {
    var scratch: [UInt8] = []
    switch v.kind {
    case .object:
        var n = 0
        v.forEachMember { k, m in
            n += 1
            _ = k.string()
            // A lookup by the key's bytes must find a member (the first of that name).
            check(k.hasEscapes || v.member(k.stringContents) != nil, "member lookup lost a key")
            walk(m, depth + 1)
        }
        check(n == v.count, "object count \(v.count) but \(n) members")
    case .array:
        var n = 0
        v.forEachElement { e in
            check(v[n] != nil, "element \(n) not reachable by index")
            n += 1
            walk(e, depth + 1)
        }
        check(n == v.count, "array count \(v.count) but \(n) elements")
    case .string:
        _ = v.string()
        v.unescapedBytes(into: &scratch)
        _ = v.equals("transfer")
    case .number:
        _ = v.quantity
        _ = v.int64
        _ = v.double
    case .bool, .null:
        _ = v.bool
        _ = v.isNull
    }
}

func rewritten(_ line: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
    guard let parsed = try? JSONLine(line) else { return nil }
    walk(parsed.root, 0)
    var w = JSONWriter(capacity: 64)
    w.value(parsed.root)
    return w.bytes
}

func checkScanner(_ buf: UnsafeBufferPointer<UInt8>) {
    guard let once = rewritten(buf) else { return }
    guard let twice = once.withUnsafeBufferPointer({ rewritten($0) }) else {
        fatalError("compact rewrite does not scan: \(String(decoding: once, as: UTF8.self))")
    }
    check(once == twice, "rewrite not stable")
}

/// The reader's contract, written the slow way.
func expectedLines(_ b: [UInt8]) -> [String] {
    var out: [String] = []
    var parts = b.split(separator: 0x0A, omittingEmptySubsequences: false)
    if b.last == 0x0A { parts.removeLast() }
    for (i, p) in parts.enumerated() {
        var line = Array(p)
        if line.last == 0x0D { line.removeLast() }
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
        out.append("\(i + 1):" + String(decoding: line, as: UTF8.self))
    }
    return out
}

/// One unlinked scratch file for every run: the reader reads a real descriptor.
let scratchFD: Int32 = {
    var template = Array("/tmp/cc-fuzz-json-XXXXXX".utf8CString)
    let fd = mkstemp(&template)
    precondition(fd >= 0)
    unlink(template)
    return fd
}()

func checkReader(_ bytes: [UInt8], bufferSize: Int) {
    let fd = scratchFD
    precondition(ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0)
    bytes.withUnsafeBufferPointer { b in
        var off = 0
        while off < b.count { off += write(fd, b.baseAddress! + off, b.count - off) }
    }
    lseek(fd, 0, SEEK_SET)
    var reader = LineReader(fd: fd, bufferSize: bufferSize)
    var got: [String] = []
    try! reader.forEachLine { line, n in
        got.append("\(n):" + String(decoding: line, as: UTF8.self))
        _ = rewritten(line)
    }
    check(got == expectedLines(bytes), "line reader disagrees with a plain split")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buf = UnsafeBufferPointer(start: data, count: size)
    checkScanner(buf)
    if size > 0 {
        checkReader(Array(buf.dropFirst()), bufferSize: 1 + Int(buf[0] % 17))
    }
    return 0
}
