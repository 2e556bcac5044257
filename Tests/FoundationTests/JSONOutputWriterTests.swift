import CCKit
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

func drain(_ fd: Int32) -> [UInt8] {
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buf.withUnsafeMutableBufferPointer { read(fd, $0.baseAddress!, $0.count) }
        if n <= 0 { break }
        out += buf[0..<n]
    }
    return out
}

@Suite struct JSONOutputWriterTests {
    @Test func buffersAndFlushesInOrder() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let out = OutputWriter(fd: fds[1], capacity: 8)
        var w = JSONWriter()
        w.raw("{")
        w.key("a")
        w.string("b")
        w.raw("}")
        try out.writeLine(&w)
        #expect(w.bytes.isEmpty)
        try out.write(Array("0123456789abcdef".utf8))  // larger than the buffer: written directly
        try out.write("xy" as StaticString)
        try out.write("z" as String)
        try out.flush()
        close(fds[1])
        #expect(String(decoding: drain(fds[0]), as: UTF8.self) == "{\"a\":\"b\"}\n0123456789abcdefxyz")
        close(fds[0])
    }

    @Test func closedPipeThrowsOutputClosed() throws {
        signal(SIGPIPE, SIG_IGN)
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        close(fds[0])
        defer { close(fds[1]) }
        let out = OutputWriter(fd: fds[1], capacity: 16)
        try out.write(Array("hello\n".utf8))  // buffered: no error yet
        #expect(throws: OutputClosed.self) { try out.flush() }
        // Sticky: later writes fail the same way, nothing is retried.
        #expect(throws: OutputClosed.self) { try out.write(Array("x".utf8)) }
    }

    @Test func fullDiskIsIOErrorNamingTheOutput() throws {
        let fd = open("/dev/full", O_WRONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        let out = OutputWriter(fd: fd, capacity: 16, name: "standard output")
        try out.write(Array("data".utf8))
        #expect {
            try out.flush()
        } throws: { error in
            let e = error as? ChainCastError
            return e?.status == .ioError && e?.message == "writing standard output: No space left on device"
        }
    }

    @Test func defaultNamesAndFileOutput() throws {
        #expect(OutputWriter().name == "standard output")
        let path = "/tmp/cc-json-outputwriter-\(getpid()).ndjson"
        defer { unlink(path) }
        do {
            let out = try OutputWriter(path: path)
            try out.write(Array("one\n".utf8))
            try out.flush()
        }
        do {
            let out = try OutputWriter(path: path, append: true)
            try out.write(Array("two\n".utf8))
            try out.flush()
        }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        #expect(String(decoding: drain(fd), as: UTF8.self) == "one\ntwo\n")
        #expect {
            _ = try OutputWriter(path: "/nonexistent/dir/x")
        } throws: { error in
            let e = error as? ChainCastError
            return e?.status == .ioError && e?.message == "/nonexistent/dir/x: No such file or directory"
        }
    }
}

@Suite struct JSONOutputWriterPipeTests {
    @Test func largeWritesThroughASlowNonBlockingPipeArriveWhole() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        let readFD = fds[0]
        var received: [UInt8] = []
        let reader = Thread {
            usleep(50_000)  // let the pipe fill up: the writer sees EAGAIN and partial writes
            received = drain(readFD)
        }
        var expected: [UInt8] = []
        do {
            let out = OutputWriter(fd: fds[1], capacity: 1000)
            for i in 0..<20_000 {
                var w = JSONWriter()
                w.raw("{")
                w.key("i")
                w.int(i)
                w.raw("}")
                expected += w.bytes + [0x0A]
                try out.writeLine(&w)
            }
            try out.write([UInt8](repeating: 0x78, count: 300_000))  // one write bigger than the pipe
            expected += [UInt8](repeating: 0x78, count: 300_000)
            try out.flush()
        }
        close(fds[1])
        reader.join()
        close(readFD)
        #expect(received.count == expected.count)
        #expect(received == expected)
    }

    @Test func closedPipeDuringADirectLargeWrite() throws {
        signal(SIGPIPE, SIG_IGN)
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        close(fds[0])
        defer { close(fds[1]) }
        let out = OutputWriter(fd: fds[1], capacity: 8)
        #expect(throws: OutputClosed.self) { try out.write([UInt8](repeating: 0x61, count: 100)) }
    }
}
