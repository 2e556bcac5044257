import Foundation
import Synchronization
import Testing

@testable import CCCore
@testable import CCFetch
@testable import CCJSON
@testable import CCRPC

#if canImport(Glibc)
    import Glibc
#endif

/// An in-memory node: two logs in every block divisible by 3, random answer
/// delays (so ranges complete out of order), a block-range limit, and one
/// answer in `corruptEvery` that carries a duplicated log.
final class FakeLogNode: LogNode, @unchecked Sendable {
    // @unchecked: `calls` is atomic; everything else is immutable.
    let head: UInt64
    let rangeLimit: UInt64
    let corruptEvery: Int
    let calls: Atomic<Int>
    var filter = LogFilter()

    init(head: UInt64, rangeLimit: UInt64, corruptEvery: Int) {
        self.head = head
        self.rangeLimit = rangeLimit
        self.corruptEvery = corruptEvery
        self.calls = Atomic(0)
    }

    static func log(_ block: UInt64, _ index: UInt64) -> String {
        logJSON(block: block, index: index)
    }

    static func logs(_ from: UInt64, _ to: UInt64) -> [String] {
        (from...to).filter { $0 % 3 == 0 }.flatMap { [log($0, 0), log($0, 1)] }
    }

    func chainId() throws -> UInt64 { 1 }
    func clientVersion() throws -> String { "fake" }
    func blockNumber() throws -> UInt64 { head }
    func header(tag: BlockTag) throws -> BlockHeader? { nil }
    func headers(_ numbers: [UInt64]) throws -> [BlockHeader?] { numbers.map { Self.header($0) } }
    func header(hash: Word32) throws -> BlockHeader? { nil }
    func hasState(at block: UInt64) throws -> Bool { false }

    static func header(_ n: UInt64) -> BlockHeader {
        BlockHeader(number: n, hash: Word32(0, 0, 0, n % 256), parentHash: nil, timestamp: n)
    }

    func getLogs(
        _ queries: [LogQuery], headers headerNumbers: [UInt64], _ body: (Int, Result<JSONValue, Error>) throws -> Void
    ) throws -> [BlockHeader?] {
        usleep(UInt32.random(in: 0...2_000))
        for (i, q) in queries.enumerated() {
            let n = calls.add(1, ordering: .relaxed).newValue
            guard case .range(let r) = q else { continue }
            let (from, to) = (r.from, r.to)
            if to - from + 1 > rangeLimit {
                try body(i, .failure(ProviderError(.rangeRefused(.blocks(maxBlocks: rangeLimit)), "test-range")))
                continue
            }
            var logs = Self.logs(from, to)
            if n % corruptEvery == 0, let first = logs.first { logs.insert(first, at: 0) }
            var bytes = Array(("[" + logs.joined(separator: ",") + "]").utf8)
            try bytes.withUnsafeMutableBufferPointer { b in
                let line = try JSONLine(UnsafeBufferPointer(b))
                try body(i, .success(line.root))
            }
        }
        return headerNumbers.map { Self.header($0) }
    }
}

@Suite struct LogFetcherTests {
    @Test(arguments: [1, 3, 8])
    func writesEveryBlockOnceInOrder(concurrency: Int) throws {
        var settings = FetchSettings(filter: LogFilter(), chainId: 1)
        settings.concurrency = concurrency
        settings.chunkSize = 700
        settings.needEndHashes = true
        settings.batch = concurrency == 3 ? 2 : 1
        let fetcher = LogFetcher(settings: settings, metrics: FetchMetrics()) { _ in
            FakeLogNode(head: 20_000, rangeLimit: 250, corruptEvery: 7)
        }
        var out: [UInt8] = []
        var ranges: [BlockRange] = []
        let outcome = try fetcher.run(from: 5, to: 12_345) { range, o in
            out.append(contentsOf: o.bytes)
            ranges.append(range)
            #expect(o.endHash == FakeLogNode.header(range.to).hash)
        }
        #expect(outcome == .completed)
        let want = FakeLogNode.logs(5, 12_345).map { String($0.dropLast()) + #","chainId":1}"# + "\n" }.joined()
        #expect(String(decoding: out, as: UTF8.self) == want)
        var next: UInt64 = 5
        for r in ranges {
            #expect(r.from == next)
            #expect(r.count <= 250)
            next = r.to + 1
        }
        #expect(next == 12_346)
        #expect(fetcher.chunkSize <= 250)
    }

    @Test func aBrokenAnswerTwiceIsAnError() {
        let settings = FetchSettings(filter: LogFilter(), chainId: 1)
        let fetcher = LogFetcher(settings: settings, metrics: FetchMetrics()) { _ in
            FakeLogNode(head: 1_000, rangeLimit: 10_000, corruptEvery: 1)
        }
        do {
            _ = try fetcher.run(from: 0, to: 100) { _, _ in }
            Issue.record("accepted duplicates")
        } catch let e as ChainCastError {
            #expect(e.status == .unavailable)
            #expect(e.message.contains("duplicate"))
        } catch {
            Issue.record("\(error)")
        }
    }
}

/// `FakeLogNode` whose headers can lie: another hash for every block, or none.
final class HeaderFaultNode: LogNode, @unchecked Sendable {
    // @unchecked: the counters are atomic; everything else is immutable.
    enum Fault { case none, otherHash, missing }
    let inner: FakeLogNode
    let fault: Fault
    /// Headers asked for, and the `eth_getBlockByNumber` batches they came in.
    let asked = Atomic<Int>(0)
    let batches = Atomic<Int>(0)
    var filter: LogFilter {
        get { inner.filter }
        set { inner.filter = newValue }
    }

    init(head: UInt64, fault: Fault) {
        inner = FakeLogNode(head: head, rangeLimit: 100_000, corruptEvery: Int.max)
        self.fault = fault
    }

    func chainId() throws -> UInt64 { 1 }
    func clientVersion() throws -> String { "fake" }
    func blockNumber() throws -> UInt64 { inner.head }
    func header(tag: BlockTag) throws -> BlockHeader? { nil }
    func header(hash: Word32) throws -> BlockHeader? { nil }
    func hasState(at block: UInt64) throws -> Bool { false }

    func headers(_ numbers: [UInt64]) throws -> [BlockHeader?] {
        asked.add(numbers.count, ordering: .relaxed)
        batches.add(1, ordering: .relaxed)
        return numbers.map { n in
            switch fault {
            case .none: FakeLogNode.header(n)
            case .otherHash: BlockHeader(number: n, hash: Word32(9, 9, 9, 9), parentHash: nil, timestamp: n)
            case .missing: nil
            }
        }
    }

    func getLogs(
        _ queries: [LogQuery], headers headerNumbers: [UInt64], _ body: (Int, Result<JSONValue, Error>) throws -> Void
    ) throws -> [BlockHeader?] {
        try inner.getLogs(queries, headers: headerNumbers, body)
    }
}

@Suite struct TimestampFetchTests {
    func run(_ fault: HeaderFaultNode.Fault, concurrency: Int = 1) throws -> (String, HeaderFaultNode) {
        var settings = FetchSettings(filter: LogFilter(), chainId: 1)
        settings.withTimestamps = true
        settings.concurrency = concurrency
        settings.chunkSize = 50
        settings.maxChunkSize = 50
        let node = HeaderFaultNode(head: 1_000, fault: fault)
        let fetcher = LogFetcher(settings: settings, metrics: FetchMetrics()) { _ in node }
        var out: [UInt8] = []
        _ = try fetcher.run(from: 1, to: 400) { _, o in out.append(contentsOf: o.bytes) }
        return (String(decoding: out, as: UTF8.self), node)
    }

    @Test func everyLogGetsItsBlocksTimeOnceAndEachHeaderIsAskedOnce() throws {
        let (out, node) = try run(.none)
        let want = FakeLogNode.logs(1, 400).map { log in
            let block = UInt64(log.split(separator: "\"blockNumber\":\"0x")[1].prefix { $0 != "\"" }, radix: 16)!
            return String(log.dropLast()) + #","chainId":1,"blockTimestamp":"0x\#(String(block, radix: 16))"}"# + "\n"
        }.joined()
        #expect(out == want)
        // 133 blocks hold logs (two each), one header apiece, one batch per 50-block range.
        #expect(node.asked.load(ordering: .relaxed) == 133)
        #expect(node.batches.load(ordering: .relaxed) == 8)
    }

    @Test(arguments: [
        (HeaderFaultNode.Fault.otherHash, "block 3 changed hash between two calls (a reorg in progress)"),
        (.missing, "the node has no header for block 3"),
    ])
    func aHeaderThatDoesNotFitFailsTheAnswerTwice(fault: HeaderFaultNode.Fault, message: String) {
        do {
            _ = try run(fault)
            Issue.record("accepted a log it could not time")
        } catch let e as ChainCastError {
            #expect(e.status == .unavailable)
            #expect(e.message == "eth_getLogs broke its contract twice: \(message)")
        } catch {
            Issue.record("\(error)")
        }
    }
}
