import CCKit
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("cc-sink sqlite: per-event tables and hostile input")
struct SQLiteHostileInputTests {
    static func event(
        block: Int, log: Int, name: String, signature: String, args: String, removed: Bool = false
    ) -> String {
        #"{"chainId":1,"blockNumber":\#(block),"blockHash":"\#(SinkTest.hash(block))","transactionHash":"\#(SinkTest.hash(block, salt: 3))","transactionIndex":0,"logIndex":\#(log),"address":"0x000000000000000000000000000000000000dEaD","removed":\#(removed),"event":\#(name),"signature":\#(signature),"args":\#(args)}"#
    }

    @Test("per-event tables get typed columns from the signature")
    func typedColumns() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db"
        let sig = #""Swap(address,int256,uint160,uint8,int24,bool,bytes32,uint256[],(uint64,string),uint64)""#
        let args =
            #"{"sender":"0x000000000000000000000000000000000000dEaD","amount0":"-5","sqrtPriceX96":"1461446703485210103287273052203988822378723970341","fee":"3","tick":"-887272","ok":true,"salt":"0x00ff","ids":["1","2"],"pair":["7","hi"],"big":"18446744073709551615"}"#
        var input = Self.event(block: 1, log: 0, name: #""Swap""#, signature: sig, args: args) + "\n"
        input += SinkTest.transfer(block: 1, log: 1) + "\n" + SinkTest.marker(block: 1) + "\n"
        let r = try SinkTest.run("cc-sink", ["sqlite", db, "--tables", "per-event"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        let cols = try SinkTest.query(db, "SELECT name, type FROM pragma_table_info('Swap') WHERE cid >= 9")
        #expect(
            cols == [
                ["sender", "TEXT"], ["amount0", "TEXT"], ["sqrtPriceX96", "TEXT"], ["fee", "INTEGER"],
                ["tick", "INTEGER"], ["ok", "INTEGER"], ["salt", "TEXT"], ["ids", "TEXT"], ["pair", "TEXT"],
                ["big", "TEXT"],
            ])
        let row = try SinkTest.query(
            db,
            "SELECT sender, amount0, sqrtPriceX96, fee, typeof(fee), tick, typeof(tick), ok, salt, ids, json_extract(pair, '$[1]'), big FROM Swap"
        )
        #expect(
            row == [
                [
                    "0x000000000000000000000000000000000000dEaD", "-5",
                    "1461446703485210103287273052203988822378723970341", "3", "integer", "-887272", "integer", "1",
                    "0x00ff", #"["1","2"]"#, "hi", "18446744073709551615",
                ]
            ])
        #expect(try SinkTest.query(db, "SELECT value, typeof(value) FROM Transfer") == [["1000001", "text"]])
        #expect(try SinkTest.keys(db).count == 2)
    }

    /// A hand-made argument its typed column cannot hold was stored as text in the numeric
    /// column (where `value >= …` and sums then answer wrongly); now it is bad data on its line,
    /// as in PostgreSQL, also when the table comes from an earlier run. Reordered arguments
    /// are matched by name.
    @Test(arguments: [
        ("value", #""0x10""#, "decimal integers"), ("value", #""5.5""#, "decimal integers"),
        ("value", "1e3", "decimal integers"),
        ("value", #""1\#(String(repeating: "0", count: 78))""#, "decimal integers"),
        ("small", #""abc""#, "integers and bools"), ("small", #""99999999999999999999""#, "integers and bools"),
        ("ok", #""yes""#, "integers and bools"),
    ])
    func argumentsTheirColumnCannotHold(key: String, value: String, holds: String) throws {
        let sig = #""Mixed(bool,uint8,uint256)""#
        let good = #"{"ok":true,"small":"7","value":"12"}"#
        let bad = good.replacingOccurrences(
            of: #""\#(key)":[^,}]*"#, with: NSRegularExpression.escapedTemplate(for: #""\#(key)":\#(value)"#),
            options: .regularExpression)
        let db = try SinkTest.tempDir() + "/t.db"
        let first = Self.event(block: 1, log: 0, name: #""Mixed""#, signature: sig, args: good)
        let created = try SinkTest.run(
            "cc-sink", ["sqlite", db, "--tables", "per-event"], stdin: first + "\n" + SinkTest.marker(block: 1) + "\n")
        #expect(created.status == 0, "\(created.stderr)")
        let input =
            [
                Self.event(
                    block: 2, log: 0, name: #""Mixed""#, signature: sig, args: #"{"value":"13","ok":false,"small":"8"}"#
                ),
                Self.event(block: 3, log: 0, name: #""Mixed""#, signature: sig, args: bad),
                SinkTest.marker(block: 3),
            ].joined(separator: "\n") + "\n"
        let r = try SinkTest.run("cc-sink", ["sqlite", db, "--tables", "per-event"], stdin: input)
        #expect(r.status == 65)
        #expect(
            r.stderr == "cc-sink: line 2: cannot store this event in table Mixed: argument \(key) is "
                + "\(value.count > 40 ? value.prefix(40) + "…" : value), but its column \(key) holds \(holds)\n")
        let skip = try SinkTest.run("cc-sink", ["sqlite", db, "--tables", "per-event", "--skip-invalid"], stdin: input)
        #expect(skip.status == 0, "\(skip.stderr)")
        #expect(
            try SinkTest.query(db, "SELECT block_number, ok, small, value FROM Mixed ORDER BY 1") == [
                ["1", "1", "7", "12"], ["2", "0", "8", "13"],
            ])
    }

    @Test("attacker-controlled event and argument names cannot reach SQL")
    func hostileIdentifiers() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db"
        let evil = #""\"; DROP TABLE events; --""#
        let args =
            #"{"\"); DROP TABLE events; --":"1","x y":"2","x_y":"3","block_number":"4","":"5","sqlite_master":"6"}"#
        let sig = #""\"; DROP TABLE events; --(uint8,uint8,uint8,uint8,uint8,uint8)""#
        var input = Self.event(block: 1, log: 0, name: evil, signature: sig, args: args) + "\n"
        // The same sanitized name for another signature gets its own table.
        let sig2 = #""\"; DROP TABLE events; --(uint256)""#
        input += Self.event(block: 1, log: 1, name: evil, signature: sig2, args: #"{"v":"9"}"#) + "\n"
        // An event called like the cc_ tables or the main table.
        input +=
            Self.event(block: 1, log: 2, name: #""events""#, signature: #""events(uint8)""#, args: #"{"a":"1"}"#) + "\n"
        input +=
            Self.event(
                block: 1, log: 3, name: #""cc_checkpoint""#, signature: #""cc_checkpoint(uint8)""#, args: #"{"a":"1"}"#)
            + "\n"
        input += SinkTest.marker(block: 1) + "\n"
        let r = try SinkTest.run("cc-sink", ["sqlite", db, "--tables", "per-event"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try SinkTest.keys(db).count == 4)
        let tables = try SinkTest.query(db, "SELECT signature, table_name FROM cc_event_tables ORDER BY rowid")
        #expect(
            tables == [
                [#""; DROP TABLE events; --(uint8,uint8,uint8,uint8,uint8,uint8)"#, "___DROP_TABLE_events____"],
                [#""; DROP TABLE events; --(uint256)"#, "___DROP_TABLE_events_____2"],
                ["events(uint8)", "events_2"],
                ["cc_checkpoint(uint8)", "_cc_checkpoint"],
            ])
        let cols = try SinkTest.query(
            db, "SELECT name FROM pragma_table_info('___DROP_TABLE_events____') WHERE cid >= 9"
        )
        .map { $0[0] ?? "" }
        #expect(cols == ["____DROP_TABLE_events____", "x_y", "x_y_2", "block_number_2", "_", "_sqlite_master"])
        #expect(
            try SinkTest.query(
                db, "SELECT x_y, x_y_2, block_number_2, \"_\", _sqlite_master FROM ___DROP_TABLE_events____")
                == [["2", "3", "4", "5", "6"]])
        // A rerun maps the same names to the same tables and columns.
        let again = try SinkTest.run("cc-sink", ["sqlite", db, "--tables", "per-event"], stdin: input)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try SinkTest.query(db, "SELECT count(*) FROM cc_event_tables") == [["4"]])
        #expect(try SinkTest.query(db, "SELECT count(*) FROM ___DROP_TABLE_events____") == [["1"]])
    }

    @Test("removed events leave the per-event table too")
    func removedPerEvent() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db"
        let input = SinkTest.stream(from: 1, to: 2) + SinkTest.transfer(block: 2, log: 0, removed: true) + "\n"
        let r = try SinkTest.run("cc-sink", ["sqlite", db, "--tables", "per-event"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try SinkTest.keys(db, table: "Transfer") == ["1:0", "1:1", "1:2", "2:1", "2:2"])
        #expect(try SinkTest.keys(db) == ["1:0", "1:1", "1:2", "2:1", "2:2"])
    }

    @Test("invalid UTF-8 and escapes are stored as valid text; args stay valid JSON")
    func invalidUTF8() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db"
        var bytes = Array(
            Self.event(
                block: 1, log: 0, name: #""Note""#, signature: #""Note(string)""#, args: #"{"text":"a\u00e9\n\"b XX"}"#
            ).utf8)
        let xx = bytes.firstIndex(of: UInt8(ascii: "X"))!
        bytes[xx] = 0xFF
        bytes[xx + 1] = 0xC3
        var data = Data(bytes)
        data.append(contentsOf: Array(("\n" + SinkTest.marker(block: 1) + "\n").utf8))
        let inPath = dir + "/in.ndjson"
        try data.write(to: URL(fileURLWithPath: inPath))
        let r = try SinkTest.run("cc-sink", ["sqlite", db, inPath, "--tables", "per-event"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try SinkTest.query(db, "SELECT json_valid(args), json_extract(args, '$.text') FROM events") == [
                ["1", "aé\n\"b \u{FFFD}\u{FFFD}"]
            ])
        #expect(try SinkTest.query(db, "SELECT text FROM Note") == [["aé\n\"b \u{FFFD}\u{FFFD}"]])
    }

    /// Without per-event tables the reader thread prepares each row (text
    /// unescaped and repaired there): the same values must come out.
    @Test("escapes and invalid UTF-8 in every text column, prepared on the reader thread")
    func preparedRowText() throws {
        let dir = try SinkTest.tempDir()
        var line = Array(
            (#"{"chainId":1,"blockNumber":7,"blockHash":"0x\#(String(repeating: "ab", count: 32))","#
                + #""transactionHash":"0x\u0041b","logIndex":3,"address":"0xA\u0062c","event":"N\u00f6te\tX","#
                + #""signature":"Note(string)XY","args":{"text":"a\u00e9\n\"b XX","n":[1,{"k":null}]}}"#).utf8)
        // An ill-formed byte in the event name, a bad sequence (C3 28) in the signature, two in args.
        var x = line.firstIndex(of: UInt8(ascii: "X"))!
        line[x] = 0xFF
        x = line.firstIndex(of: UInt8(ascii: "X"))!
        line[x] = 0xC3
        line[x + 1] = 0x28
        x = line.firstIndex(of: UInt8(ascii: "X"))!
        line[x] = 0xFF
        line[x + 1] = 0xC3
        var data = Data(line)
        data.append(contentsOf: Array(("\n" + SinkTest.marker(block: 7) + "\n").utf8))
        let inPath = dir + "/in.ndjson"
        try data.write(to: URL(fileURLWithPath: inPath))
        var results: [[[String?]]] = []
        for layout in ["single", "per-event"] {
            let db = dir + "/\(layout).db"
            let r = try SinkTest.run("cc-sink", ["sqlite", db, inPath, "--tables", layout])
            #expect(r.status == 0, "\(r.stderr)")
            results.append(
                try SinkTest.query(
                    db,
                    "SELECT transaction_hash, address, event, signature, json_valid(args), json_extract(args, '$.text'), "
                        + "json_extract(args, '$.n[1].k') IS NULL, block_hash FROM events"))
        }
        let want: [[String?]] = [
            [
                "0xAb", "0xAbc", "Nöte\t\u{FFFD}", "Note(string)\u{FFFD}(", "1", "aé\n\"b \u{FFFD}\u{FFFD}", "1",
                "0x" + String(repeating: "ab", count: 32),
            ]
        ]
        #expect(results[0] == want)
        #expect(results[1] == want)
    }

    @Test("huge args (8 MB in one line) are stored whole")
    func hugeArgs() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db"
        let big = String(repeating: "ab", count: 4 << 20)
        let input =
            Self.event(block: 1, log: 0, name: #""Blob""#, signature: #""Blob(bytes)""#, args: #"{"data":"0x\#(big)"}"#)
            + "\n" + SinkTest.marker(block: 1) + "\n"
        let inPath = dir + "/in.ndjson"
        try SinkTest.write(input, to: inPath)
        let r = try SinkTest.run("cc-sink", ["sqlite", db, inPath, "--tables", "per-event"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try SinkTest.query(db, "SELECT length(data) FROM Blob") == [["\(big.utf8.count + 2)"]])
    }

    @Test("a read-only database: 74 and nothing changes")
    func readOnly() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db", ck = dir + "/ck.json"
        #expect(
            try SinkTest.run("cc-sink", ["sqlite", db, "--checkpoint", ck], stdin: SinkTest.stream(from: 1, to: 3))
                .status == 0)
        let saved = SinkTest.read(ck)
        chmod(db, 0o444)
        chmod(dir, 0o555)
        defer {
            chmod(dir, 0o755)
            chmod(db, 0o644)
        }
        // Root ignores file modes: run the sink as nobody then.
        let asNobody = getuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : ""
        let r = try SinkTest.run(
            "/bin/bash", ["-c", "\(asNobody)'\(SinkTest.binary("cc-sink"))' sqlite '\(db)' --checkpoint '\(ck)'"],
            stdin: SinkTest.stream(from: 4, to: 6))
        #expect(r.status == 74, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("cc-sink: "))
        #expect(SinkTest.read(ck) == saved)
        #expect(try SinkTest.keys(db) == SinkTest.expectedKeys(from: 1, to: 3))
    }

    @Test("a full disk: 74, the last committed batch intact, and a rerun elsewhere ends exact")
    func diskFull() throws {
        let dir = try SinkTest.tempDir()
        let small = dir + "/small"
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        let ck = dir + "/ck.json"
        let input = SinkTest.stream(from: 1, to: 3000, perBlock: 3, markerEvery: 50)
        let bin = SinkTest.binary("cc-sink")
        let db = small + "/t.db"
        let mounted =
            getuid() == 0 && (try? SinkTest.shell("mount -t tmpfs -o size=1m cc-sink-test '\(small)'"))?.status == 0
        defer { if mounted { _ = try? SinkTest.shell("umount '\(small)'") } }
        // Without root, a file size limit does the same to SQLite's writes
        // (SIGXFSZ ignored, so write(2) fails with EFBIG).
        let limit = mounted ? "" : "ulimit -f 1024; trap '' XFSZ; "
        let r = try SinkTest.run(
            "/bin/bash", ["-c", "\(limit)exec '\(bin)' sqlite '\(db)' --checkpoint '\(ck)' --batch-size 500"],
            stdin: input)
        #expect(r.status == 74, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("cc-sink: "), "\(r.stderr)")
        let cp = try #require(try CheckpointFile(path: ck).read())
        #expect(cp.blockNumber > 0 && cp.blockNumber < 3000)
        #expect(try SinkTest.query(db, "PRAGMA integrity_check") == [["ok"]])
        let stored = try SinkTest.query(db, "SELECT block_number FROM cc_checkpoint")
        #expect(stored == [["\(cp.blockNumber)"]])
        let rows = try SinkTest.keys(db)
        #expect(rows.count >= Int(cp.blockNumber) * 3)
        #expect(Array(rows.prefix(Int(cp.blockNumber) * 3)) == SinkTest.expectedKeys(from: 1, to: Int(cp.blockNumber)))

        // Move the database to a disk with room and resume after the checkpoint.
        let big = dir + "/t.db"
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: db + suffix) {
            try FileManager.default.copyItem(atPath: db + suffix, toPath: big + suffix)
        }
        let rest = SinkTest.stream(from: Int(cp.blockNumber) + 1, to: 3000, perBlock: 3, markerEvery: 50)
        let again = try SinkTest.run("cc-sink", ["sqlite", big, "--checkpoint", ck], stdin: rest)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try SinkTest.keys(big) == SinkTest.expectedKeys(from: 1, to: 3000))
    }
}
