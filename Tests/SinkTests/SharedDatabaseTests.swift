import CCKit
import CCTestSupport
import Foundation
import Testing

/// Several checkpointed pipelines (one per token, each with its own
/// checkpoint file) writing one SQLite database, as `cc_checkpoint`'s one row
/// per chain and filter invites. A resuming cc-fetch sends a rewind record at
/// its checkpoint; that rewind deleted every row above the block for the
/// whole chain (the other tokens' too), moved the other pipelines'
/// checkpoint rows back, and the records of one pipeline overwrote the
/// other's at the same (marker, ordinal). Each stream now retracts and keys
/// only what it wrote.
@Suite("one SQLite database shared by pipelines with different filters")
struct SharedDatabaseTests {
    static let tokenA = "0x3b71a218CC3E79f2e2d37bC7Cf22d9cB70931B01"
    static let tokenB = "0xa4B8a2683F4f48C2ba9E8464e5819b0A457c0808"

    /// One token's pipeline into `db`, with `ck-TOKEN.json`.
    static func run(
        _ node: FixtureNode, _ token: String, to: Int, db: String, filter: String? = nil, dir: String
    ) throws -> BinaryRun {
        let q = CronPitfallTests.q
        let ck = "ck-\(token).json"
        let stage =
            filter.map { "| \(q(SinkTest.binary("cc-filter"))) 'event == \"Transfer\"' --map \(q($0)) " } ?? ""
        return try SinkTest.shell(
            "set -o pipefail; cd \(q(dir)) && \(q(SinkTest.binary("cc-fetch"))) --rpc \(node.url) -q --address \(token) "
                + "--from 0 --to \(to) --checkpoint \(ck) | \(q(SinkTest.binary("cc-decode"))) --abi erc20 "
                + "--unknown drop \(stage)| \(q(SinkTest.binary("cc-sink"))) sqlite \(db) --tables per-event "
                + "--checkpoint \(ck)")
    }

    static func rows(_ db: String, _ table: String, token: String, columns: String) throws -> [[String?]] {
        try SinkTest.query(
            db, "SELECT \(columns) FROM \(table) WHERE address = '\(token)' COLLATE NOCASE ORDER BY 1, 2")
    }

    @Test("events and per-event tables: a resume of one pipeline leaves the other's rows and checkpoint alone")
    func events() throws {
        let node = try FixtureNode(["--blocks", "2000"])
        defer { node.stop() }
        let dir = try SinkTest.tempDir()
        // What token A alone stores.
        let alone = try SinkTest.tempDir()
        #expect(try Self.run(node, Self.tokenA, to: 1999, db: "a.db", dir: alone).status == 0)
        let wantEvents = try Self.rows(
            alone + "/a.db", "events", token: Self.tokenA, columns: "block_number, log_index")
        let wantTransfers = try Self.rows(
            alone + "/a.db", "Transfer", token: Self.tokenA, columns: "block_number, log_index, value")
        #expect(wantEvents.count > 100)

        for (token, to) in [(Self.tokenB, 999), (Self.tokenA, 1999), (Self.tokenB, 1999), (Self.tokenA, 1999)] {
            let r = try Self.run(node, token, to: to, db: "t.db", dir: dir)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let db = dir + "/t.db"
        #expect(try Self.rows(db, "events", token: Self.tokenA, columns: "block_number, log_index") == wantEvents)
        #expect(
            try Self.rows(db, "Transfer", token: Self.tokenA, columns: "block_number, log_index, value")
                == wantTransfers)
        #expect(try SinkTest.query(db, "SELECT DISTINCT block_number FROM cc_checkpoint") == [["1999"]])
        // B's rows are B's alone run too.
        let aloneB = try SinkTest.tempDir()
        #expect(try Self.run(node, Self.tokenB, to: 1999, db: "b.db", dir: aloneB).status == 0)
        #expect(
            try Self.rows(db, "events", token: Self.tokenB, columns: "block_number, log_index")
                == Self.rows(aloneB + "/b.db", "events", token: Self.tokenB, columns: "block_number, log_index"))
    }

    @Test("records: each pipeline's reshaped rows are its own, also after the other resumes")
    func records() throws {
        let node = try FixtureNode(["--blocks", "2000"])
        defer { node.stop() }
        let map = "{token: address, block: blockNumber, li: logIndex, v: args.value}"
        let alone = try SinkTest.tempDir()
        #expect(try Self.run(node, Self.tokenA, to: 1999, db: "a.db", filter: map, dir: alone).status == 0)
        let query = "SELECT block, li, v FROM records WHERE token = '\(Self.tokenA)' COLLATE NOCASE ORDER BY 1, 2"
        let want = try SinkTest.query(alone + "/a.db", query)
        #expect(want.count > 100)

        let dir = try SinkTest.tempDir()
        for (token, to) in [(Self.tokenB, 999), (Self.tokenA, 1999), (Self.tokenB, 1999), (Self.tokenA, 1999)] {
            let r = try Self.run(node, token, to: to, db: "t.db", filter: map, dir: dir)
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(try SinkTest.query(dir + "/t.db", query) == want)
        // B's rows: each of its transfers once.
        let b = try SinkTest.query(
            dir + "/t.db",
            "SELECT count(*), count(DISTINCT block || ':' || li) FROM records WHERE token = '\(Self.tokenB)' "
                + "COLLATE NOCASE")
        #expect(b.count == 1 && b[0][0] == b[0][1] && Int(b[0][0] ?? "") ?? 0 > 100, "\(b)")
    }
}

/// What another pipeline does meanwhile. A fresh run's rows before its first
/// marker were committed as nobody's (`''`) by a batch flush, and every
/// other stream's rewind deleted those: B lost the rows of its first range
/// for good (its checkpoint was past them). And a database written by the
/// previous release: the first pipeline to resume deleted every other
/// pipeline's rows above its checkpoint. Now a fresh run's rows before its
/// first marker carry a name of their pipeline's own (from its checkpoint
/// file), and a rewind deletes only its own stream's rows.
@Suite("one SQLite database, pipelines at the same time and across an upgrade")
struct SharedDatabaseConcurrencyTests {
    static func q(_ s: String) -> String { CronPitfallTests.q(s) }

    static func fetch(_ node: FixtureNode, _ token: String, to: Int, ck: String) -> String {
        "\(Self.q(SinkTest.binary("cc-fetch"))) --rpc \(node.url) -q --address \(token) --from 0 --to \(to) "
            + "--checkpoint \(ck) | \(Self.q(SinkTest.binary("cc-decode"))) --abi erc20 --unknown drop"
    }

    @Test("B's first range, before its first marker, survives A's resume")
    func concurrentFreshStream() throws {
        let node = try FixtureNode(["--blocks", "3000"])
        defer { node.stop() }
        let dir = try SinkTest.tempDir("conc")
        let a = SharedDatabaseTests.tokenA, b = SharedDatabaseTests.tokenB
        let sink = Self.q(SinkTest.binary("cc-sink")) + " sqlite s.db"
        // B's whole stream, and where its first marker is.
        let script = """
            set -e; cd \(Self.q(dir))
            \(Self.fetch(node, a, to: 500, ck: "a.json")) | \(sink) --checkpoint a.json
            \(Self.fetch(node, b, to: 2990, ck: "b-gen.json")) > b.ndjson
            first=$(grep -n '"$cc":"checkpoint"' b.ndjson | head -1 | cut -d: -f1)
            mkfifo f
            \(sink) --checkpoint b.json --batch-size 10 < f &
            exec 3>f
            head -n $((first - 1)) b.ndjson >&3
            sleep 1
            \(Self.fetch(node, a, to: 2990, ck: "a.json")) | \(sink) --checkpoint a.json
            tail -n +$first b.ndjson >&3
            exec 3>&-
            wait
            """
        let r = try SinkTest.shell(script)
        #expect(r.status == 0, "\(r.stderr)")
        // B alone, into a fresh database.
        let alone = try SinkTest.tempDir("alone")
        let one = try SinkTest.shell(
            "cd \(Self.q(alone)) && \(Self.fetch(node, b, to: 2990, ck: "b.json")) | \(sink) --checkpoint b.json")
        #expect(one.status == 0, "\(one.stderr)")
        let cols = "block_number, log_index"
        #expect(
            try SharedDatabaseTests.rows(dir + "/s.db", "events", token: b, columns: cols)
                == SharedDatabaseTests.rows(alone + "/s.db", "events", token: b, columns: cols))
    }

    @Test("a database of the previous release: legacy rows are nobody's, no stream's rewind deletes them")
    func legacyRowsSurvive() throws {
        let node = try FixtureNode(["--blocks", "3000"])
        defer { node.stop() }
        let dir = try SinkTest.tempDir("legacy")
        let a = SharedDatabaseTests.tokenA, b = SharedDatabaseTests.tokenB
        let sink = Self.q(SinkTest.binary("cc-sink")) + " sqlite s.db --tables per-event"
        var r = try SinkTest.shell(
            "set -e; cd \(Self.q(dir)); \(Self.fetch(node, a, to: 999, ck: "a.json")) | \(sink) --checkpoint a.json; "
                + "\(Self.fetch(node, b, to: 1999, ck: "b.json")) | \(sink) --checkpoint b.json")
        #expect(r.status == 0, "\(r.stderr)")
        // Make it what the previous release wrote: no cc_stream anywhere.
        let db = try SQLiteConnection(path: dir + "/s.db")
        for t in ["events", "Transfer"] {
            try db.exec("UPDATE \(t) SET cc_stream = ''; ALTER TABLE \(t) DROP COLUMN cc_stream")
        }
        r = try SinkTest.shell(
            "set -e; cd \(Self.q(dir)); \(Self.fetch(node, a, to: 2990, ck: "a.json")) | \(sink) --checkpoint a.json; "
                + "\(Self.fetch(node, b, to: 2990, ck: "b.json")) | \(sink) --checkpoint b.json")
        #expect(r.status == 0, "\(r.stderr)")
        let alone = try SinkTest.tempDir("alone")
        #expect(
            try SinkTest.shell(
                "cd \(Self.q(alone)) && \(Self.fetch(node, b, to: 2990, ck: "b.json")) | \(sink) --checkpoint b.json"
            ).status == 0)
        let cols = "block_number, log_index"
        for t in ["events", "Transfer"] {
            #expect(
                try SharedDatabaseTests.rows(dir + "/s.db", t, token: b, columns: cols)
                    == SharedDatabaseTests.rows(alone + "/s.db", t, token: b, columns: cols), "\(t)")
        }
    }
}

/// Records from runs without any marker have only their ordinals: a second
/// such run with fewer records left the first run's tail behind (a mix of two
/// datasets, exit 0). It now replaces them, as `>` would.
@Suite("sqlite records without markers: a run replaces the previous one")
struct UnanchoredRecordsTests {
    @Test func replaces() throws {
        let db = try SinkTest.tempDir("rec") + "/t.db"
        let first = (0..<5).map { #"{"run":1,"i":\#($0)}"# }.joined(separator: "\n") + "\n"
        let second = (0..<3).map { #"{"run":2,"i":\#($0)}"# }.joined(separator: "\n") + "\n"
        #expect(try SinkTest.run("cc-sink", ["sqlite", db], stdin: first).status == 0)
        #expect(try SinkTest.run("cc-sink", ["sqlite", db], stdin: second).status == 0)
        #expect(
            try SinkTest.query(db, "SELECT run, i FROM records ORDER BY i") == [["2", "0"], ["2", "1"], ["2", "2"]])
        // The same run again changes nothing.
        #expect(try SinkTest.run("cc-sink", ["sqlite", db], stdin: second).status == 0)
        #expect(try SinkTest.query(db, "SELECT count(*) FROM records") == [["3"]])
    }
}

/// In PostgreSQL rows carry their `--stream` name, and a rewind (any resume
/// sends one) deletes the stream's rows above its block: two pipelines with
/// different filters under the default stream deleted each other's rows with
/// exit 0. The second is now refused before anything of it is committed.
@Suite("cc-sink postgres: one stream, one pipeline")
struct PostgresSharedStreamTests {
    static func input(filter: String, from: Int, to: Int) -> String {
        (from...to).map { b in SinkTest.transfer(block: b, log: 0) + "\n" + SinkTest.marker(block: b, filter: filter) }
            .joined(separator: "\n") + "\n"
    }

    @Test(.enabled(if: PostgresCluster.isInstalled, "PostgreSQL is not installed (make deps)"))
    func secondFilterInOneStreamIsRefused() throws {
        let db = try PostgresSinkTests.DB()
        var r = try db.sink([], stdin: Self.input(filter: "aaaa", from: 1, to: 3))
        #expect(r.status == 0, "\(r.stderr)")
        r = try db.sink([], stdin: Self.input(filter: "bbbb", from: 4, to: 5))
        #expect(r.status == 78)
        #expect(
            r.stderr.hasSuffix(
                "already belongs to another pipeline (cc_checkpoint: chain 1, filter aaaa): its rewinds would "
                    + "delete this one's rows; give each pipeline its own --stream NAME\n"), "\(r.stderr)")
        #expect(try db.keys() == ["1:0", "2:0", "3:0"])
        r = try db.sink(["--stream", "b"], stdin: Self.input(filter: "bbbb", from: 4, to: 5))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try db.keys() == ["1:0", "2:0", "3:0", "4:0", "5:0"])
    }
}

/// Stream contract: a rewind retracts everything above its block. A plain
/// record that names its block (`--map '{blockNumber, …}'`) after a marker
/// below the fork stayed, so a reorg left the orphaned block's record beside
/// the canonical one. It goes now, in SQLite and PostgreSQL.
@Suite("rewind: records that name their block above it go")
struct RecordRewindByBlockTests {
    static let hash = "0x" + String(repeating: "ab", count: 32)
    static let input =
        [
            #"{"$cc":"checkpoint","chainId":1,"blockNumber":10,"blockHash":"\#(hash)","filter":"ab"}"#,
            #"{"blockNumber":11,"v":"a"}"#, #"{"blockNumber":12,"v":"orphan"}"#, #"{"v":"no block"}"#,
            #"{"$cc":"rewind","chainId":1,"blockNumber":11,"blockHash":"\#(hash)"}"#,
            #"{"blockNumber":12,"v":"canonical"}"#,
            #"{"$cc":"checkpoint","chainId":1,"blockNumber":12,"blockHash":"\#(hash)","filter":"ab"}"#,
        ].joined(separator: "\n") + "\n"

    @Test func sqlite() throws {
        let dir = try SinkTest.tempDir("rr")
        let r = try SinkTest.run(
            "cc-sink", ["sqlite", dir + "/r.db", "--checkpoint", dir + "/r.ck"], stdin: Self.input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try SinkTest.query(dir + "/r.db", "SELECT v FROM records ORDER BY cc_after_block, cc_ordinal") == [
                ["a"], ["no block"], ["canonical"],
            ])
    }

    /// Records written before a fresh run's first marker are at chain 0: the
    /// rewind by block missed them.
    @Test func beforeTheFirstMarker() throws {
        let dir = try SinkTest.tempDir("rr0")
        let input =
            [
                #"{"blockNumber":11,"v":"a"}"#, #"{"blockNumber":12,"v":"orphan"}"#,
                #"{"$cc":"checkpoint","chainId":1,"blockNumber":12,"blockHash":"\#(Self.hash)","filter":"ab"}"#,
            ].joined(separator: "\n") + "\n"
        var r = try SinkTest.run("cc-sink", ["sqlite", dir + "/r.db", "--checkpoint", dir + "/r.ck"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        let again =
            [
                #"{"$cc":"rewind","chainId":1,"blockNumber":11,"blockHash":"\#(Self.hash)"}"#,
                #"{"blockNumber":12,"v":"canonical"}"#,
                #"{"$cc":"checkpoint","chainId":1,"blockNumber":12,"blockHash":"\#(Self.hash)","filter":"ab"}"#,
            ].joined(separator: "\n") + "\n"
        r = try SinkTest.run("cc-sink", ["sqlite", dir + "/r.db", "--checkpoint", dir + "/r.ck"], stdin: again)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try SinkTest.query(dir + "/r.db", "SELECT v FROM records ORDER BY v") == [["a"], ["canonical"]])
    }

    @Test(.enabled(if: PostgresCluster.isInstalled, "PostgreSQL is not installed (make deps)"))
    func postgres() throws {
        let db = try PostgresSinkTests.DB()
        let r = try db.sink([], stdin: Self.input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try db.rows("SELECT v FROM records ORDER BY cc_after_block, cc_ordinal") == ["a", "no block", "canonical"])
    }
}

/// A fresh run killed before its first marker leaves its rows as its
/// pipeline's pending ones. The rerun claimed only the rows it wrote again:
/// records under another spelling of the same checkpoint path (`./x.ck`)
/// stayed twice for good, and rows of blocks a reorg replaced in between
/// stayed beside the canonical ones.
@Suite("a fresh run killed before its first marker, then rerun")
struct KilledBeforeFirstMarkerTests {
    static func q(_ s: String) -> String { CronPitfallTests.q(s) }

    /// Token B's transfers into `db`: reshaped into records, or (`map` nil) as events and per-event rows;
    /// `cut`: the input ends before its first marker, as when cc-fetch is killed there.
    static func pipeline(_ node: FixtureNode, ck: String, db: String, cut: Bool, map: String? = nil) -> String {
        "\(q(SinkTest.binary("cc-fetch"))) --rpc \(node.url) -q --address \(SharedDatabaseTests.tokenB) "
            + "--from 0 --to 2999 --chunk-size 200 --checkpoint \(ck) "
            + "| \(q(SinkTest.binary("cc-decode"))) --abi erc20 --unknown drop "
            + (map.map { "| \(q(SinkTest.binary("cc-filter"))) --map \(q($0)) " } ?? "")
            + (cut ? #"| awk '/"\$cc"/{exit} {print}' "# : "")
            + "| \(q(SinkTest.binary("cc-sink"))) sqlite \(db) \(map == nil ? "--tables per-event " : "")"
            + "--checkpoint \(ck) --batch-size 20"
    }

    static let map = "{blockNumber: blockNumber, li: logIndex, v: args.value}"

    static func both(_ node: FixtureNode, records: String, events: String, cut: Bool) -> String {
        pipeline(node, ck: records + ".ck", db: records + ".db", cut: cut, map: map) + " && "
            + pipeline(node, ck: events + ".ck", db: events + ".db", cut: cut)
    }

    @Test("another spelling of the checkpoint path, and a reorg in between: the rerun equals a clean run")
    func rerunEqualsCleanRun() throws {
        let node = try FixtureNode(["--blocks", "3000"])
        defer { node.stop() }
        let dir = try SinkTest.tempDir("killed")
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        var r = try SinkTest.shell("cd \(Self.q(dir)) && " + Self.both(node, records: "r", events: "e", cut: true))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try SinkTest.query(dir + "/r.db", "SELECT count(*) > 0 FROM records") == [["1"]])
        _ = try node.control(#"{"reorg":{"from":50}}"#)
        r = try SinkTest.shell(
            "cd \(Self.q(dir + "/sub")) && "
                + Self.pipeline(node, ck: "../r.ck", db: "../r.db", cut: false, map: Self.map) + " && "
                + Self.pipeline(node, ck: "./../e.ck", db: "../e.db", cut: false))
        #expect(r.status == 0, "\(r.stderr)")
        let clean = try SinkTest.tempDir("clean")
        r = try SinkTest.shell("cd \(Self.q(clean)) && " + Self.both(node, records: "r", events: "e", cut: false))
        #expect(r.status == 0, "\(r.stderr)")
        let records = "SELECT cc_stream, blockNumber, li, v FROM records ORDER BY 2, 3"
        #expect(try SinkTest.query(dir + "/r.db", records) == SinkTest.query(clean + "/r.db", records))
        for t in ["events", "Transfer"] {
            let rows = "SELECT cc_stream, block_number, block_hash, log_index FROM \(t) ORDER BY 2, 4"
            #expect(try SinkTest.query(dir + "/e.db", rows) == SinkTest.query(clean + "/e.db", rows), "\(t)")
        }
    }

    @Test func oneSpellingPerFile() throws {
        let dir = try SinkTest.tempDir("paths")
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        let real = SQLiteStreamScope.canonicalPath(dir + "/x.ck")
        for spelling in [dir + "//x.ck", dir + "/./x.ck", dir + "/sub/../x.ck"] {
            #expect(SQLiteStreamScope.canonicalPath(spelling) == real, "\(spelling)")
        }
        #expect(SQLiteStreamScope.canonicalPath("/x.ck") == "/x.ck")
    }
}
