import CCCore
import Testing

@testable import CCFetch
@testable import CCJSON

func logJSON(
    block: UInt64, index: UInt64, address: String = "0x00000000000000000000000000000000000000aa",
    topic0: String = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef",
    hash: String? = nil, removed: Bool = false
) -> String {
    let h = hash ?? "0x" + String(repeating: "0", count: 62) + String(format2(block))
    return
        #"{"address":"\#(address)","topics":["\#(topic0)"],"data":"0x","blockNumber":"0x\#(String(block, radix: 16))","#
        + #""transactionHash":"0x\#(String(repeating: "1", count: 64))","transactionIndex":"0x0","blockHash":"\#(h)","#
        + #""logIndex":"0x\#(String(index, radix: 16))","removed":\#(removed)}"#
}

func format2(_ n: UInt64) -> String {
    let s = String(n % 256, radix: 16)
    return s.count == 1 ? "0" + s : s
}

func process(_ logs: [String], range: BlockRange, filter: LogFilter = LogFilter(), chainId: UInt64 = 1) throws -> (
    String, LogBatchSummary
) {
    let text = "[" + logs.joined(separator: ",") + "]"
    var bytes = Array(text.utf8)
    return try bytes.withUnsafeMutableBufferPointer { b in
        let line = try JSONLine(UnsafeBufferPointer(b))
        var out: [UInt8] = []
        var p = LogBatchProcessor(filter: filter, chainId: chainId)
        p.recordSpans = true
        let s = try p.process(line.root, range: range, into: &out)
        return (String(decoding: out, as: UTF8.self), s)
    }
}

@Suite struct LogBatchTests {
    @Test func writesLogsVerbatimWithChainId() throws {
        let a = logJSON(block: 10, index: 0)
        let b = logJSON(block: 10, index: 1)
        let c = logJSON(block: 12, index: 0)
        let (out, s) = try process([a, b, c], range: BlockRange(10, 12), chainId: 137)
        let expected = [a, b, c].map { String($0.dropLast()) + #","chainId":137}"# + "\n" }.joined()
        #expect(out == expected)
        #expect(s.logs == 3)
        #expect(s.lastBlock == 12)
        #expect(s.spans.map(\.block) == [10, 10, 12])
    }

    @Test func compactsPrettyPrintedLogs() throws {
        let pretty =
            "{\n  \"address\": \"0x00000000000000000000000000000000000000aa\",\n  \"topics\": [],\n  \"data\": \"0x a\",\n"
            + "  \"blockNumber\": \"0x1\", \"blockHash\": \"0x" + String(repeating: "ab", count: 32)
            + "\", \"logIndex\": \"0x0\"\n}"
        let (out, _) = try process([pretty], range: BlockRange(0, 5))
        #expect(
            out
                == #"{"address":"0x00000000000000000000000000000000000000aa","topics":[],"data":"0x a","blockNumber":"0x1","blockHash":"0x"#
                + String(repeating: "ab", count: 32) + #"","logIndex":"0x0","chainId":1}"# + "\n")
    }

    @Test func rejectsContractBreaches() {
        let cases: [([String], String)] = [
            ([logJSON(block: 9, index: 0)], "outside the range"),
            ([logJSON(block: 10, index: 1), logJSON(block: 10, index: 1)], "duplicate"),
            ([logJSON(block: 11, index: 0), logJSON(block: 10, index: 5)], "out of order"),
            (
                [
                    logJSON(block: 10, index: 0),
                    logJSON(block: 10, index: 1, hash: "0x" + String(repeating: "f", count: 64)),
                ], "two different hashes"
            ),
            ([logJSON(block: 10, index: 0, address: "0x00000000000000000000000000000000000000bb")], "does not match"),
            ([logJSON(block: 10, index: 0, topic0: "0x01")], "topics"),
            ([logJSON(block: 10, index: 0, removed: true)], "removed"),
            ([#"{"blockNumber":"0xa"}"#], "logIndex"),
            (["5"], "non-object"),
        ]
        let filter = LogFilter(addresses: [Word32(hex: "0x00000000000000000000000000000000000000aa", byteCount: 20)!])
        for (logs, needle) in cases {
            do {
                _ = try process(logs, range: BlockRange(10, 20), filter: filter)
                Issue.record("accepted \(needle)")
            } catch let e as LogValidationError {
                #expect(e.message.contains(needle), "\(e.message)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test func topicFilterIsChecked() throws {
        let t = Word32(hex: "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef", byteCount: 32)!
        _ = try process([logJSON(block: 10, index: 0)], range: BlockRange(10, 10), filter: LogFilter(topics: [[t]]))
        #expect(throws: LogValidationError.self) {
            try process(
                [logJSON(block: 10, index: 0)], range: BlockRange(10, 10), filter: LogFilter(topics: [nil, [t]]))
        }
    }

    @Test func markRemovedReplacesOrAdds() {
        #expect(
            String(decoding: markRemoved(Array(#"{"a":1,"removed":false,"b":2}"#.utf8)), as: UTF8.self)
                == #"{"a":1,"removed":true,"b":2}"#)
        #expect(String(decoding: markRemoved(Array(#"{"a":1}"#.utf8)), as: UTF8.self) == #"{"a":1,"removed":true}"#)
    }
}

/// One log object as a node might send it (odd spellings take the general
/// path), the filter asked, and the exact line written or the exact refusal.
struct LogShapeCase: CustomTestStringConvertible, Sendable {
    var name: String
    var log: String
    var filtered = false
    var expected: String
    var testDescription: String { name }
}

private let hA = "0x" + String(repeating: "ab", count: 32)
private let addrA = "0x00000000000000000000000000000000000000aa"
private let t0 = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"

let logShapeCases: [LogShapeCase] = [
    LogShapeCase(
        name: "escaped key, timestamp, a repeated key",
        log:
            #"{"\u0061ddress":"\#(addrA)","topics":[],"blockNumber":"0xa","blockHash":"\#(hA)","logIndex":"0x0","blockTimestamp":"0x5","logIndex":"0x9"}"#,
        expected:
            #"{"address":"\#(addrA)","topics":[],"blockNumber":"0xa","blockHash":"\#(hA)","logIndex":"0x0","blockTimestamp":"0x5","chainId":1}"#
    ),
    LogShapeCase(
        name: "topics spread over lines",
        log:
            "{\"address\":\"\(addrA)\",\"topics\":[\n  \"\(t0)\"\n],\"blockNumber\":\"0xa\",\"blockHash\":\"\(hA)\",\"logIndex\":\"0x0\"}",
        expected:
            #"{"address":"\#(addrA)","topics":["\#(t0)"],"blockNumber":"0xa","blockHash":"\#(hA)","logIndex":"0x0","chainId":1}"#
    ),
    LogShapeCase(
        name: "numbers as JSON integers and decimal strings",
        log: #"{"address":"\#(addrA)","topics":[],"blockNumber":10,"blockHash":"\#(hA)","logIndex":"3"}"#,
        expected:
            #"{"address":"\#(addrA)","topics":[],"blockNumber":10,"blockHash":"\#(hA)","logIndex":"3","chainId":1}"#),
    LogShapeCase(
        name: "escaped quotes and backslashes in data",
        log:
            #"{"address":"\#(addrA)","topics":[],"data":"a\"b\\","blockNumber":"0xa","blockHash":"\#(hA)","logIndex":"0x0"}"#,
        expected:
            #"{"address":"\#(addrA)","topics":[],"data":"a\"b\\","blockNumber":"0xa","blockHash":"\#(hA)","logIndex":"0x0","chainId":1}"#
    ),
    LogShapeCase(
        name: "a blockNumber past 2^64",
        log:
            #"{"address":"\#(addrA)","topics":[],"blockNumber":"18446744073709551616","blockHash":"\#(hA)","logIndex":"0x0"}"#,
        expected: "log without a valid blockNumber in the answer for blocks 10-20"),
    LogShapeCase(
        name: "no blockNumber", log: #"{"address":"\#(addrA)","topics":[],"blockHash":"\#(hA)","logIndex":"0x0"}"#,
        expected: "log without a valid blockNumber in the answer for blocks 10-20"),
    LogShapeCase(
        name: "no blockHash", log: #"{"address":"\#(addrA)","topics":[],"blockNumber":"0xa","logIndex":"0x0"}"#,
        expected: "log 10/0 without a valid blockHash"),
    LogShapeCase(
        name: "short blockHash",
        log: #"{"address":"\#(addrA)","topics":[],"blockNumber":"0xa","blockHash":"0xab","logIndex":"0x0"}"#,
        expected: "log 10/0 without a valid blockHash"),
    LogShapeCase(
        name: "no address", log: #"{"topics":[],"blockNumber":"0xa","blockHash":"\#(hA)","logIndex":"0x0"}"#,
        expected: "log 10/0 without a valid address"),
    LogShapeCase(
        name: "short address under an address filter",
        log: #"{"address":"0xaa","topics":[],"blockNumber":"0xa","blockHash":"\#(hA)","logIndex":"0x0"}"#,
        filtered: true,
        expected: "log 10/0 without a valid address"),
    LogShapeCase(
        name: "escaped key outside the range",
        log: #"{"\u0061ddress":"\#(addrA)","topics":[],"blockNumber":"0x9","blockHash":"\#(hA)","logIndex":"0x0"}"#,
        expected: "log in block 9 in the answer for blocks 10-20: outside the range asked"),
    LogShapeCase(
        name: "escaped key, removed",
        log:
            #"{"\u0061ddress":"\#(addrA)","topics":[],"blockNumber":"0xa","blockHash":"\#(hA)","logIndex":"0x0","removed":true}"#,
        expected: "log 10/0 is marked removed in a historical answer"),
    LogShapeCase(
        name: "escaped key, another address",
        log:
            #"{"\u0061ddress":"0x00000000000000000000000000000000000000bb","topics":["\#(t0)"],"blockNumber":"0xa","blockHash":"\#(hA)","logIndex":"0x0"}"#,
        filtered: true,
        expected: "log 10/0 from address 0x00000000000000000000000000000000000000bb does not match the filter"),
    LogShapeCase(
        name: "topics not an array",
        log: #"{"address":"\#(addrA)","topics":"\#(t0)","blockNumber":"0xa","blockHash":"\#(hA)","logIndex":"0x0"}"#,
        expected: "log 10/0 without a valid topics array"),
    LogShapeCase(
        name: "a topic that is a number",
        log: #"{"address":"\#(addrA)","topics":[7],"blockNumber":"0xa","blockHash":"\#(hA)","logIndex":"0x0"}"#,
        expected: "log 10/0 has topics that are malformed or do not match the filter"),
    LogShapeCase(
        name: "escaped key, fewer topics than the filter names",
        log: #"{"\u0061ddress":"\#(addrA)","topics":[],"blockNumber":"0xa","blockHash":"\#(hA)","logIndex":"0x0"}"#,
        filtered: true, expected: "log 10/0 has topics that are malformed or do not match the filter"),
    LogShapeCase(
        name: "a short topic where the filter names one",
        log: #"{"address":"\#(addrA)","topics":["0x01"],"blockNumber":"0xa","blockHash":"\#(hA)","logIndex":"0x0"}"#,
        filtered: true, expected: "log 10/0 has topics that are malformed or do not match the filter"),
    LogShapeCase(
        name: "fewer topics than the filter names",
        log: #"{"address":"\#(addrA)","topics":[],"blockNumber":"0xa","blockHash":"\#(hA)","logIndex":"0x0"}"#,
        filtered: true, expected: "log 10/0 has topics that are malformed or do not match the filter"),
]

@Suite struct LogShapeTests {
    @Test(arguments: logShapeCases)
    func logShape(_ c: LogShapeCase) {
        let filter =
            c.filtered
            ? LogFilter(
                addresses: [Word32(hex: addrA, byteCount: 20)!], topics: [[Word32(hex: t0, byteCount: 32)!]])
            : LogFilter()
        do {
            let (out, s) = try process([c.log], range: BlockRange(10, 20), filter: filter)
            #expect(out == c.expected + "\n")
            #expect(s.logs == 1)
        } catch let e as LogValidationError {
            #expect(e.message == c.expected)
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func notAnArray() {
        var bytes = Array(#"{"a":1}"#.utf8)
        bytes.withUnsafeMutableBufferPointer { b in
            let line = try! JSONLine(UnsafeBufferPointer(b))
            var out: [UInt8] = []
            #expect(throws: LogValidationError.self) {
                try LogBatchProcessor(filter: LogFilter(), chainId: 1).process(
                    line.root, range: BlockRange(1, 2), into: &out)
            }
        }
    }

    @Test func timestampsFromHeadersWhenTheLogHasNone() throws {
        let log = logJSON(block: 16, index: 0)
        var bytes = Array(("[" + log + "," + logJSON(block: 17, index: 0) + "]").utf8)
        let out = try bytes.withUnsafeMutableBufferPointer { b -> String in
            let line = try JSONLine(UnsafeBufferPointer(b))
            var out: [UInt8] = []
            _ = try LogBatchProcessor(filter: LogFilter(), chainId: 5, withTimestamps: true).process(
                line.root, range: BlockRange(16, 17), into: &out, timestamp: { n, _ in n == 16 ? 0x6553f100 : 0 })
            return String(decoding: out, as: UTF8.self)
        }
        #expect(
            out == String(log.dropLast()) + #","chainId":5,"blockTimestamp":"0x6553f100"}"# + "\n"
                + String(logJSON(block: 17, index: 0).dropLast()) + #","chainId":5,"blockTimestamp":"0x0"}"# + "\n")
    }
}
