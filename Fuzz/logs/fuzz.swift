// An eth_getLogs answer from a hostile node -> cc-fetch's Record 1 lines. The
// first bytes pick the range, the filter and --with-timestamps; the rest is
// the answer: the input's bytes as they are (hostile JSON), or logs built
// from them with fields dropped, repeated, reordered or mistyped. An answer
// is refused with a LogValidationError or written as one JSON object per
// log, each inside the range, with the chain id, in strictly increasing
// order, timed when asked; and every block `process` has to time was named
// by `blocksWithoutTimestamps` first (the one-pass promise).
import CCCore
import CCFetch
import CCJSON

let hexDigits = Array("0123456789abcdef".utf8)

func hexWord(_ src: inout ByteSource, bytes: Int) -> String {
    var s = "0x"
    for _ in 0..<bytes {
        let b = src.byte() & 3  // few distinct values: repeated hashes and addresses
        s.append(Character(UnicodeScalar(hexDigits[Int(b)])))
        s.append("0")
    }
    return s
}

/// One log object, mostly well-formed; `src` decides what goes wrong.
func makeLog(_ src: inout ByteSource, block: inout UInt64, index: inout UInt64) -> String {
    let flaw = src.byte()
    if flaw & 0x0F == 0 { block &+= UInt64(src.int(3)) } else if flaw & 0x0F == 1 { block &-= 1 }
    index = flaw & 0x30 == 0 ? 0 : index &+ UInt64(src.int(2))
    var members: [String] = [
        #""address":"\#(hexWord(&src, bytes: 20))""#,
        #""topics":[\#((0..<src.int(6)).map { _ in "\"" + hexWord(&src, bytes: 32) + "\"" }.joined(separator: ","))]"#,
        #""data":"0x""#,
        #""blockNumber":"0x\#(String(block, radix: 16))""#,
        #""blockHash":"\#(src.byte() & 7 == 0 ? hexWord(&src, bytes: 32) : "0x" + String(repeating: "ab", count: 31) + String(block & 0xff, radix: 16).leftPad(2))""#,
        #""logIndex":"0x\#(String(index, radix: 16))""#,
        #""removed":\#(src.byte() & 31 == 0)"#,
    ]
    if flaw & 0x40 != 0 { members.append(#""blockTimestamp":"0x\#(String(block &* 12, radix: 16))""#) }
    if flaw & 0x80 != 0, !members.isEmpty {
        // Drop, repeat or mistype one member.
        let k = src.int(members.count)
        switch src.int(3) {
        case 0: members.remove(at: k)
        case 1: members.insert(members[k], at: src.int(members.count + 1))
        default: members[k] = members[k].replacingFirstQuote()
        }
    }
    return "{" + members.joined(separator: ",") + "}"
}

extension String {
    func leftPad(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
    /// `"key":"value"` -> `"key":value` (a string member that is no longer one).
    func replacingFirstQuote() -> String {
        guard let colon = firstIndex(of: ":") else { return self }
        var s = self
        let after = s.index(after: colon)
        if after < s.endIndex, s[after] == "\"" { s.remove(at: after) } else { s.insert("[", at: after) }
        return s
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var src = ByteSource(UnsafeBufferPointer(start: data, count: size))
    let mode = src.byte()
    let from = UInt64(src.byte())
    let range = BlockRange(from, from + UInt64(src.byte() % 32))
    // A filter the built logs sometimes meet: the zero address, a zero second topic.
    let zero = Word32(0, 0, 0, 0)
    let filter = LogFilter(addresses: mode & 2 != 0 ? [zero] : [], topics: mode & 16 != 0 ? [nil, [zero]] : [])
    var processor = LogBatchProcessor(filter: filter, chainId: 7, withTimestamps: mode & 1 != 0)
    processor.recordSpans = mode & 4 != 0
    var answer: [UInt8]
    if mode & 8 == 0 {
        answer = Array(src.rest())
    } else {
        var block = range.from
        var index: UInt64 = 0
        var logs: [String] = []
        while !src.isEmpty && logs.count < 64 { logs.append(makeLog(&src, block: &block, index: &index)) }
        answer = Array(("[" + logs.joined(separator: ",") + "]").utf8)
    }
    answer.withUnsafeBufferPointer { b in
        guard let line = try? JSONLine(b) else { return }
        let known: (UInt64) -> Bool = { $0 % 3 == 0 }
        let missing = processor.blocksWithoutTimestamps(line.root, range: range) { n, _ in known(n) }
        check(missing.allSatisfy { range.contains($0) && !known($0) }, "named \(missing) for \(range)")
        var out: [UInt8] = []
        let summary: LogBatchSummary
        do throws(LogValidationError) {
            summary = try processor.process(line.root, range: range, into: &out) { n, _ in
                known(n) || missing.contains(n) ? n &* 12 : nil
            }
        } catch {
            check(out.isEmpty, "a refused answer left \(out.count) bytes")
            check(!error.message.contains("changed hash between two calls"), "a block to time was not named first")
            return
        }
        // In an answer that passed (strictly increasing), each block is named once.
        check(Set(missing).count == missing.count, "a block named twice: \(missing)")
        var lines = out.split(separator: 0x0A, omittingEmptySubsequences: false)
        check(lines.last?.isEmpty == true, "output without its final newline")
        lines.removeLast()
        check(lines.count == summary.logs, "\(lines.count) lines for \(summary.logs) logs")
        check(!processor.recordSpans || summary.spans.count == summary.logs, "spans \(summary.spans.count)")
        var previous: (UInt64, UInt64)?
        for (i, l) in lines.enumerated() {
            Array(l).withUnsafeBufferPointer { lb in
                guard let record = try? JSONLine(lb) else { fatalError("fuzz check failed: invalid JSON line \(i)") }
                let r = record.root
                check(r.kind == .object, "line \(i) is not an object")
                guard let n = r["blockNumber"]?.quantity, let k = r["logIndex"]?.quantity else {
                    fatalError("fuzz check failed: line \(i) without blockNumber/logIndex")
                }
                check(range.contains(n), "block \(n) outside \(range)")
                if let p = previous { check(p < (n, k), "line \(i) not after \(p)") }
                previous = (n, k)
                check(r["chainId"]?.int64 == 7, "line \(i) without chainId 7")
                check(!processor.withTimestamps || r["blockTimestamp"] != nil, "line \(i) untimed")
                if processor.recordSpans {
                    let s = summary.spans[i]
                    check(s.block == n && Array(out[s.start..<s.end]) == Array(l) + [0x0A], "span \(i)")
                }
            }
        }
        if let (n, _) = previous { check(summary.lastBlock == n, "lastBlock \(String(describing: summary.lastBlock))") }
    }
    return 0
}
