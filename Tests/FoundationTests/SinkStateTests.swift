import CCKit
import CCTestSupport
import Testing

/// The checkpoint's typed `sink` state: every kind written in its fixed key
/// order and read back equal; what a sink does not know is tolerated.
@Suite struct SinkStateTests {
    static func text(_ s: SinkState) -> String {
        var w = JSONWriter()
        s.write(to: &w)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    static let fullFile = SinkState.file(
        FileSinkState(
            path: "out/{event}-{from}-{to}.csv", format: "csv", sealed: true,
            files: [
                .init(key: "out/A-{from}-{to}.csv", path: "out/.A-0-open.csv.part", length: 0, from: 0, lastBlock: 9),
                .init(
                    key: "out/Transfer-{from}-{to}.csv", path: "out/.Transfer-10-open.csv.part", length: 2206,
                    from: 10, lastBlock: 12, window: 1, finalPath: "out/Transfer-10-12.csv",
                    columns: ["chainId", "args.\"q\"", "é"]),
            ]))

    @Test(arguments: [
        (SinkState.none, #"{}"#),
        (SinkState.sqlite(table: "events"), #"{"type":"sqlite","table":"events"}"#),
        (
            SinkState.postgres(schema: "public", table: "events", stream: ""),
            #"{"type":"postgres","schema":"public","table":"events"}"#
        ),
        (
            SinkState.postgres(schema: "s", table: "t", stream: "night"),
            #"{"type":"postgres","schema":"s","table":"t","stream":"night"}"#
        ),
        (SinkState.webhook(url: "https://example.com/…"), #"{"type":"webhook","url":"https://example.com/…"}"#),
        (SinkState.other(type: "test"), #"{"type":"test"}"#),
        (
            fullFile,
            #"{"type":"file","path":"out/{event}-{from}-{to}.csv","format":"csv","sealed":true,"files":[{"key":"out/A-{from}-{to}.csv","path":"out/.A-0-open.csv.part","length":0,"from":0,"lastBlock":9},{"key":"out/Transfer-{from}-{to}.csv","path":"out/.Transfer-10-open.csv.part","length":2206,"from":10,"lastBlock":12,"window":1,"final":"out/Transfer-10-12.csv","columns":["chainId","args.\"q\"","é"]}]}"#
        ),
        (
            SinkState.file(FileSinkState(path: "a.ndjson", format: "ndjson")),
            #"{"type":"file","path":"a.ndjson","format":"ndjson","files":[]}"#
        ),
    ])
    func writtenInTheOldKeyOrderAndReadBack(state: SinkState, json: String) {
        #expect(Self.text(state) == json)
        #expect(SinkState(json: json) == state)
    }

    @Test func theCheckpointFileCarriesItThrough() throws {
        let c = Checkpoint(
            chainId: 1, blockNumber: 12, blockHash: "0x0c", filter: "3f9a", updatedAt: "2026-12-01T00:00:00Z",
            sink: Self.fullFile)
        let dir = try TestDirectory.make("sink-state")
        let file = CheckpointFile(path: dir + "/ck.json")
        try file.write(c)
        #expect(try file.read() == c)
        #expect(String(decoding: c.fileBytes, as: UTF8.self).hasSuffix(#""sink":"# + Self.text(Self.fullFile) + "}\n"))
    }

    @Test func unknownKeysAreIgnoredInEveryKind() {
        #expect(
            SinkState(json: #"{"x":[1,{"y":2}],"type":"sqlite","table":"events","later":true}"#)
                == .sqlite(table: "events"))
        #expect(
            SinkState(json: #"{"type":"postgres","schema":"public","table":"events","extra":{}}"#)
                == .postgres(schema: "public", table: "events", stream: ""))
        #expect(SinkState(json: #"{"type":"webhook","url":"u","retries":3}"#) == .webhook(url: "u"))
        #expect(
            SinkState(
                json:
                    #"{"type":"file","v":2,"path":"p","format":"ndjson","files":[{"key":"k","path":"q","length":5,"from":1,"lastBlock":2,"crc":"ab"}]}"#
            )
                == .file(
                    FileSinkState(
                        path: "p", format: "ndjson",
                        files: [.init(key: "k", path: "q", length: 5, from: 1, lastBlock: 2)])))
    }

    @Test(arguments: [
        (#"{}"#, SinkState.none),
        (#"{"table":"events"}"#, SinkState.none),
        (#"{"type":7}"#, SinkState.none),
        (#"{"type":"kafka","topic":"t"}"#, SinkState.other(type: "kafka")),
        (#"{"type":"file","format":"csv","files":[]}"#, SinkState.invalid(type: "file", problem: "no \"path\"")),
        (#"{"type":"file","path":"p","files":[]}"#, SinkState.invalid(type: "file", problem: "no \"format\"")),
        (#"{"type":"file","path":"p","format":"csv"}"#, SinkState.invalid(type: "file", problem: "no \"files\" list")),
        (
            #"{"type":"file","path":"p","format":"csv","files":[{"key":"k","path":"q","from":1,"lastBlock":2}]}"#,
            SinkState.invalid(type: "file", problem: "a malformed file entry")
        ),
    ])
    func whatDoesNotFitIsKeptForTheSinkToReport(json: String, state: SinkState) {
        #expect(SinkState(json: json) == state)
    }
}
