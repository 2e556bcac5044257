import CCKit
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `LineReader.nextLines`, the timed mode cc-sink reads with: the same framing
/// as `forEachLine`, one bounded wait per call.
@Suite struct JSONLineReaderTimedTests {
    /// A pipe whose read end feeds a reader; `send` writes to the other end.
    final class Pipe {
        let readFD: Int32
        var writeFD: Int32
        init() {
            var fds: [Int32] = [0, 0]
            #expect(pipe(&fds) == 0)
            readFD = fds[0]
            writeFD = fds[1]
        }
        func send(_ text: String) { send(Array(text.utf8)) }
        func send(_ bytes: [UInt8]) {
            _ = bytes.withUnsafeBufferPointer { write(writeFD, $0.baseAddress!, $0.count) }
        }
        func closeWriter() {
            close(writeFD)
            writeFD = -1
        }
        deinit {
            close(readFD)
            if writeFD >= 0 { close(writeFD) }
        }
    }

    /// One call's outcome and the lines it delivered as "n:text".
    static func next(_ r: LineReader, timeout: Int32) throws(ChainCastError) -> (LineReader.Outcome, [String]) {
        var lines: [String] = []
        let outcome = try r.nextLines(timeoutMilliseconds: timeout) { line, n in
            lines.append("\(n):" + String(decoding: line, as: UTF8.self))
        }
        return (outcome, lines)
    }

    @Test func dataArrivingAfterATimeoutIsRead() throws {
        let p = Pipe()
        let r = LineReader(fd: p.readFD, bufferSize: 64)
        let (first, none) = try Self.next(r, timeout: 20)
        #expect(first == .timeout)
        #expect(none == [])
        p.send("{\"a\":1}\n")
        let (second, lines) = try Self.next(r, timeout: 1000)
        #expect(second == .data)
        #expect(lines == ["1:{\"a\":1}"])
        p.closeWriter()
        let (third, rest) = try Self.next(r, timeout: 1000)
        #expect(third == .eof)
        #expect(rest == [])
        // After the end it stays at the end without waiting.
        #expect(try Self.next(r, timeout: -1) == (.eof, []))
    }

    @Test func partialLineWaitsForItsNewlineOrTheEnd() throws {
        let p = Pipe()
        let r = LineReader(fd: p.readFD, bufferSize: 64)
        p.send("{\"x\":1}\n{\"y\"")
        #expect(try Self.next(r, timeout: 1000) == (.data, ["1:{\"x\":1}"]))
        #expect(try Self.next(r, timeout: 20) == (.timeout, []))
        p.send(":2}")
        #expect(try Self.next(r, timeout: 1000) == (.data, []))
        p.closeWriter()
        #expect(try Self.next(r, timeout: 1000) == (.eof, ["2:{\"y\":2}"]))
        #expect(r.lineNumber == 2)
    }

    @Test func crlfAndBlankLinesAreCounted() throws {
        let p = Pipe()
        let r = LineReader(fd: p.readFD, bufferSize: 64)
        p.send("a\r\n\r\n \t\n\nb\r\n\t\r")
        p.closeWriter()
        #expect(try Self.next(r, timeout: 1000) == (.data, ["1:a", "5:b"]))
        #expect(try Self.next(r, timeout: 1000) == (.eof, []))
        #expect(r.lineNumber == 6)
    }

    @Test func overlongLineIsRefusedWithItsLineNumber() throws {
        let p = Pipe()
        let r = LineReader(fd: p.readFD, bufferSize: 16, name: "in.ndjson")
        r.maxLineLength = 4096
        p.send(Array("ok\n\n".utf8) + [UInt8](repeating: 0x61, count: 5000))
        p.closeWriter()
        var seen: [String] = []
        var failure: ChainCastError?
        for _ in 0..<100 {
            do {
                let (outcome, lines) = try Self.next(r, timeout: 1000)
                seen += lines
                if outcome == .eof { break }
            } catch {
                failure = error
                break
            }
        }
        #expect(seen == ["1:ok"])
        #expect(failure?.status == .dataError)
        #expect(failure?.message == "in.ndjson: line 3 is longer than 4 KiB (no newline found)")
    }

    @Test func exchangedBufferKeepsItsLinesAndTheReaderGoesOn() throws {
        let p = Pipe()
        let r = LineReader(fd: p.readFD, bufferSize: 64)
        p.send("first\nsec")
        var views: [UnsafeBufferPointer<UInt8>] = []
        #expect(try r.nextLines(timeoutMilliseconds: 1000) { line, _ in views.append(line) } == .data)
        let (taken, takenCapacity) = r.exchangeBuffer(.allocate(capacity: 8), capacity: 8)
        defer { taken.deallocate() }
        #expect(takenCapacity == 64)
        p.send("ond\nthird")
        p.closeWriter()
        var lines: [String] = []
        while true {
            let (outcome, got) = try Self.next(r, timeout: 1000)
            lines += got
            if outcome == .eof { break }
        }
        // The line handed out before the exchange still reads as it did.
        #expect(views.map { String(decoding: $0, as: UTF8.self) } == ["first"])
        #expect(lines == ["2:second", "3:third"])
    }

    @Test func writeOnlyDescriptorIsAnIOErrorNotAnEndlessWait() {
        let p = Pipe()
        let r = LineReader(fd: p.writeFD, bufferSize: 16, name: "input.ndjson")
        #expect {
            _ = try r.nextLines(timeoutMilliseconds: -1) { _, _ in }
        } throws: { error in
            let e = error as? ChainCastError
            return e?.status == .ioError && e?.message == "reading input.ndjson: Bad file descriptor"
        }
    }
}
