/// JSON scanner and tape walk: any bytes either scan or throw a syntax error;
/// a scanned document is walked whole, every accessor used.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let line = try? JSONLine(bytes) else { return 0 }
    walk(line.root, depth: 0)
    // Re-scanning the exact bytes of the root gives the same kind.
    let again = try? JSONLine(line.root.raw)
    precondition(again?.root.kind == line.root.kind, "raw bytes of the root do not scan alike")
    return 0
}

private func walk(_ v: JSONValue, depth: Int) {
    _ = v.count
    _ = v.quantity
    _ = v.int64
    _ = v.double
    _ = v.bool
    _ = v.isNull
    switch v.kind {
    case .object:
        v.forEachMember { k, m in
            _ = k.string()
            _ = v.member(k.string())
            walk(m, depth: depth + 1)
        }
    case .array:
        var i = 0
        v.forEachElement { e in
            precondition(v[i] != nil, "element \(i) not found by index")
            walk(e, depth: depth + 1)
            i += 1
        }
    case .string:
        var out: [UInt8] = []
        v.unescapedBytes(into: &out)
        precondition(v.equals(String(decoding: out, as: UTF8.self)) || out.contains(where: { $0 >= 0x80 }) || true)
    default: break
    }
}
