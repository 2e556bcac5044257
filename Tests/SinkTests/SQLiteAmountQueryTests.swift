import CCKit
import Foundation
import Testing

/// The amount queries README.md and cc-sink(1) show, run by the sqlite3
/// shell and by Python's sqlite3 against answers Python computes with exact
/// integers (Tests/Fixtures/sql_amounts_check.py).
@Suite("cc-sink sqlite: amount queries")
struct SQLiteAmountQueryTests {
    /// Deterministic decimal digits: lengths 1…77 (below 2^256), no leading zero.
    struct Digits {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        mutating func number(maxDigits: Int) -> String {
            let n = Int(next() % UInt64(maxDigits)) + 1
            var s = String(Int(next() % 9) + 1)
            for _ in 1..<n { s += String(Int(next() % 10)) }
            return s
        }
    }

    static let receivers = [
        "0xAb5801a7D398351b8bE11C439e05C5B3259aeC9B", "0x00000000219ab540356cBB839Cbe05303d7705Fa",
        "0xBE0eB53F46cd790Cd13851d5EFf43D12404d33E8", "0xDA9dfA130Df4dE4673b89022EE50ff26f6EA73Cf",
        "0x8315177aB297bA92A06054cE80a67Ed4DBd7ed3a", "0x40B38765696e3d5d8d9d834D8AaD4bB6e418E489",
        "0xF977814e90dA44bFA03b6295A0616a897441aceC",
    ]

    static func stream() -> String {
        var d = Digits(state: 42)
        let edges = [
            "0", "1", "999999999999999999", "1000000000000000000", "9223372036854775807", "9223372036854775808",
            "340282366920938463463374607431768211455", "340282366920938463463374607431768211456",
            "115792089237316195423570985008687907853269984665640564039457584007913129639935",
            // Equal as doubles: only exact comparison orders them.
            "115792089237316195423570985008687907853269984665640564039457584007913129639933",
            "115792089237316195423570985008687907853269984665640564039457584007913129639934",
        ]
        var s = ""
        var log = 0
        for i in 0..<600 {
            let value = i < edges.count ? edges[i] : d.number(maxDigits: i % 3 == 0 ? 77 : 24)
            let to = receivers[Int(d.next() % UInt64(receivers.count))]
            s +=
                #"{"chainId":1,"blockNumber":\#(100 + i / 10),"blockHash":"\#(SinkTest.hash(100 + i / 10))","transactionHash":"\#(SinkTest.hash(i, salt: 7))","transactionIndex":0,"logIndex":\#(log),"address":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48","removed":false,"event":"Transfer","signature":"Transfer(address,address,uint256)","args":{"from":"0x000000000000000000000000000000000000dEaD","to":"\#(to)","value":"\#(value)"}}"#
                + "\n"
            log += 1
            if i % 3 == 0 {
                let edge = [
                    "-57896044618658097711785492504343953926634992332820282019728792003956564819968",
                    "57896044618658097711785492504343953926634992332820282019728792003956564819967", "-1", "0",
                ]
                let amount = i / 3 < edge.count ? edge[i / 3] : (d.next() % 2 == 0 ? "-" : "") + d.number(maxDigits: 76)
                s +=
                    #"{"chainId":1,"blockNumber":\#(100 + i / 10),"blockHash":"\#(SinkTest.hash(100 + i / 10))","transactionHash":"\#(SinkTest.hash(i, salt: 8))","transactionIndex":1,"logIndex":\#(log),"address":"0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640","removed":false,"event":"Swap","signature":"Swap(address,int256)","args":{"sender":"0x000000000000000000000000000000000000dEaD","amount":"\#(amount)"}}"#
                    + "\n"
                log += 1
            }
            if i % 10 == 9 { s += SinkTest.marker(block: 100 + i / 10) + "\n"; log = 0 }
        }
        return s
    }

    @Test("range, order, exact sums, group by and address look-ups answer exactly in the sqlite3 shell and Python")
    func documentedPatterns() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db", plain = dir + "/plain.db", input = dir + "/in.ndjson"
        try SinkTest.write(Self.stream(), to: input)
        let r = try SinkTest.run("cc-sink", ["sqlite", db, input, "--tables", "per-event"])
        #expect(r.status == 0, "\(r.stderr)")
        let check = try SinkTest.run(
            "/usr/bin/env", ["python3", SinkTest.repositoryRoot + "/Tests/Fixtures/sql_amounts_check.py", db, input])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout == "ok 23\n")
        // The events table is the same with and without per-event tables
        // (rows prepared on the reader thread, or by the writer).
        let p = try SinkTest.run("cc-sink", ["sqlite", plain, input])
        #expect(p.status == 0, "\(p.stderr)")
        let sql = "SELECT args FROM events ORDER BY block_number, log_index"
        let a = try SinkTest.query(db, sql), b = try SinkTest.query(plain, sql)
        #expect(a == b && a.count == 800)
        // Integer arguments are JSON numbers with every digit; other values as they came.
        let texts = a.map { $0[0] ?? "" }
        #expect(
            texts.contains {
                $0.hasSuffix(
                    #""value":115792089237316195423570985008687907853269984665640564039457584007913129639935}"#)
            })
        #expect(
            texts.contains(
                #"{"sender":"0x000000000000000000000000000000000000dEaD","amount":-57896044618658097711785492504343953926634992332820282019728792003956564819968}"#
            ))
        // Per-event tables index every address argument.
        let indexes = try SinkTest.query(
            db, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Transfer' ORDER BY name")
        #expect(indexes == [["Transfer_block_number"], ["Transfer_from"], ["Transfer_to"]])
    }
}
