import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Stages of a pipeline as separate processes joined by FIFOs (`f0`, `f1`, …
/// in `dir`), each opened by the stage itself through bash: a test can SIGKILL
/// one stage and the others see what a real pipeline sees (EOF, EPIPE), and
/// every stage appends its stderr to `dir/stderr.log`. The crash and reorg
/// tests share it.
final class FIFOPipeline {
    let processes: [Process]

    /// `stages` are argv arrays, first to last; the first reads nothing, the
    /// last writes to /dev/null.
    init(stages: [[String]], dir: String) throws {
        func q(_ s: String) -> String { "'" + s + "'" }
        var ps: [Process] = []
        for (i, argv) in stages.enumerated() {
            if i < stages.count - 1 {
                let fifo = dir + "/f\(i)"
                unlink(fifo)
                guard mkfifo(fifo, 0o600) == 0 else { throw SinkTestError("mkfifo \(fifo) failed") }
            }
            var line = "exec " + argv.map(q).joined(separator: " ")
            if i > 0 { line += " < f\(i - 1)" }
            if i < stages.count - 1 { line += " > f\(i)" }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = ["-c", line + " 2>> stderr.log"]
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            p.standardInput = FileHandle.nullDevice
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            ps.append(p)
        }
        processes = ps
    }

    /// Waits up to `seconds` for every stage, SIGKILLs what is left (a stage
    /// blocked opening a FIFO whose peer died never ends otherwise), and
    /// returns the statuses (128 + signal for a killed stage).
    func finish(within seconds: Double) -> [Int32] {
        let deadline = Date().addingTimeInterval(seconds)
        while processes.contains(where: { $0.isRunning }) && Date() < deadline { usleep(10_000) }
        for p in processes where p.isRunning { kill(p.processIdentifier, SIGKILL) }
        return processes.map { p in
            p.waitUntilExit()
            return p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
        }
    }
}
