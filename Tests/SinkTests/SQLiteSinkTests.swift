import CCKit
import Foundation
import Testing

@Suite("cc-sink sqlite")
struct SQLiteSinkTests {
    @Test("writes every event, the checkpoint file and the cc_checkpoint row")
    func basic() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db", ck = dir + "/ck.json"
        let r = try SinkTest.run(
            "cc-sink", ["sqlite", db, "--checkpoint", ck], stdin: SinkTest.stream(from: 100, to: 109))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "")
        #expect(try SinkTest.keys(db) == SinkTest.expectedKeys(from: 100, to: 109))
        let row = try SinkTest.query(
            db,
            "SELECT chain_id, block_number, block_hash, block_timestamp, transaction_hash, transaction_index, log_index, address, event, signature, json_extract(args, '$.value') FROM events WHERE block_number = 105 AND log_index = 2"
        )
        #expect(
            row == [
                [
                    "1", "105", SinkTest.hash(105), "1700001260", SinkTest.hash(105_002, salt: 7), "1", "2",
                    "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", "Transfer", "Transfer(address,address,uint256)",
                    "105000002",
                ]
            ])
        let cp = try #require(try CheckpointFile(path: ck).read())
        #expect(cp.chainId == 1 && cp.blockNumber == 109 && cp.blockHash == SinkTest.hash(109) && cp.filter == "3f9a")
        #expect(cp.sink.type == "sqlite")
        #expect(
            try SinkTest.query(db, "SELECT chain_id, filter, block_number, block_hash FROM cc_checkpoint")
                == [["1", "3f9a", "109", SinkTest.hash(109)]])
        let indexes = try SinkTest.query(
            db, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name"
        )
        .map { $0[0] ?? "" }
        #expect(
            indexes.contains("events_block_number") && indexes.contains("events_address")
                && indexes.contains("events_event"))
        #expect(try SinkTest.query(db, "PRAGMA journal_mode") == [["wal"]])
        #expect(try SinkTest.query(db, "PRAGMA page_size") == [["65536"]])
        // The unique key: a log's (chain_id, block_hash, log_index), led by its block number.
        #expect(
            try SinkTest.query(
                db, "SELECT \"unique\" FROM pragma_index_list('events') WHERE name = 'events_block_number'")
                == [["1"]])
        #expect(
            try SinkTest.query(db, "SELECT name FROM pragma_index_info('events_block_number') ORDER BY seqno")
                == [["block_number"], ["chain_id"], ["block_hash"], ["log_index"]])
    }

    @Test("a table from an earlier version, unique on (chain_id, block_hash, log_index), is still written exactly once")
    func legacyKey() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db"
        try SQLiteConnection(path: db).exec(
            """
            CREATE TABLE events (
              chain_id INTEGER NOT NULL, block_number INTEGER NOT NULL, block_hash TEXT NOT NULL,
              block_timestamp INTEGER, transaction_hash TEXT, transaction_index INTEGER,
              log_index INTEGER NOT NULL, address TEXT, event TEXT, signature TEXT, args TEXT,
              UNIQUE (chain_id, block_hash, log_index));
            CREATE INDEX events_block_number ON events(block_number);
            """)
        var input = SinkTest.stream(from: 1, to: 5)
        input += SinkTest.transfer(block: 2, log: 1, removed: true) + "\n" + SinkTest.marker(block: 6) + "\n"
        for _ in 0..<2 {
            let r = try SinkTest.run("cc-sink", ["sqlite", db], stdin: input)
            #expect(r.status == 0, "\(r.stderr)")
        }
        var expected = SinkTest.expectedKeys(from: 1, to: 5)
        expected.removeAll { $0 == "2:1" }
        #expect(try SinkTest.keys(db) == expected)
    }

    @Test("running the same input twice leaves exactly one row per event")
    func idempotent() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db", ck = dir + "/ck.json"
        let input = SinkTest.stream(from: 1, to: 20, perBlock: 4)
        for _ in 0..<2 {
            let r = try SinkTest.run("cc-sink", ["sqlite", db, "--checkpoint", ck], stdin: input)
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(try SinkTest.keys(db) == SinkTest.expectedKeys(from: 1, to: 20, perBlock: 4))
    }

    @Test("removed: true deletes the row by (chain_id, block_hash, log_index)")
    func removed() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db"
        var input = SinkTest.stream(from: 1, to: 3)
        input += SinkTest.transfer(block: 2, log: 1, removed: true) + "\n"
        // Same block number and log index, other hash: not the row to delete.
        input += SinkTest.transfer(block: 3, log: 0, removed: true, salt: 99) + "\n"
        input += SinkTest.marker(block: 4) + "\n"
        let r = try SinkTest.run("cc-sink", ["sqlite", db], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try SinkTest.keys(db) == ["1:0", "1:1", "1:2", "2:0", "2:2", "3:0", "3:1", "3:2"])
    }

    @Test("end of input without a final marker commits the data but not the checkpoint")
    func eofWithoutMarker() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db", ck = dir + "/ck.json"
        let input = SinkTest.stream(from: 1, to: 10, markerEvery: 4, finalMarker: false)
        let r = try SinkTest.run("cc-sink", ["sqlite", db, "--checkpoint", ck], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try SinkTest.keys(db) == SinkTest.expectedKeys(from: 1, to: 10))
        #expect(try CheckpointFile(path: ck).read()?.blockNumber == 8)
        #expect(try SinkTest.query(db, "SELECT block_number FROM cc_checkpoint") == [["8"]])
    }

    @Test("batches flush by size between markers; the checkpoint still only names markers")
    func batchesBetweenMarkers() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db", ck = dir + "/ck.json"
        let input = SinkTest.stream(from: 1, to: 50, markerEvery: 1000, finalMarker: false)
        let r = try SinkTest.run(
            "cc-sink", ["sqlite", db, "--checkpoint", ck, "--batch-size", "7", "--metrics-file", dir + "/m.prom"],
            stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try SinkTest.keys(db).count == 150)
        #expect(!FileManager.default.fileExists(atPath: ck))
        let metrics = SinkTest.read(dir + "/m.prom")
        #expect(metrics.contains("cc_sink_events_total{sink=\"sqlite\"} 150\n"))
        #expect(metrics.contains("cc_sink_batches_total{sink=\"sqlite\"} 22\n"))
        #expect(metrics.contains("# TYPE cc_sink_events_total counter\n"))
    }

    @Test("a rerun resumes: the database may be ahead of the checkpoint file, never behind")
    func resumeAheadOfFile() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db", ck = dir + "/ck.json"
        #expect(
            try SinkTest.run("cc-sink", ["sqlite", db, "--checkpoint", ck], stdin: SinkTest.stream(from: 1, to: 5))
                .status == 0)
        let saved = SinkTest.read(ck)
        #expect(
            try SinkTest.run("cc-sink", ["sqlite", db, "--checkpoint", ck], stdin: SinkTest.stream(from: 6, to: 9))
                .status == 0)
        // As if killed between the commit of block 9 and the rename of its checkpoint file.
        try SinkTest.write(saved, to: ck)
        let r = try SinkTest.run(
            "cc-sink", ["sqlite", db, "--checkpoint", ck], stdin: SinkTest.stream(from: 6, to: 12))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try SinkTest.keys(db) == SinkTest.expectedKeys(from: 1, to: 12))
        #expect(try CheckpointFile(path: ck).read()?.blockNumber == 12)
    }

    @Test("a checkpoint of another chain, a corrupt one, or one the database contradicts: 78, nothing written")
    func refusesBadCheckpoints() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db", ck = dir + "/ck.json"
        #expect(
            try SinkTest.run("cc-sink", ["sqlite", db, "--checkpoint", ck], stdin: SinkTest.stream(from: 1, to: 5))
                .status == 0)
        let saved = SinkTest.read(ck)

        // Markers of another chain.
        var r = try SinkTest.run(
            "cc-sink", ["sqlite", db, "--checkpoint", ck], stdin: SinkTest.stream(from: 6, to: 7, chain: 5))
        #expect(r.status == 78)
        #expect(r.stderr.contains("chain"))
        #expect(SinkTest.read(ck) == saved)
        #expect(try SinkTest.keys(db) == SinkTest.expectedKeys(from: 1, to: 5))

        // Markers of another filter.
        let other = SinkTest.transfer(block: 6, log: 0) + "\n" + SinkTest.marker(block: 6, filter: "beef") + "\n"
        r = try SinkTest.run("cc-sink", ["sqlite", db, "--checkpoint", ck], stdin: other)
        #expect(r.status == 78)
        #expect(r.stderr.contains("filter"))
        #expect(SinkTest.read(ck) == saved)

        // Corrupt file.
        let corrupt = dir + "/corrupt.json"
        try SinkTest.write("{\"version\":1,\"chainId\":", to: corrupt)
        r = try SinkTest.run(
            "cc-sink", ["sqlite", db, "--checkpoint", corrupt], stdin: SinkTest.stream(from: 6, to: 7))
        #expect(r.status == 78)
        #expect(SinkTest.read(corrupt) == "{\"version\":1,\"chainId\":")
        #expect(try SinkTest.keys(db) == SinkTest.expectedKeys(from: 1, to: 5))

        // The checkpoint is ahead of what a fresh database holds.
        let fresh = dir + "/fresh.db"
        r = try SinkTest.run("cc-sink", ["sqlite", fresh, "--checkpoint", ck], stdin: SinkTest.stream(from: 6, to: 7))
        #expect(r.status == 78)
        #expect(r.stderr.contains("no checkpoint for that chain"))
        #expect(SinkTest.read(ck) == saved)

        // Same block, another hash.
        let forged = saved.replacingOccurrences(of: SinkTest.hash(5), with: SinkTest.hash(5, salt: 1))
        try SinkTest.write(forged, to: ck)
        r = try SinkTest.run("cc-sink", ["sqlite", db, "--checkpoint", ck], stdin: SinkTest.stream(from: 6, to: 7))
        #expect(r.status == 78)
        #expect(SinkTest.read(ck) == forged)

        // A checkpoint written by another kind of sink.
        let fileSinkCk = saved.replacingOccurrences(of: "\"sqlite\"", with: "\"file\"")
        try SinkTest.write(fileSinkCk, to: ck)
        r = try SinkTest.run("cc-sink", ["sqlite", db, "--checkpoint", ck], stdin: SinkTest.stream(from: 6, to: 7))
        #expect(r.status == 78)
        #expect(r.stderr.contains("file sink"))
    }

    @Test("a bad line stops with 65 naming the line; what came before is committed")
    func badLine() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db", ck = dir + "/ck.json"
        var input = SinkTest.stream(from: 1, to: 2)
        input += SinkTest.transfer(block: 3, log: 0) + "\n{\"blockNumber\": oops}\n" + SinkTest.marker(block: 3) + "\n"
        var r = try SinkTest.run("cc-sink", ["sqlite", db, "--checkpoint", ck], stdin: input)
        #expect(r.status == 65)
        #expect(r.stderr.hasPrefix("cc-sink: line 10: "), "\(r.stderr)")
        #expect(try SinkTest.keys(db) == SinkTest.expectedKeys(from: 1, to: 2) + ["3:0"])
        #expect(try CheckpointFile(path: ck).read()?.blockNumber == 2)

        let missing =
            #"{"chainId":1,"blockNumber":4,"logIndex":0,"event":"Transfer","signature":"Transfer()","args":{}}"# + "\n"
        r = try SinkTest.run("cc-sink", ["sqlite", db], stdin: missing)
        #expect(r.status == 65)
        #expect(r.stderr == "cc-sink: line 1: event has no blockHash string\n")

        r = try SinkTest.run("cc-sink", ["sqlite", db, "--skip-invalid", "--checkpoint", ck], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try CheckpointFile(path: ck).read()?.blockNumber == 3)
    }

    @Test("a table that is not an events table is refused with 78")
    func foreignTable() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db"
        try SQLiteConnection(path: db).exec("CREATE TABLE mine (x INTEGER)")
        let r = try SinkTest.run("cc-sink", ["sqlite", db, "--table", "mine"], stdin: SinkTest.stream(from: 1, to: 1))
        #expect(r.status == 78)
        #expect(try SinkTest.query(db, "SELECT count(*) FROM mine") == [["0"]])
    }

    @Test("--table puts events in a table of that name")
    func customTable() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db"
        let r = try SinkTest.run(
            "cc-sink", ["sqlite", db, "--table", "usdc transfers"], stdin: SinkTest.stream(from: 1, to: 2))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try SinkTest.keys(db, table: "\"usdc transfers\"").count == 6)
    }
}

@Suite("cc-sink sqlite: concurrent readers")
struct SQLiteReaderTests {
    @Test("a reader holding a read transaction open does not block the sink (WAL)")
    func readerDuringWrites() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db"
        #expect(try SinkTest.run("cc-sink", ["sqlite", db], stdin: SinkTest.stream(from: 1, to: 2)).status == 0)
        let reader = try SQLiteConnection(path: db, readOnly: true)
        try reader.exec("BEGIN")
        #expect(try reader.query("SELECT count(*) FROM events") == [["6"]])
        let r = try SinkTest.run(
            "cc-sink", ["sqlite", db, "--batch-size", "5"], stdin: SinkTest.stream(from: 3, to: 40))
        #expect(r.status == 0, "\(r.stderr)")
        // The reader's snapshot is stable until it ends its transaction.
        #expect(try reader.query("SELECT count(*) FROM events") == [["6"]])
        try reader.exec("COMMIT")
        #expect(try reader.query("SELECT count(*) FROM events") == [["120"]])
    }

    @Test("another writer holding the lock past --busy-timeout: exit 75, the committed batches intact")
    func busyWriter() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db"
        #expect(try SinkTest.run("cc-sink", ["sqlite", db], stdin: SinkTest.stream(from: 1, to: 2)).status == 0)
        let writer = try SQLiteConnection(path: db)
        try writer.exec("BEGIN IMMEDIATE")
        let started = Date()
        let r = try SinkTest.run(
            "cc-sink", ["sqlite", db, "--busy-timeout", "300ms"], stdin: SinkTest.stream(from: 3, to: 4))
        #expect(r.status == 75, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("cc-sink: SQLite database \(db): database is locked"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(Date().timeIntervalSince(started) < 8)
        try writer.exec("ROLLBACK")
        #expect(try SinkTest.keys(db) == SinkTest.expectedKeys(from: 1, to: 2))
        // Once the lock is gone the same command goes through.
        let again = try SinkTest.run(
            "cc-sink", ["sqlite", db, "--busy-timeout", "300ms"], stdin: SinkTest.stream(from: 3, to: 4))
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try SinkTest.keys(db) == SinkTest.expectedKeys(from: 1, to: 4))
    }
}
