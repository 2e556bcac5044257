import CCKit
import Testing

#if os(Linux)
    import Glibc

    /// read() and write() interrupted by a signal (a handler installed without
    /// SA_RESTART makes them fail with EINTR) are retried, losing nothing.
    @Suite(.serialized) struct JSONInterruptTests {
        static func installNoRestartHandler() {
            var sa = sigaction()
            sa.__sigaction_handler.sa_handler = { _ in }
            sa.sa_flags = 0  // no SA_RESTART: blocking calls return EINTR
            sigemptyset(&sa.sa_mask)
            sigaction(SIGUSR1, &sa, nil)
        }

        /// Sends SIGUSR1 to `target` a few times, 10 ms apart, then runs `after`.
        static func interrupt(_ target: pthread_t, times: Int, then after: @escaping () -> Void) -> Thread {
            Thread {
                for _ in 0..<times {
                    usleep(10_000)
                    pthread_kill(target, SIGUSR1)
                }
                after()
            }
        }

        @Test func blockedWriteInterruptedBySignalsIsRetried() throws {
            Self.installNoRestartHandler()
            var fds: [Int32] = [0, 0]
            #expect(pipe(&fds) == 0)
            let readFD = fds[0]
            var received: [UInt8] = []
            // The pipe fills up, write() blocks, signals interrupt it, then a reader drains.
            let helper = Self.interrupt(pthread_self(), times: 5) { received = drain(readFD) }
            let payload = (0..<400_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
            do {
                let out = OutputWriter(fd: fds[1], capacity: 1 << 16)
                try out.write(payload)
                try out.flush()
            }
            close(fds[1])
            helper.join()
            close(readFD)
            #expect(received == payload)
        }

        @Test func blockedReadInterruptedBySignalsIsRetried() throws {
            Self.installNoRestartHandler()
            var fds: [Int32] = [0, 0]
            #expect(pipe(&fds) == 0)
            let writeFD = fds[1]
            // read() blocks on the empty pipe, signals interrupt it, then the lines arrive.
            let helper = Self.interrupt(pthread_self(), times: 5) {
                _ = Array("{\"a\":1}\n{\"b\":2}\n".utf8).withUnsafeBufferPointer {
                    write(writeFD, $0.baseAddress!, $0.count)
                }
                close(writeFD)
            }
            defer {
                helper.join()
                close(fds[0])
            }
            var reader = LineReader(fd: fds[0], bufferSize: 64)
            var lines: [String] = []
            try reader.forEachLine { line, n in lines.append("\(n):" + String(decoding: line, as: UTF8.self)) }
            #expect(lines == ["1:{\"a\":1}", "2:{\"b\":2}"])
        }
    }
#endif
