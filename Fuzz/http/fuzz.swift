// HTTP header lines as libcurl hands them over: any bytes give a status
// line, a field or nothing; a field's name is lowercased and has no colon,
// its value has no surrounding blanks; Retry-After values parse to a
// finite, non-negative delay or to nothing.
import CCCore

@testable import CCHTTP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buf = UnsafeBufferPointer(start: data, count: size)
    var headers: [String: String] = [:]
    for line in buf.split(separator: 0x0A, omittingEmptySubsequences: false) {
        let l = UnsafeBufferPointer(rebasing: line)
        let parsed = HTTPHeaderLine(l)
        if case .field(let name, let value) = parsed {
            check(name == name.lowercased(), "field name not lowercased: \(name)")
            check(!name.utf8.contains(UInt8(ascii: ":")), "field name holds a colon: \(name)")
            for blank: UInt8 in [32, 9, 13, 10] {
                check(value.utf8.first != blank && value.utf8.last != blank, "value not trimmed: \(value.debugDescription)")
            }
        }
        parsed.apply(to: &headers)
    }
    if let v = headers["retry-after"], let d = parseRetryAfter(v, now: 1_700_000_000) {
        check(d.isFinite && d >= 0, "Retry-After \(v.debugDescription) gave \(d)")
    }
    if let d = parseRetryAfter(String(decoding: buf, as: UTF8.self), now: 1_700_000_000) {
        check(d.isFinite && d >= 0, "Retry-After gave \(d)")
    }
    return 0
}
