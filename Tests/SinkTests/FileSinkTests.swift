import CCKit
import Foundation
import Testing

@Suite("cc-sink file")
struct FileSinkTests {
    /// Every regular file under `dir` (hidden ones too) with its contents.
    static func tree(_ dir: String) -> [String: String] {
        var out: [String: String] = [:]
        let fm = FileManager.default
        guard let e = fm.enumerator(atPath: dir) else { return out }
        for case let rel as String in e {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: dir + "/" + rel, isDirectory: &isDir), !isDir.boolValue {
                out[rel] = SinkTest.read(dir + "/" + rel)
            }
        }
        return out
    }

    static func lines(_ s: String) -> [String] { s.split(separator: "\n").map(String.init) }

    @Test("NDJSON files hold each event exactly as received; rotated files get their block range as name")
    func rotateBlocks() throws {
        let dir = try SinkTest.tempDir()
        let input = SinkTest.stream(from: 1, to: 25, perBlock: 2, markerEvery: 3)
        let r = try SinkTest.run(
            "cc-sink", ["file", "out/{event}-{from}-{to}.ndjson", "--rotate-blocks", "10", "--checkpoint", "ck.json"],
            stdin: input, directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let files = Self.tree(dir + "/out")
        #expect(files.keys.sorted() == ["Transfer-0-9.ndjson", "Transfer-10-19.ndjson", "Transfer-20-25.ndjson"])
        let events = Self.lines(input).filter { !$0.contains("$cc") }
        #expect(Self.lines(files["Transfer-0-9.ndjson"] ?? "") == Array(events[0..<18]))
        #expect(Self.lines(files["Transfer-10-19.ndjson"] ?? "") == Array(events[18..<38]))
        #expect(Self.lines(files["Transfer-20-25.ndjson"] ?? "") == Array(events[38...]))
    }

    @Test("standard input open only for writing is a read error (74), not a wait that never ends")
    func writeOnlyStandardInput() throws {
        let dir = try SinkTest.tempDir()
        // fd 0 is the write end of a pipe: it never polls readable.
        let r = try SinkTest.shell(
            "cd '\(dir)' && timeout 30 '\(SinkTest.binary("cc-sink"))' file out.ndjson 0> >(cat > /dev/null)")
        #expect(r.status == 74)
        #expect(r.stderr == "cc-sink: reading standard input: Bad file descriptor\n")
    }

    @Test("a rerun after an interrupted run truncates back to the checkpoint and ends byte-identical")
    func exactlyOnceAfterInterruption() throws {
        for rotation in [[], ["--rotate-blocks", "7"], ["--rotate-bytes", "3000"]] {
            let path = rotation.isEmpty ? "out/{event}.ndjson" : "out/{event}-{from}-{to}.ndjson"
            let reference = try SinkTest.tempDir()
            let full = SinkTest.stream(from: 1, to: 30, perBlock: 3, markerEvery: 4)
            var r = try SinkTest.run(
                "cc-sink", ["file", path, "--checkpoint", "ck.json"] + rotation, stdin: full, directory: reference)
            #expect(r.status == 0, "\(r.stderr)")

            let dir = try SinkTest.tempDir()
            // Upstream dies after block 17: the sink commits what it got, the
            // checkpoint stays at the last marker (16).
            let partial = SinkTest.stream(from: 1, to: 17, perBlock: 3, markerEvery: 4, finalMarker: false)
            r = try SinkTest.run(
                "cc-sink", ["file", path, "--checkpoint", "ck.json", "--batch-size", "5"] + rotation, stdin: partial,
                directory: dir)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(try CheckpointFile(path: dir + "/ck.json").read()?.blockNumber == 16)
            // The rerun of the same pipeline: cc-fetch resumes at block 17.
            let resumed =
                Self.lines(full).drop { line in
                    !(line.contains("\"blockNumber\":17,") && !line.contains("$cc"))
                }.joined(separator: "\n") + "\n"
            r = try SinkTest.run(
                "cc-sink", ["file", path, "--checkpoint", "ck.json"] + rotation, stdin: resumed, directory: dir)
            #expect(r.status == 0, "\(r.stderr)")
            let want = Self.tree(reference + "/out"), got = Self.tree(dir + "/out")
            #expect(got.keys.sorted() == want.keys.sorted(), "\(rotation)")
            #expect(got == want, "\(rotation)")
        }
    }

    @Test("a file shorter than the checkpoint says, or a checkpoint for another path: 78, nothing modified")
    func contradictions() throws {
        let dir = try SinkTest.tempDir()
        let input = SinkTest.stream(from: 1, to: 6, markerEvery: 2, finalMarker: false)
        #expect(
            try SinkTest.run(
                "cc-sink", ["file", "out.ndjson", "--checkpoint", "ck.json"], stdin: input, directory: dir
            ).status == 0)
        let saved = SinkTest.read(dir + "/ck.json")
        var r = try SinkTest.run(
            "cc-sink", ["file", "other.ndjson", "--checkpoint", "ck.json"], stdin: input, directory: dir)
        #expect(r.status == 78)
        #expect(r.stderr.contains("written for path 'out.ndjson'"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/other.ndjson"))
        try SinkTest.write("short\n", to: dir + "/out.ndjson")
        r = try SinkTest.run(
            "cc-sink", ["file", "out.ndjson", "--checkpoint", "ck.json"], stdin: input, directory: dir)
        #expect(r.status == 78)
        #expect(r.stderr.contains("changed outside cc-sink"), "\(r.stderr)")
        #expect(SinkTest.read(dir + "/out.ndjson") == "short\n")
        #expect(SinkTest.read(dir + "/ck.json") == saved)
        r = try SinkTest.run("cc-sink", ["sqlite", "t.db", "--checkpoint", "ck.json"], stdin: input, directory: dir)
        #expect(r.status == 78)
    }

    @Test("CSV: header, RFC 4180 quoting, --columns with args.*")
    func csv() throws {
        let dir = try SinkTest.tempDir()
        let tricky =
            #"{"chainId":1,"blockNumber":5,"blockHash":"0xab","logIndex":0,"event":"Note","args":{"text":"a,b \"q\"\nline2","n":"7","list":[1,2]}}"#
        let input = tricky + "\n" + SinkTest.marker(block: 5) + "\n"
        var r = try SinkTest.run("cc-sink", ["file", "out.csv"], stdin: input, directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            SinkTest.read(dir + "/out.csv")
                == "chainId,blockNumber,blockHash,logIndex,event,args.text,args.n,args.list\n"
                + "1,5,0xab,0,Note,\"a,b \"\"q\"\"\nline2\",7,\"[1,2]\"\n")
        r = try SinkTest.run(
            "cc-sink", ["file", "sel.csv", "--columns", "blockNumber,args.n,args.missing,removed"], stdin: input,
            directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(SinkTest.read(dir + "/sel.csv") == "blockNumber,args.n,args.missing,removed\n5,7,,\n")
    }

    @Test("{chainId} and {date} placeholders; hostile event names stay inside the directory")
    func placeholders() throws {
        let dir = try SinkTest.tempDir()
        let a =
            #"{"chainId":10,"blockNumber":1,"blockHash":"0x01","blockTimestamp":1705000000,"logIndex":0,"event":"../../etc/passwd"}"#
        let b =
            #"{"chainId":10,"blockNumber":2,"blockHash":"0x02","blockTimestamp":1705100000,"logIndex":0,"event":"Ok"}"#
        let c = #"{"chainId":10,"blockNumber":3,"blockHash":"0x03","logIndex":0}"#
        let r = try SinkTest.run(
            "cc-sink", ["file", "out/{chainId}/{date}/{event}.ndjson"], stdin: [a, b, c].joined(separator: "\n"),
            directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            Self.tree(dir + "/out").keys.sorted() == [
                "10/2024-01-11/_.._.._etc_passwd.ndjson", "10/2024-01-12/Ok.ndjson", "10/undated/unknown.ndjson",
            ])
    }

    @Test(
        "{event} is the unescaped name: an escaped spelling shares the plain one's file (NDJSON and CSV)",
        arguments: ["ndjson", "csv"])
    func escapedEventNames(format: String) throws {
        let dir = try SinkTest.tempDir()
        let lines = [
            #"{"chainId":1,"blockNumber":1,"blockHash":"0x01","logIndex":0,"event":"Transfer"}"#,
            #"{"chainId":1,"blockNumber":1,"blockHash":"0x01","logIndex":1,"event":"Tr\u0061nsfer"}"#,
            #"{"chainId":1,"blockNumber":2,"blockHash":"0x02","logIndex":0}"#,
            #"{"chainId":1,"blockNumber":2,"blockHash":"0x02","logIndex":1,"event":"Transfer"}"#,
        ]
        let r = try SinkTest.run(
            "cc-sink",
            ["file", "out/{event}.\(format)", "--format", format]
                + (format == "csv" ? ["--columns", "blockNumber,logIndex"] : []),
            stdin: lines.joined(separator: "\n") + "\n", directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.tree(dir + "/out").keys.sorted() == ["Transfer.\(format)", "unknown.\(format)"])
        let transfer = SinkTest.read(dir + "/out/Transfer.\(format)")
        if format == "ndjson" {
            #expect(transfer == [lines[0], lines[1], lines[3]].joined(separator: "\n") + "\n")
        } else {
            #expect(transfer == "blockNumber,logIndex\n1,0\n1,1\n2,1\n")
        }
    }

    @Test("usage errors: {from} without rotation, unknown placeholders")
    func usage() throws {
        var r = try SinkTest.run("cc-sink", ["file", "x-{from}.ndjson"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--rotate-blocks"))
        r = try SinkTest.run("cc-sink", ["file", "x-{block}.ndjson"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("unknown placeholder {block}"))
    }

    @Test("standard output, and a reader that closes early ends quietly with 0")
    func stdoutOutput() throws {
        let input = SinkTest.stream(from: 1, to: 3)
        var r = try SinkTest.run("cc-sink", ["file", "-"], stdin: input)
        #expect(r.status == 0)
        #expect(r.stdout == Self.lines(input).filter { !$0.contains("$cc") }.joined(separator: "\n") + "\n")
        let big = SinkTest.stream(from: 1, to: 5000)
        let dir = try SinkTest.tempDir()
        try SinkTest.write(big, to: dir + "/in.ndjson")
        r = try SinkTest.shell(
            "'\(SinkTest.binary("cc-sink"))' file - '\(dir)/in.ndjson' | head -1 >/dev/null; echo ${PIPESTATUS[0]}")
        #expect(r.stdout == "0\n", "\(r.stderr)")
    }
}

@Suite("cc-sink file: continuing a completed range")
struct FileSinkContinuationTests {
    @Test("a clean end completes the window up to the checkpoint; the next run continues after it")
    func continuation() throws {
        let dir = try SinkTest.tempDir()
        let args = ["file", "out/{event}-{from}-{to}.ndjson", "--rotate-blocks", "10", "--checkpoint", "ck.json"]
        var r = try SinkTest.run("cc-sink", args, stdin: SinkTest.stream(from: 1, to: 15), directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileSinkTests.tree(dir + "/out").keys.sorted() == ["Transfer-0-9.ndjson", "Transfer-10-15.ndjson"])
        r = try SinkTest.run("cc-sink", args, stdin: SinkTest.stream(from: 16, to: 25), directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let files = FileSinkTests.tree(dir + "/out")
        #expect(
            files.keys.sorted() == [
                "Transfer-0-9.ndjson", "Transfer-10-15.ndjson", "Transfer-16-19.ndjson", "Transfer-20-25.ndjson",
            ])
        #expect(files["Transfer-16-19.ndjson"]?.split(separator: "\n").count == 12)
    }
}

/// `cc-sink file PATH` without rotation replaces PATH like the shell's `>`:
/// a run whose input holds nothing to write must not leave the previous
/// run's lines behind (a cron job's empty day read as yesterday's data).
@Suite("cc-sink file: an empty run")
struct FileSinkEmptyRunTests {
    @Test(
        "a fixed path is truncated (a CSV with --columns gets its header) when no record comes",
        arguments: [
            (["file", "out.ndjson"], "out.ndjson", ""),
            (["file", "out.csv"], "out.csv", ""),
            (["file", "out.csv", "--columns", "blockNumber,args.value"], "out.csv", "blockNumber,args.value\n"),
            (["file", "out.csv", "--checkpoint", "ck.json"], "out.csv", ""),
        ])
    func emptyInputReplacesTheFile(args: [String], file: String, expected: String) throws {
        let dir = try SinkTest.tempDir()
        try SinkTest.write("stale line from yesterday\n", to: dir + "/" + file)
        let r = try SinkTest.run("cc-sink", args, stdin: "", directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(SinkTest.read(dir + "/" + file) == expected)
    }

    @Test("a resumed file keeps what the checkpoint committed when nothing new comes")
    func resumedFileKeepsItsCommittedLines() throws {
        let dir = try SinkTest.tempDir()
        let input = SinkTest.stream(from: 1, to: 4, perBlock: 2, markerEvery: 4)
        var r = try SinkTest.run(
            "cc-sink", ["file", "out.ndjson", "--checkpoint", "ck.json"], stdin: input, directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let first = SinkTest.read(dir + "/out.ndjson")
        #expect(first.split(separator: "\n").count == 8)
        r = try SinkTest.run(
            "cc-sink", ["file", "out.ndjson", "--checkpoint", "ck.json"], stdin: SinkTest.marker(block: 4) + "\n",
            directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(SinkTest.read(dir + "/out.ndjson") == first)
    }

    @Test("templated and standard-output paths create nothing when no record comes")
    func templatedPathsStayAbsent() throws {
        let dir = try SinkTest.tempDir()
        let r = try SinkTest.run("cc-sink", ["file", "out/{event}.ndjson"], stdin: "", directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
        let s = try SinkTest.run("cc-sink", ["file", "-"], stdin: "")
        #expect(s.status == 0 && s.stdout == "")
    }
}
