import CCKit
import CCTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Control records, destinations and stops at the edges: an added stage
/// seen by the pipeline hash, unknown `$cc` kinds, broken markers, a
/// destination that cannot be opened, a stop while a webhook retry waits,
/// and PostgreSQL per-event tables for names the sink must not take as they are.
@Suite("cc-sink: control records, destinations and stops at the edges")
struct SinkControlEdgeTests {
    @Test("a checkpoint of a pipeline without stages, then a stage added: 78 naming the added stage")
    func stageAdded() throws {
        let dir = try SinkTest.tempDir("stage")
        let ck = dir + "/ck.json"
        let plain = SinkTest.marker(block: 1).replacingOccurrences(
            of: #""filter":"3f9a""#, with: #""filter":"3f9a","pipeline":"3f9a""#)
        var r = try SinkTest.run("cc-sink", ["sqlite", dir + "/t.db", "--checkpoint", ck], stdin: plain + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        let folded = SinkTest.marker(block: 2).replacingOccurrences(
            of: #""filter":"3f9a""#, with: #""filter":"3f9a","pipeline":"beef""#)
        r = try SinkTest.run("cc-sink", ["sqlite", dir + "/t.db", "--checkpoint", ck], stdin: folded + "\n")
        #expect(r.status == 78)
        #expect(
            r.stderr
                == "cc-sink: checkpoint \(ck) was written by another pipeline (3f9a; this stream's is beef): a stage "
                + "that changes what passes was added between cc-fetch and cc-sink (cc-decode or cc-filter); use a "
                + "new checkpoint file and destination for the new dataset, or the old options (the checkpoint was "
                + "not moved)\n")
        #expect(try CheckpointFile(path: ck).read()?.blockNumber == 1)
    }

    @Test("an unknown $cc kind passes without a row; a marker without a numeric chainId is 65")
    func controlRecords() throws {
        let dir = try SinkTest.tempDir("ctl")
        let input =
            SinkTest.transfer(block: 1, log: 0) + "\n" + #"{"$cc":"future-kind","x":1}"# + "\n"
            + SinkTest.marker(block: 1) + "\n"
        var r = try SinkTest.run("cc-sink", ["sqlite", dir + "/t.db"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try SinkTest.keys(dir + "/t.db") == ["1:0"])
        #expect(
            try SinkTest.query(dir + "/t.db", "SELECT count(*) FROM sqlite_master WHERE name = 'records'") == [["0"]])
        r = try SinkTest.run(
            "cc-sink", ["sqlite", dir + "/u.db"], stdin: #"{"$cc":"checkpoint","chainId":"x"}"# + "\n")
        #expect(r.status == 65)
        #expect(r.stderr == "cc-sink: line 1: checkpoint marker without a numeric \"chainId\"\n")
    }

    @Test("a raw log without topics is refused naming its block and index only")
    func rawLogWithoutTopic0() throws {
        let dir = try SinkTest.tempDir("topic0")
        let raw = SinkSideTableEdgeTests.rawLog(block: 3, log: 4).replacingOccurrences(
            of: #""topics":["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"]"#,
            with: #""topics":[]"#)
        let r = try SinkTest.run("cc-sink", ["sqlite", dir + "/t.db"], stdin: raw + "\n")
        #expect(r.status == 65)
        #expect(
            r.stderr
                == "cc-sink: line 1: a raw (undecoded) log reached the sink (block 3, log index 4): decode it with "
                + "cc-decode --abi (add --unknown drop to drop logs no ABI matches), or run cc-sink with --raw-logs "
                + "skip or --raw-logs store\n")
    }

    @Test("destinations that cannot be opened: a directory as the database or dead-letter file, a broken CONNINFO")
    func unopenable() throws {
        let dir = try SinkTest.tempDir("open")
        var r = try SinkTest.run("cc-sink", ["sqlite", dir], stdin: SinkTest.stream(from: 1, to: 1))
        #expect(r.status == 74)
        #expect(r.stderr == "cc-sink: cannot open SQLite database \(dir): unable to open database file\n")
        r = try SinkTest.run("cc-sink", ["postgres", "host='unterminated"], stdin: "")
        #expect(r.status == 64)
        #expect(r.stderr == "cc-sink: CONNINFO: unterminated quoted string in connection info string\n")
        let receiver = try WebhookReceiver()
        r = try SinkTest.run(
            "cc-sink", ["webhook", receiver.url, "--dead-letter", dir], stdin: SinkTest.stream(from: 1, to: 1))
        #expect(r.status == 74)
        #expect(r.stderr == "cc-sink: cannot open dead-letter file \(dir): Is a directory\n")
        #expect(try receiver.requests().isEmpty)
    }

    @Test("a webhook error body is scrubbed before it is cut: a long echoed path never shows; 200 bytes at most")
    func webhookErrorBodies() throws {
        let receiver = try WebhookReceiver(responses: ["echo:404", "long:422"])
        let path = "/" + String(repeating: "hook-", count: 60)
        var r = try SinkTest.run(
            "cc-sink", ["webhook", receiver.url + path], stdin: SinkTest.stream(from: 1, to: 1))
        #expect(r.status == 69)
        #expect(!r.stderr.contains("hook-"), "\(r.stderr)")
        #expect(
            r.stderr
                == "cc-sink: webhook \(receiver.url)/… refused a batch of 3 events: HTTP 404: <!DOCTYPE html><pre>"
                + "Cannot POST …</pre> Authorization:  X-Api-Key:   (use --dead-letter FILE to set such batches aside "
                + "and go on)\n")
        r = try SinkTest.run("cc-sink", ["webhook", receiver.url], stdin: SinkTest.stream(from: 1, to: 1))
        #expect(r.status == 69)
        #expect(
            r.stderr
                == "cc-sink: webhook \(receiver.url) refused a batch of 3 events: HTTP 422: "
                + String(repeating: "x", count: 200)
                + "… (use --dead-letter FILE to set such batches aside and go on)\n")
    }

    @Test("SIGTERM while a webhook retry waits: 143 at once, the batch left for the next run")
    func stopDuringRetry() throws {
        let receiver = try WebhookReceiver(responses: Array(repeating: "500", count: 20))
        let dir = try SinkTest.tempDir("hookstop")
        let started = Date()
        let r = try SinkSignalTests.stopped(
            by: SIGTERM,
            sink: ["webhook", receiver.url, "--retry-delay", "30s", "--checkpoint", dir + "/ck.json"],
            input: SinkTest.stream(from: 1, to: 1), dir: dir,
            ready: { ((try? receiver.requests()) ?? []).count >= 1 })
        #expect(r.status == 143)
        #expect(
            r.stderr.hasSuffix(
                "cc-sink: stopped while retrying the webhook; the undelivered batch will be sent again on the next "
                    + "run\n"), "\(r.stderr)")
        #expect(Date().timeIntervalSince(started) < 25)
        #expect(!FileManager.default.fileExists(atPath: dir + "/ck.json"))
    }

    @Test(
        "postgres per-event tables: a cc_ name gets a prefix, an unparsable signature its event name, extra args text")
    func postgresPerEventNames() throws {
        guard PostgresCluster.isInstalled else { return }
        let db = try PostgresSinkTests.DB()
        func event(log: Int, name: String, signature: String, args: String) -> String {
            SinkTest.transfer(block: 1, log: log)
                .replacingOccurrences(of: #""event":"Transfer""#, with: #""event":"\#(name)""#)
                .replacingOccurrences(
                    of: #""signature":"Transfer(address,address,uint256)""#, with: #""signature":"\#(signature)""#
                )
                .replacingOccurrences(of: #""args":\{[^}]*\}"#, with: #""args":\#(args)"#, options: .regularExpression)
        }
        let input =
            [
                event(log: 0, name: "cc_checkpoint", signature: "cc_checkpoint(uint8)", args: #"{"a":"1"}"#),
                event(log: 1, name: "Weird", signature: "no signature here", args: #"{"a":"2"}"#),
                event(log: 2, name: "Two", signature: "Two(uint8)", args: #"{"a":"3","extra":"x"}"#),
                SinkTest.marker(block: 1),
            ].joined(separator: "\n") + "\n"
        let r = try db.sink(["--tables", "per-event"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try db.rows("SELECT signature || '|' || table_name FROM cc_event_tables ORDER BY table_name") == [
                "Two(uint8)|Two", "no signature here|Weird", "cc_checkpoint(uint8)|_cc_checkpoint",
            ])
        #expect(try db.rows(#"SELECT a FROM "_cc_checkpoint""#) == ["1"])
        #expect(try db.rows(#"SELECT a FROM "Weird""#) == ["2"])
        #expect(try db.rows(#"SELECT a, extra FROM "Two""#) == ["3|x"])
        #expect(
            try db.rows(
                """
                SELECT table_name || '.' || column_name || ':' || data_type FROM information_schema.columns
                WHERE table_name IN ('Two', 'Weird') AND column_name IN ('a', 'extra') ORDER BY 1
                """) == ["Two.a:bigint", "Two.extra:text", "Weird.a:text"])
    }
}

/// The file sink's output paths at the edges: a full device, a parent that
/// is a file, a directory as the file, relative rotated names, and lines
/// larger than the write buffer.
@Suite("cc-sink file: output paths and large lines")
struct FileSinkOutputEdgeTests {
    @Test(
        "an output that cannot be written is 74 naming it and why",
        arguments: [
            ("/dev/full", "cannot write /dev/full: No space left on device"),
            ("afile/sub/out.ndjson", "cannot create directory afile/sub: Not a directory"),
            ("adir", "cannot open adir: Is a directory"),
        ])
    func unwritable(path: String, message: String) throws {
        let dir = try SinkTest.tempDir("unwritable")
        try SinkTest.write("", to: dir + "/afile")
        try FileManager.default.createDirectory(atPath: dir + "/adir", withIntermediateDirectories: false)
        let r = try SinkTest.run("cc-sink", ["file", path], stdin: SinkTest.stream(from: 1, to: 2), directory: dir)
        #expect(r.status == 74)
        #expect(r.stderr == "cc-sink: \(message)\n")
        #expect(SinkTest.read(dir + "/afile") == "")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/adir") == [])
    }

    @Test("rotated files named relative to the working directory; lines larger than the write buffer, whole")
    func relativeRotationAndLargeLines() throws {
        let dir = try SinkTest.tempDir("relrot")
        let big = String(repeating: "7", count: 300_000)
        let lines = (1...3).map { SinkTest.transfer(block: $0, log: 0, value: $0 == 2 ? big : nil) }
        let input = lines.enumerated().map { $1 + "\n" + SinkTest.marker(block: $0 + 1) + "\n" }.joined()
        for format in ["ndjson", "csv"] {
            let r = try SinkTest.run(
                "cc-sink", ["file", "\(format)-{from}-{to}.out", "--rotate-blocks", "2", "--format", format],
                stdin: input, directory: dir)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(
            names == [
                "csv-0-1.out", "csv-2-3.out", "ndjson-0-1.out", "ndjson-2-3.out",
            ])
        // Windows are aligned to multiples of --rotate-blocks.
        #expect(SinkTest.read(dir + "/ndjson-0-1.out") == lines[0] + "\n")
        #expect(SinkTest.read(dir + "/ndjson-2-3.out") == lines[1] + "\n" + lines[2] + "\n")
        let csv = SinkTest.read(dir + "/csv-2-3.out").split(separator: "\n")
        #expect(csv.count == 3)
        #expect(csv.dropFirst().first?.hasSuffix(",\(big)") == true)
        #expect(csv.last?.hasSuffix(",3000000") == true)
    }
}

/// Inputs and secrets the sink cannot use, and integers at SQLite's edge.
@Suite("cc-sink: unreadable input and secrets, CSV records of another shape, integers at the edge")
struct SinkInputAndSecretEdgeTests {
    @Test("standard input that is a directory: 74 naming it")
    func directoryAsInput() throws {
        let dir = try SinkTest.tempDir("dirin")
        let r = try SinkTest.shell("'\(SinkTest.binary("cc-sink"))' sqlite '\(dir)/t.db' < '\(dir)'")
        #expect(r.status == 74)
        #expect(r.stderr == "cc-sink: reading standard input: Is a directory\n")
    }

    @Test(
        "a webhook secret or signing key file that is missing or empty: 78 before anything is sent",
        arguments: [
            (["--secret-file", "missing"], "--secret-file DIR/missing: cannot read the file"),
            (["--secret-file", "empty"], "webhook secret is empty"),
            (["--secret-file", "newlines"], "webhook secret is empty"),
            (["--signing-key-file", "missing"], "--signing-key-file DIR/missing: cannot read the file"),
        ])
    func unusableSecrets(args: [String], message: String) throws {
        let dir = try SinkTest.tempDir("secret")
        try SinkTest.write("", to: dir + "/empty")
        try SinkTest.write("\n\n", to: dir + "/newlines")
        let receiver = try WebhookReceiver()
        let r = try SinkTest.run(
            "cc-sink", ["webhook", receiver.url, args[0], dir + "/" + args[1]], stdin: SinkTest.stream(from: 1, to: 1))
        #expect(r.status == 78)
        #expect(r.stderr == "cc-sink: " + message.replacingOccurrences(of: "DIR", with: dir) + "\n")
        #expect(try receiver.requests().isEmpty)
    }

    @Test("CSV: a record with a key the header lacks is 65 naming it; what came before is written")
    func csvRecordOfAnotherShape() throws {
        let r = try SinkTest.run(
            "cc-sink", ["file", "-", "--format", "csv"], stdin: #"{"a":1}"# + "\n" + #"{"a":2,"b":3}"# + "\n")
        #expect(r.status == 65)
        #expect(r.stdout == "a\n1\n")
        #expect(
            r.stderr
                == "cc-sink: line 2: a record has fields b that the CSV header of - (taken from its first record) "
                + "lacks: put {event} in the path for one file per event, choose the columns with --columns, or "
                + "filter to one kind of record\n")
    }

    @Test("record integers: the smallest 64-bit one and one below it are both exact decimal text")
    func smallestIntegers() throws {
        let dir = try SinkTest.tempDir("minint")
        let db = dir + "/t.db"
        let r = try SinkTest.run(
            "cc-sink", ["sqlite", db], stdin: #"{"n":-9223372036854775808,"m":-9223372036854775809}"# + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try SinkTest.query(db, "SELECT n, typeof(n), m, typeof(m) FROM records") == [
                ["-9223372036854775808", "text", "-9223372036854775809", "text"]
            ])
    }
}
