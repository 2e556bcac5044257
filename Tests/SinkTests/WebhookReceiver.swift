import CCKit
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Tests/Fixtures/webhook_receiver.py as a process the test owns.
final class WebhookReceiver {
    let url: String
    private let process: Process

    struct Request {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    init(responses: [String] = [], tls: (cert: String, key: String)? = nil, log: String? = nil) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments =
            [
                "python3", "-u", SinkTest.repositoryRoot + "/Tests/Fixtures/webhook_receiver.py", "--port", "0",
                "--responses", responses.joined(separator: ","), "--max-seconds", "300",
            ] + (tls.map { ["--tls", $0.cert, $0.key] } ?? []) + (log.map { ["--log", $0] } ?? [])
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        process = p
        var line: [UInt8] = []
        var byte: UInt8 = 0
        let fd = out.fileHandleForReading.fileDescriptor
        while line.last != 0x0A {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 20_000) > 0, read(fd, &byte, 1) == 1 else {
                p.terminate()
                throw SinkTestError("webhook receiver did not start")
            }
            line.append(byte)
        }
        url = String(decoding: line.dropLast(), as: UTF8.self).replacingOccurrences(of: "listening ", with: "")
    }

    deinit {
        // SIGKILL: a child of the test runner may inherit a signal mask that
        // blocks SIGTERM.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    func requests() throws -> [Request] {
        let r = try CurlTransport().post(url: url + "/__requests", body: [])
        let list = try JSONSerialization.jsonObject(with: Data(r.body)) as? [[String: Any]] ?? []
        return list.map {
            Request(
                status: $0["status"] as? Int ?? -1, headers: $0["headers"] as? [String: String] ?? [:],
                body: $0["body"] as? String ?? "")
        }
    }
}

struct SinkTestError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
