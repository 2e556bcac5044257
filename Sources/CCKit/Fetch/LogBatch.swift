import CCCore
import CCJSON
import CCStream

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A response that breaks the promises of `eth_getLogs`: a log outside the
/// asked range or filter, out of order, twice, or malformed. The worker asks
/// once more, then gives up (a provider that lies is not worth a third try).
package struct LogValidationError: Error, Sendable, CustomStringConvertible {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}

/// What a batch held, beyond its lines.
package struct LogBatchSummary: Sendable {
    package var logs = 0
    /// Hash of the last log's block and its number (a free header for the range's end).
    package var lastBlock: UInt64?
    package var lastBlockHash: Word32?
    /// With `recordSpans`: per log, its block number and hash, and where its line sits in `out`.
    package var spans: [LogSpan] = []
}

package struct LogSpan: Sendable, Equatable {
    package var block: UInt64
    package var blockHash: Word32
    package var start: Int
    package var end: Int
}

/// The per-log hot path of cc-fetch: takes the `result` array of one
/// `eth_getLogs` answer, checks every log against the range and filter that
/// were asked (and against the previous log: strictly increasing
/// blockNumber/logIndex, one hash per block), and appends each log object as
/// the node sent it — plus `chainId` and, when asked, `blockTimestamp` — as
/// one NDJSON line. No Foundation, no dictionaries, no per-log allocation.
package struct LogBatchProcessor: Sendable {
    package let filter: LogFilter
    /// `,"chainId":N` — computed once.
    private let chainIdMember: [UInt8]
    package var withTimestamps: Bool
    package var recordSpans = false

    package init(filter: LogFilter, chainId: UInt64, withTimestamps: Bool = false) {
        self.filter = filter
        self.chainIdMember = Array(",\"chainId\":\(chainId)".utf8)
        self.withTimestamps = withTimestamps
    }

    /// Validates and writes every log of `result` (the JSON array) for `range`.
    /// With `withTimestamps`, `timestamp(block, hash)` times the logs that came
    /// without their own; each line is written once, so the caller learns the
    /// headers first (`blocksWithoutTimestamps`). A block it cannot time (its
    /// header has another hash: a reorg between the two calls) fails the answer.
    package func process(
        _ result: JSONValue, range: BlockRange, into out: inout [UInt8],
        timestamp: (UInt64, Word32) -> UInt64? = { _, _ in nil }
    ) throws(LogValidationError) -> LogBatchSummary {
        guard result.kind == .array else {
            throw LogValidationError("eth_getLogs result for blocks \(range) is not an array")
        }
        var summary = LogBatchSummary()
        var prevBlock: UInt64 = 0
        var prevIndex: UInt64 = 0
        var prevHash = Word32(0, 0, 0, 0)
        var first = true
        let start = out.count
        var err: LogValidationError?
        // The current block's hash, as bytes of the answer and parsed once per block.
        var hashBytes: UnsafeBufferPointer<UInt8>?
        result.forEachElement { log in
            guard err == nil else { return }
            do throws(LogValidationError) {
                let lineStart = out.count
                let f = try fields(log, range: range, hashBytes: &hashBytes, currentHash: prevHash, first: first)
                if !first {
                    if f.block < prevBlock || (f.block == prevBlock && f.logIndex <= prevIndex) {
                        throw LogValidationError(
                            f.block == prevBlock && f.logIndex == prevIndex
                                ? "duplicate log \(f.block)/\(f.logIndex) in the answer for blocks \(range)"
                                : "log \(f.block)/\(f.logIndex) after \(prevBlock)/\(prevIndex): answer for blocks \(range) is out of order"
                        )
                    }
                    if f.block == prevBlock && f.blockHash != prevHash {
                        throw LogValidationError(
                            "block \(f.block) has two different hashes in the answer for blocks \(range)")
                    }
                }
                first = false
                prevBlock = f.block
                prevIndex = f.logIndex
                prevHash = f.blockHash
                var time: UInt64?
                if withTimestamps && !f.hasTimestamp {
                    guard let t = timestamp(f.block, f.blockHash) else {
                        throw LogValidationError(
                            "block \(f.block) changed hash between two calls (a reorg in progress)")
                    }
                    time = t
                }
                writeLine(log, f, into: &out, timestamp: time)
                if recordSpans {
                    summary.spans.append(
                        LogSpan(block: f.block, blockHash: f.blockHash, start: lineStart, end: out.count))
                }
                summary.logs += 1
            } catch {
                err = error
            }
        }
        if let err {
            out.removeSubrange(start...)
            throw err
        }
        if !first {
            summary.lastBlock = prevBlock
            summary.lastBlockHash = prevHash
        }
        return summary
    }

    struct Fields {
        var block: UInt64
        var logIndex: UInt64
        var blockHash: Word32
        var hasTimestamp: Bool
        var members: RawLogMembers
    }

    /// One log's fields: the fast path when it applies, else the general one.
    @inline(__always)
    func fields(
        _ log: JSONValue, range: BlockRange, hashBytes: inout UnsafeBufferPointer<UInt8>?, currentHash: Word32,
        first: Bool
    ) throws(LogValidationError) -> Fields {
        if let fast = try fastScan(log.raw, range: range, hashBytes: &hashBytes, currentHash: currentHash, first: first)
        {
            return fast
        }
        return try scan(log, range: range)
    }

    /// The fast path over the raw bytes (see `RawLog`); nil to take the general path.
    @inline(__always)
    func fastScan(
        _ b: UnsafeBufferPointer<UInt8>, range: BlockRange, hashBytes: inout UnsafeBufferPointer<UInt8>?,
        currentHash: Word32, first: Bool
    ) throws(LogValidationError) -> Fields? {
        guard let r = RawLog.scan(b), let block = RawLog.quantity(b, r.blockNumber),
            let index = RawLog.quantity(b, r.logIndex), r.blockHash.0 >= 0, r.address.0 >= 0,
            r.hasTopics, !r.topicsMalformed, r.topicCount <= 4
        else { return nil }  // the general path names what is wrong
        guard range.contains(block) else {
            throw LogValidationError("log in block \(block) in the answer for blocks \(range): outside the range asked")
        }
        if r.removed { throw LogValidationError("log \(block)/\(index) is marked removed in a historical answer") }
        // The block hash: same bytes as the previous log's means same value, already checked.
        let hb = UnsafeBufferPointer(rebasing: b[r.blockHash.0..<r.blockHash.1])
        var hash = currentHash
        if first || hashBytes == nil || hashBytes!.count != hb.count
            || memcmp(hashBytes!.baseAddress!, hb.baseAddress!, hb.count) != 0
        {
            guard let w = Word32(hex: hb, byteCount: 32) else { return nil }
            hash = w
            hashBytes = hb
        }
        if filter.addresses.isEmpty {
            guard RawLog.isHexWord(b, r.address.0, r.address.1, bytes: 20) else { return nil }
        } else {
            guard let a = Word32(hex: UnsafeBufferPointer(rebasing: b[r.address.0..<r.address.1]), byteCount: 20)
            else { return nil }
            guard filter.matchesAddress(a) else {
                throw LogValidationError(
                    "log \(block)/\(index) from address \(a.hex(byteCount: 20)) does not match the filter")
            }
        }
        for p in 0..<r.topicCount {
            let (s, e) = r.topic(p)
            if p < filter.topics.count, filter.topics[p] != nil {
                let w = Word32(hex: UnsafeBufferPointer(rebasing: b[s..<e]), byteCount: 32)
                if w == nil || !filter.matchesTopic(p, w) {
                    throw LogValidationError(
                        "log \(block)/\(index) has topics that are malformed or do not match the filter")
                }
            } else if !RawLog.isHexWord(b, s, e, bytes: 32) {
                return nil
            }
        }
        var p = r.topicCount
        while p < filter.topics.count {
            if !filter.matchesTopic(p, nil) {
                throw LogValidationError(
                    "log \(block)/\(index) has topics that are malformed or do not match the filter")
            }
            p += 1
        }
        return Fields(block: block, logIndex: index, blockHash: hash, hasTimestamp: r.hasTimestamp, members: r.members)
    }

    /// One pass over the log's members: presence, shape, range and filter.
    @inline(__always)
    func scan(_ log: JSONValue, range: BlockRange) throws(LogValidationError) -> Fields {
        guard log.kind == .object else { throw LogValidationError("answer for blocks \(range) holds a non-object log") }
        var block: UInt64?
        var index: UInt64?
        var hash: Word32?
        var address: Word32?
        var topics: JSONValue?
        var removed = false
        var hasTimestamp = false
        var members = RawLogMembers()
        let base = log.raw.baseAddress!
        log.forEachMember { key, value in
            // Exact keys (escapes resolved), first occurrence wins, as in the fast path.
            guard let field = RawLogKey(key: key), !members.has(field) else { return }
            let s = base.distance(to: value.raw.baseAddress!)
            members.set(field, s, s + value.raw.count)
            switch field {
            case .blockNumber: block = value.quantity
            case .logIndex: index = value.quantity
            case .blockHash: hash = Word32(hex: value.stringContents, byteCount: 32)
            case .address: address = Word32(hex: value.stringContents, byteCount: 20)
            case .topics: topics = value
            case .removed: removed = value.bool == true
            case .blockTimestamp: hasTimestamp = true
            default: break
            }
        }
        guard let block else {
            throw LogValidationError("log without a valid blockNumber in the answer for blocks \(range)")
        }
        guard let index else { throw LogValidationError("log in block \(block) without a valid logIndex") }
        guard let hash else { throw LogValidationError("log \(block)/\(index) without a valid blockHash") }
        guard let address else { throw LogValidationError("log \(block)/\(index) without a valid address") }
        guard range.contains(block) else {
            throw LogValidationError("log in block \(block) in the answer for blocks \(range): outside the range asked")
        }
        if removed { throw LogValidationError("log \(block)/\(index) is marked removed in a historical answer") }
        guard filter.matchesAddress(address) else {
            throw LogValidationError(
                "log \(block)/\(index) from address \(address.hex(byteCount: 20)) does not match the filter")
        }
        guard let topics, topics.kind == .array, topics.count <= 4 else {
            throw LogValidationError("log \(block)/\(index) without a valid topics array")
        }
        // Topics are checked even without a topic filter: they must be 32-byte hex words.
        var position = 0
        var bad = false
        topics.forEachElement { t in
            let w = t.kind == .string ? Word32(hex: t.stringContents, byteCount: 32) : nil
            if w == nil || !filter.matchesTopic(position, w) { bad = true }
            position += 1
        }
        while !bad && position < filter.topics.count {
            if !filter.matchesTopic(position, nil) { bad = true }
            position += 1
        }
        if bad {
            throw LogValidationError("log \(block)/\(index) has topics that are malformed or do not match the filter")
        }
        return Fields(block: block, logIndex: index, blockHash: hash, hasTimestamp: hasTimestamp, members: members)
    }

    /// The blocks whose headers `process` will need for `result`: those of
    /// logs without their own `blockTimestamp` that `known(block, hash)` cannot
    /// time, each once, in the answer's order: a pass over three fields of each
    /// log while the answer is still alive, so that the lines are then written
    /// once. It stops at a log it cannot read; `process` names what is wrong.
    package func blocksWithoutTimestamps(
        _ result: JSONValue, range: BlockRange, known: (UInt64, Word32) -> Bool
    ) -> [UInt64] {
        guard withTimestamps, result.kind == .array else { return [] }
        var blocks: [UInt64] = []
        var previous: UInt64?
        var failed = false
        result.forEachElement { log in
            guard !failed else { return }
            // Only the block, its hash and whether the log has its own time: the
            // full checks are `process`'s, which runs next.
            let block: UInt64
            let hash: Word32
            let b = log.raw
            if let r = RawLog.scan(b), let n = RawLog.quantity(b, r.blockNumber), r.blockHash.0 >= 0 {
                if r.hasTimestamp || n == previous { return }
                guard
                    let h = Word32(hex: UnsafeBufferPointer(rebasing: b[r.blockHash.0..<r.blockHash.1]), byteCount: 32)
                else {
                    failed = true
                    return
                }
                (block, hash) = (n, h)
            } else {
                do throws(LogValidationError) {
                    let f = try scan(log, range: range)
                    if f.hasTimestamp || f.block == previous { return }
                    (block, hash) = (f.block, f.blockHash)
                } catch {
                    failed = true
                    return
                }
            }
            previous = block
            if range.contains(block) && !known(block, hash) { blocks.append(block) }
        }
        return blocks
    }

    /// Writes the log with its Record 1 members only (see `RawLogMembers`), then
    /// `chainId` and `blockTimestamp` when given.
    @inline(__always)
    func writeLine(_ log: JSONValue, _ f: Fields, into out: inout [UInt8], timestamp: UInt64?) {
        out.append(UInt8(ascii: "{"))
        f.members.appendMembers(of: log.raw, to: &out)
        out.append(contentsOf: chainIdMember)
        if let ts = timestamp {
            appendHexMember(",\"blockTimestamp\":\"0x", ts, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        out.append(0x0A)
    }
}

@inline(__always) func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }

/// Copies JSON text without the whitespace between tokens (a node that
/// pretty-prints must not break NDJSON framing).
func appendCompacted(_ b: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
    var inString = false
    var escaped = false
    for c in b {
        if inString {
            out.append(c)
            if escaped {
                escaped = false
            } else if c == UInt8(ascii: "\\") {
                escaped = true
            } else if c == 0x22 {
                inString = false
            }
        } else if !isSpace(c) {
            out.append(c)
            if c == 0x22 { inString = true }
        }
    }
}

func appendHexMember(_ prefix: StaticString, _ v: UInt64, to out: inout [UInt8]) {
    out.append(contentsOf: UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount))
    let digits: StaticString = "0123456789abcdef"
    let d = digits.utf8Start
    var shift = v == 0 ? 0 : (63 - v.leadingZeroBitCount) / 4 * 4
    while shift >= 0 {
        out.append(d[Int((v >> UInt64(shift)) & 0xF)])
        shift -= 4
    }
    out.append(0x22)
}
