#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Equality and ordering, the part of the language most filters are made of.
///
/// - `==`/`!=` treat null as a value (`x == null` tests for a missing path);
///   `< <= > >=` with null are false.
/// - A number against a string: the string is read as a decimal or hex
///   integer (decoded uint256 values are decimal strings).
/// - Two strings: exact bytes, except that two hex strings (`0x…`) compare
///   case-insensitively, so a checksummed address equals its lowercase form.
///   Ordered comparisons of two numeric strings compare the numbers.
enum FilterComparison {
    static func equal(_ a: FilterValue, _ b: FilterValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.null, _), (_, .null): return false
        case (.bool(let x), .bool(let y)): return x == y
        case (.bool, _), (_, .bool): return false
        default: break
        }
        if a.isString && b.isString { return stringsEqual(a, b) }
        if a.isNumber || b.isNumber {
            guard let x = try? a.number(for: "=="), let y = try? b.number(for: "==") else { return false }
            return x == y
        }
        if let xs = a.elements, let ys = b.elements {
            guard xs.count == ys.count else { return false }
            for k in 0..<xs.count where !equal(xs[k], ys[k]) { return false }
            return true
        }
        if let xo = a.objectMembers, let yo = b.objectMembers {
            guard xo.keys.count == yo.keys.count else { return false }
            for k in 0..<xo.keys.count {
                guard let other = yo[xo.keys[k]], equal(xo.values[k], other) else { return false }
            }
            return true
        }
        return false
    }

    static func stringsEqual(_ a: FilterValue, _ b: FilterValue) -> Bool {
        a.withStringBytes { x in
            b.withStringBytes { y in filterBytesEqualHexInsensitive(x, y) } ?? false
        } ?? false
    }

    /// Ordered comparison: nil when either side is null (the comparison is
    /// then false); throws for values that have no order.
    static func order(_ a: FilterValue, _ b: FilterValue, _ op: String) throws(FilterRuntimeError) -> Int? {
        if a.isNull || b.isNull { return nil }
        if a.isString && b.isString {
            // Two numeric strings (decoded uint values) compare as numbers.
            if let x = a.withStringBytes({ Int512(numeric: $0) }) ?? nil,
                let y = b.withStringBytes({ Int512(numeric: $0) }) ?? nil
            {
                return x < y ? -1 : (x == y ? 0 : 1)
            }
            return a.withStringBytes { x in b.withStringBytes { y in filterCompareBytes(x, y) } ?? 0 } ?? 0
        }
        if (a.isNumber || a.isString) && (b.isNumber || b.isString) {
            guard let x = try a.number(for: op), let y = try b.number(for: op) else { return nil }
            return x < y ? -1 : (x == y ? 0 : 1)
        }
        throw FilterRuntimeError("cannot compare \(a.typeName) with \(b.typeName) using '\(op)'")
    }

    static func contains(_ list: FilterValue, _ element: FilterValue) throws(FilterRuntimeError) -> Bool? {
        if list.isNull { return nil }
        guard let items = list.elements else {
            throw FilterRuntimeError("'in' needs a list on its right, got \(list.typeName) \(list.preview)")
        }
        for item in items where equal(element, item) { return true }
        return false
    }
}

extension FilterValue {
    var objectMembers: FilterObject? {
        switch self {
        case .object(let o): return o
        case .json(let j) where j.kind == .object:
            var o = FilterObject()
            j.forEachMember { k, v in o.set(FilterValue.from(k).stringBytes ?? [], FilterValue.from(v)) }
            return o
        default: return nil
        }
    }
}

@inline(__always) func filterIsHexString(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
    guard p.count >= 2, p[0] == UInt8(ascii: "0"), p[1] | 0x20 == UInt8(ascii: "x") else { return false }
    var i = 2
    while i < p.count {
        if filterHexDigit(p[i]) == nil { return false }
        i += 1
    }
    return true
}

@inline(__always) func filterBytesEqualHexInsensitive(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>)
    -> Bool
{
    guard x.count == y.count else { return false }
    if x.count == 0 { return true }
    if memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 { return true }
    guard filterIsHexString(x) && filterIsHexString(y) else { return false }
    for i in 0..<x.count where x[i] | 0x20 != y[i] | 0x20 { return false }
    return true
}

/// Bytewise order (UTF-8 order is code point order); hex strings ignore case.
func filterCompareBytes(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Int {
    let fold = filterIsHexString(x) && filterIsHexString(y)
    let n = min(x.count, y.count)
    for i in 0..<n {
        let a = fold ? x[i] | 0x20 : x[i]
        let b = fold ? y[i] | 0x20 : y[i]
        if a != b { return a < b ? -1 : 1 }
    }
    return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
}
