import CCKit
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes `chunks` into a pipe from another thread (so the pipe buffer never
/// blocks the test) and returns every line the reader produced as "n:text".
func readLines(_ chunks: [[UInt8]], bufferSize: Int) throws -> [String] {
    var fds: [Int32] = [0, 0]
    #expect(pipe(&fds) == 0)
    let writeFD = fds[1]
    let writer = Thread {
        for c in chunks {
            c.withUnsafeBufferPointer { b in
                var off = 0
                while off < b.count {
                    let n = write(writeFD, b.baseAddress! + off, b.count - off)
                    if n <= 0 { break }
                    off += n
                }
            }
        }
        close(writeFD)
    }
    defer {
        writer.join()
        close(fds[0])
    }
    var reader = LineReader(fd: fds[0], bufferSize: bufferSize)
    var out: [String] = []
    try reader.forEachLine { line, n in out.append("\(n):" + String(decoding: line, as: UTF8.self)) }
    return out
}

/// Minimal joinable thread for feeding pipes, without Foundation.
final class Thread: @unchecked Sendable {  // body runs once on the new thread; join() waits for it
    private var tid = pthread_t()
    private let body: () -> Void

    init(_ body: @escaping () -> Void) {
        self.body = body
        let box = Unmanaged.passRetained(self).toOpaque()
        pthread_create(
            &tid, nil,
            { p in
                let t = Unmanaged<Thread>.fromOpaque(p!).takeRetainedValue()
                t.body()
                return nil
            }, box)
    }

    func join() { pthread_join(tid, nil) }
}

@Suite struct JSONLineReaderTests {
    @Test(arguments: [1, 2, 3, 7, 64, 1 << 20])
    func linesCRLFBlankAndFinalLine(bufferSize: Int) throws {
        let input = "{\"a\":1}\r\n\n  \n{\"b\":2}\n\r\n\t\n[3]"
        let lines = try readLines([Array(input.utf8)], bufferSize: bufferSize)
        #expect(lines == ["1:{\"a\":1}", "4:{\"b\":2}", "7:[3]"])
    }

    @Test(arguments: [1, 5, 16])
    func linesSpanningManySmallWrites(bufferSize: Int) throws {
        let long = String(repeating: "x", count: 1000)
        let text = "first\n\(long)\nlast\r"
        let chunks = Array(text.utf8).chunked(3)
        let lines = try readLines(chunks, bufferSize: bufferSize)
        #expect(lines == ["1:first", "2:\(long)", "3:last"])
    }

    @Test func emptyInputAndOnlyBlankLines() throws {
        #expect(try readLines([], bufferSize: 4) == [])
        #expect(try readLines([Array("\n\r\n \n".utf8)], bufferSize: 4) == [])
    }

    @Test func lineNumbersKeepCountingAfterAThrowingBody() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let text = Array("a\nb\n\nc\n".utf8)
        _ = text.withUnsafeBufferPointer { write(fds[1], $0.baseAddress!, $0.count) }
        close(fds[1])
        defer { close(fds[0]) }
        struct Stop: Error {}
        var reader = LineReader(fd: fds[0], bufferSize: 2)
        var seen: [String] = []
        #expect(throws: Stop.self) {
            try reader.forEachLine { line, n in
                seen.append("\(n):" + String(decoding: line, as: UTF8.self))
                if n == 2 { throw Stop() }
            }
        }
        try reader.forEachLine { line, n in seen.append("\(n):" + String(decoding: line, as: UTF8.self)) }
        #expect(seen == ["1:a", "2:b", "4:c"])
        #expect(reader.lineNumber == 4)
    }

    @Test func missingFileIsNoInput() {
        #expect {
            _ = try LineReader(path: "/nonexistent/cc-test.ndjson")
        } throws: { error in
            let e = error as? ChainCastError
            return e?.status == .noInput && e?.message == "/nonexistent/cc-test.ndjson: No such file or directory"
        }
    }

    @Test func directoryIsNoInput() {
        #expect {
            _ = try LineReader(path: "/tmp")
        } throws: { error in
            let e = error as? ChainCastError
            return e?.status == .noInput && e?.message == "/tmp: Is a directory"
        }
    }

    @Test func readsAFile() throws {
        let path = "/tmp/cc-json-linereader-\(getpid()).ndjson"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let text = Array("{\"n\":1}\n{\"n\":2}".utf8)
        _ = text.withUnsafeBufferPointer { write(fd, $0.baseAddress!, $0.count) }
        close(fd)
        defer { unlink(path) }
        var reader = try LineReader(path: path)
        var sum: UInt64 = 0
        try reader.forEachLine { line, _ in
            sum += try JSONLine(line).root["n"]!.quantity!
        }
        #expect(sum == 3)
        #expect(reader.name == path)
    }

    @Test func readErrorIsIOError() {
        // Reading a write-only descriptor fails with EBADF.
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        var reader = LineReader(fd: fds[1], bufferSize: 16, name: "input.ndjson")
        #expect {
            try reader.forEachLine { _, _ in }
        } throws: { error in
            let e = error as? ChainCastError
            return e?.status == .ioError && e?.message == "reading input.ndjson: Bad file descriptor"
        }
    }
}

extension Array {
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}

@Suite struct JSONLineReaderGrowthTests {
    @Test func lineLongerThanTheDefaultBufferIsNotSplit() throws {
        let long = String(repeating: "a", count: 3 << 20)
        let text = "{\"x\":1}\n\"\(long)\"\n{\"y\":2}"
        let lines = try readLines(Array(text.utf8).chunked(1 << 16), bufferSize: 1 << 20)
        #expect(lines.count == 3)
        #expect(lines[0] == "1:{\"x\":1}")
        #expect(lines[1] == "2:\"\(long)\"")
        #expect(lines[2] == "3:{\"y\":2}")
    }

    @Test func nonBlockingInputIsWaitedOn() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        let writeFD = fds[1]
        let writer = Thread {
            for chunk in ["{\"a\"", ":1}\n", "[2]\n"] {
                usleep(20_000)  // the reader finds the pipe empty (EAGAIN) in between
                _ = Array(chunk.utf8).withUnsafeBufferPointer { write(writeFD, $0.baseAddress!, $0.count) }
            }
            close(writeFD)
        }
        defer {
            writer.join()
            close(fds[0])
        }
        var reader = LineReader(fd: fds[0], bufferSize: 4)
        var out: [String] = []
        try reader.forEachLine { line, n in out.append("\(n):" + String(decoding: line, as: UTF8.self)) }
        #expect(out == ["1:{\"a\":1}", "2:[2]"])
    }

    @Test func overlongLineIsADataErrorNotUnboundedMemory() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let text = Array("ok\n".utf8) + [UInt8](repeating: 0x61, count: 5000)
        _ = text.withUnsafeBufferPointer { write(fds[1], $0.baseAddress!, $0.count) }
        close(fds[1])
        defer { close(fds[0]) }
        var reader = LineReader(fd: fds[0], bufferSize: 16, name: "in.ndjson")
        reader.maxLineLength = 4096
        var seen: [String] = []
        #expect {
            try reader.forEachLine { line, _ in seen.append(String(decoding: line, as: UTF8.self)) }
        } throws: { error in
            let e = error as? ChainCastError
            return e?.status == .dataError
                && e?.message == "in.ndjson: line 2 is longer than 4 KiB (no newline found)"
        }
        #expect(seen == ["ok"])
    }

    @Test func standardInputPathIsDash() throws {
        let reader = try LineReader(path: "-")
        #expect(reader.name == "standard input")
    }
}
