import CCEthereum
import CCJSON

/// Decodes one log against one event and renders `"event":…,"signature":…,"args":{…}`.
///
/// Everything comes from the log, so everything is hostile: every offset and
/// length is checked against the bytes present before it is used (with no
/// arithmetic that can overflow), array lengths are bounded by the bytes
/// left, and a read budget proportional to the data stops offsets that point
/// many elements at the same bytes from inflating a small log into an
/// enormous output. Loops follow the data; recursion only follows the ABI
/// type, whose depth the parser limits.
///
/// Padding: by default a word is read as nodes, solc's v1 decoder and ethers
/// read it (high bits of a uintN masked off, an address is the low 20 bytes,
/// any non-zero bool is true). `strict` rejects non-canonical words instead.
package struct LogDecoder {
    package var strict: Bool
    package let checksums: ChecksumCache

    package init(strict: Bool = false, checksums: ChecksumCache = ChecksumCache()) {
        self.strict = strict
        self.checksums = checksums
    }

    /// Appends the event's members to `w` and returns true; when the log does not
    /// decode as this event, leaves `w` as it was and returns false.
    /// `topics` holds `topicCount` consecutive 32-byte words.
    package func decode(
        _ plan: EventPlan, topics: UnsafeBufferPointer<UInt8>, topicCount: Int, data: UnsafeBufferPointer<UInt8>,
        into w: inout JSONWriter
    ) -> Bool {
        guard topicCount == plan.topicCount, topics.count >= topicCount * 32, data.count >= plan.dataHeadSize else {
            return false
        }
        // An anonymous event has no topic0 to identify it, only the address binding and the
        // topic count: demand a canonical encoding so a log of another event is not taken for it.
        let strict = strict || plan.event.anonymous
        if plan.event.anonymous && !plan.hasDynamicData && data.count != plan.dataHeadSize { return false }
        let mark = w.bytes.count
        var cursor = Cursor(data: data, strict: strict, checksums: checksums)
        // Parameters and keys are read in place: no retain and release of a
        // key or a type per parameter per log.
        let ok = plan.text.withUnsafeBufferPointer { text -> Bool in
            w.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[0..<plan.headerCount]))
            return plan.params.withUnsafeBufferPointer { params -> Bool in
                for i in 0..<params.count {
                    if i > 0 { w.bytes.append(UInt8(ascii: ",")) }
                    let key = text[params[i].keyStart..<params[i].keyEnd]
                    w.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: key))
                    let ok: Bool
                    if params[i].indexed {
                        let word = UnsafeRawPointer(topics.baseAddress!) + params[i].position * 32
                        if params[i].fromTopic {
                            ok = cursor.word(params[i].type, word, &w)
                        } else {
                            // The log holds only keccak256 of an indexed string, bytes, array or tuple.
                            Cursor.appendHexString(UnsafeRawBufferPointer(start: word, count: 32), &w)
                            ok = true
                        }
                    } else {
                        ok = cursor.value(params[i].type, head: params[i].position, tupleStart: 0, &w)
                    }
                    if !ok { return false }
                }
                return true
            }
        }
        if !ok {
            w.bytes.removeLast(w.bytes.count - mark)
            return false
        }
        w.bytes.append(UInt8(ascii: "}"))
        return true
    }
}

private struct Cursor {
    let data: UnsafeBufferPointer<UInt8>
    let strict: Bool
    /// Borrowed from the `LogDecoder`, which outlives every cursor (a cursor
    /// lives for one `decode` call): no retain per log.
    unowned(unsafe) let checksums: ChecksumCache
    /// Bytes the decoder may still read; canonical encodings read each byte about once.
    var budget: Int

    init(data: UnsafeBufferPointer<UInt8>, strict: Bool, checksums: ChecksumCache) {
        self.data = data
        self.strict = strict
        self.checksums = checksums
        budget = data.count &* 16 &+ 4096
    }

    /// A pointer to the 32-byte word at `pos`, or nil when it is not all inside data.
    @inline(__always)
    mutating func wordAt(_ pos: Int) -> UnsafeRawPointer? {
        guard pos >= 0, pos <= data.count - 32 else { return nil }
        budget -= 32
        guard budget >= 0 else { return nil }
        return UnsafeRawPointer(data.baseAddress!) + pos
    }

    /// Reads an offset or length word: nil unless it is at most `data.count`
    /// (anything larger cannot point inside the data and might overflow Int).
    @inline(__always)
    mutating func smallWord(_ pos: Int) -> Int? {
        guard let p = wordAt(pos) else { return nil }
        let hi =
            p.loadUnaligned(as: UInt64.self) | p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            | p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
        let lo = UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        guard hi == 0, lo <= UInt64(data.count) else { return nil }
        return Int(lo)
    }

    /// Decodes the element whose head slot is at `head` inside the tuple starting at `tupleStart`.
    mutating func value(_ t: TypePlan, head: Int, tupleStart: Int, _ w: inout JSONWriter) -> Bool {
        if t.isDynamic {
            guard let offset = smallWord(head) else { return false }
            let loc = tupleStart + offset  // both <= data.count: no overflow
            guard loc <= data.count else { return false }
            return tail(t, at: loc, &w)
        }
        return inline(t, at: head, &w)
    }

    /// A static type stored in place.
    mutating func inline(_ t: TypePlan, at pos: Int, _ w: inout JSONWriter) -> Bool {
        switch t.kind {
        case .fixedArray:
            guard let e = t.element, pos <= data.count, t.headSize <= data.count - pos else { return false }
            w.bytes.append(UInt8(ascii: "["))
            for i in 0..<t.size {
                if i > 0 { w.bytes.append(UInt8(ascii: ",")) }
                guard inline(e, at: pos + i * e.headSize, &w) else { return false }
            }
            w.bytes.append(UInt8(ascii: "]"))
            return true
        case .tuple:
            guard pos <= data.count, t.headSize <= data.count - pos else { return false }
            return tuple(t, start: pos, &w)
        default:
            guard let p = wordAt(pos) else { return false }
            return word(t, p, &w)
        }
    }

    /// A dynamic type whose encoding starts at `loc`.
    mutating func tail(_ t: TypePlan, at loc: Int, _ w: inout JSONWriter) -> Bool {
        switch t.kind {
        case .bytes, .string:
            guard let length = smallWord(loc), length <= data.count - (loc + 32) else { return false }
            budget -= length
            guard budget >= 0 else { return false }
            let body = UnsafeRawBufferPointer(start: data.baseAddress! + loc + 32, count: length)
            if strict {
                // Canonical encodings pad with zeros to a whole word.
                let padded = (length + 31) / 32 * 32
                guard padded <= data.count - (loc + 32) else { return false }
                for i in length..<padded where data[loc + 32 + i] != 0 { return false }
            }
            if t.kind == .string {
                w.string(utf8: body.assumingMemoryBound(to: UInt8.self))
            } else {
                Cursor.appendHexString(body, &w)
            }
            return true
        case .array:
            guard let e = t.element, let n = smallWord(loc) else { return false }
            let start = loc + 32
            guard n <= (data.count - start) / e.minElementBytes else { return false }
            return sequence(e, count: n, start: start, &w)
        case .fixedArray:
            guard let e = t.element else { return false }
            return sequence(e, count: t.size, start: loc, &w)
        case .tuple:
            return tuple(t, start: loc, &w)
        default:
            return false
        }
    }

    /// `count` elements encoded as a tuple starting at `start`.
    mutating func sequence(_ e: TypePlan, count: Int, start: Int, _ w: inout JSONWriter) -> Bool {
        guard start <= data.count, count <= (data.count - start) / max(e.headSize, 1) || e.headSize == 0 else {
            return false
        }
        w.bytes.append(UInt8(ascii: "["))
        for i in 0..<count {
            if i > 0 { w.bytes.append(UInt8(ascii: ",")) }
            guard value(e, head: start + i * e.headSize, tupleStart: start, &w) else { return false }
        }
        w.bytes.append(UInt8(ascii: "]"))
        return true
    }

    mutating func tuple(_ t: TypePlan, start: Int, _ w: inout JSONWriter) -> Bool {
        guard start <= data.count else { return false }
        let keys = t.componentKeys
        w.bytes.append(keys == nil ? UInt8(ascii: "[") : UInt8(ascii: "{"))
        for i in 0..<t.components.count {
            if i > 0 { w.bytes.append(UInt8(ascii: ",")) }
            if let keys { w.bytes.append(contentsOf: keys[i]) }
            guard value(t.components[i], head: start + t.componentOffsets[i], tupleStart: start, &w) else {
                return false
            }
        }
        w.bytes.append(keys == nil ? UInt8(ascii: "]") : UInt8(ascii: "}"))
        return true
    }

    /// A value type from one 32-byte word (of data, or an indexed topic).
    mutating func word(_ t: TypePlan, _ p: UnsafeRawPointer, _ w: inout JSONWriter) -> Bool {
        let l3 = UInt64(bigEndian: p.loadUnaligned(as: UInt64.self))
        let l2 = UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let l1 = UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        let l0 = UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        switch t.kind {
        case .uint:
            let m = Cursor.mask((l0, l1, l2, l3), bits: t.size)
            if strict && (m.0 != l0 || m.1 != l1 || m.2 != l2 || m.3 != l3) { return false }
            w.bytes.append(UInt8(ascii: "\""))
            WordFormatting.appendDecimal(m.0, m.1, m.2, m.3, to: &w.bytes)
            w.bytes.append(UInt8(ascii: "\""))
        case .int:
            var m = Cursor.mask((l0, l1, l2, l3), bits: t.size)
            let signBit = t.size - 1
            let negative = Cursor.limb(m, signBit / 64) >> UInt64(signBit % 64) & 1 == 1
            if negative {
                let ones = Cursor.mask((~0, ~0, ~0, ~0), bits: t.size)
                m = (m.0 | ~ones.0, m.1 | ~ones.1, m.2 | ~ones.2, m.3 | ~ones.3)
            }
            if strict && (m.0 != l0 || m.1 != l1 || m.2 != l2 || m.3 != l3) { return false }
            w.bytes.append(UInt8(ascii: "\""))
            if negative {
                // Two's complement: the magnitude is ~m + 1.
                var c: Bool
                var n0: UInt64, n1: UInt64, n2: UInt64, n3: UInt64
                (n0, c) = (~m.0).addingReportingOverflow(1)
                (n1, c) = (~m.1).addingReportingOverflow(c ? 1 : 0)
                (n2, c) = (~m.2).addingReportingOverflow(c ? 1 : 0)
                n3 = ~m.3 &+ (c ? 1 : 0)
                w.bytes.append(UInt8(ascii: "-"))
                WordFormatting.appendDecimal(n0, n1, n2, n3, to: &w.bytes)
            } else {
                WordFormatting.appendDecimal(m.0, m.1, m.2, m.3, to: &w.bytes)
            }
            w.bytes.append(UInt8(ascii: "\""))
        case .address:
            if strict && (l3 != 0 || l2 >> 32 != 0) { return false }
            w.bytes.append(UInt8(ascii: "\""))
            checksums.append(
                UnsafeBufferPointer(start: (p + 12).assumingMemoryBound(to: UInt8.self), count: 20), to: &w.bytes)
            w.bytes.append(UInt8(ascii: "\""))
        case .bool:
            if strict && (l3 | l2 | l1 != 0 || l0 > 1) { return false }
            w.raw(l3 | l2 | l1 | l0 != 0 ? "true" : "false")
        case .fixedBytes:
            if strict {
                for i in t.size..<32 where p.load(fromByteOffset: i, as: UInt8.self) != 0 { return false }
            }
            Cursor.appendHexString(UnsafeRawBufferPointer(start: p, count: t.size), &w)
        default:
            return false
        }
        return true
    }

    @inline(__always)
    static func appendHexString(_ b: UnsafeRawBufferPointer, _ w: inout JSONWriter) {
        w.raw("\"0x")
        WordFormatting.appendHex(b, to: &w.bytes)
        w.bytes.append(UInt8(ascii: "\""))
    }

    typealias Limbs = (UInt64, UInt64, UInt64, UInt64)

    @inline(__always)
    static func limb(_ l: Limbs, _ i: Int) -> UInt64 {
        switch i {
        case 0: return l.0
        case 1: return l.1
        case 2: return l.2
        default: return l.3
        }
    }

    /// Keeps the low `bits` bits.
    @inline(__always)
    static func mask(_ l: Limbs, bits: Int) -> Limbs {
        if bits >= 256 { return l }
        @inline(__always) func m(_ v: UInt64, _ i: Int) -> UInt64 {
            let lo = i * 64
            if bits >= lo + 64 { return v }
            if bits <= lo { return 0 }
            return v & ((1 << UInt64(bits - lo)) - 1)
        }
        return (m(l.0, 0), m(l.1, 1), m(l.2, 2), m(l.3, 3))
    }
}
