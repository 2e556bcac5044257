import Foundation

/// What a finished command left behind.
public struct BinaryRun: Sendable {
    /// The exit status, or 128 + the signal that killed it.
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    /// stdout split into lines (without the final newline's empty piece).
    public var lines: [String] {
        stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }
}

extension BuiltBinaries {
    /// Runs `tool` (a built command's name, or an absolute path) with `stdin`
    /// as its standard input and returns its status and output. Input and
    /// output go through files, so no pipe can fill up and block either side.
    /// The webhook secrets of the caller's environment are not passed on.
    public static func run(
        _ tool: String, _ arguments: [String], stdin: String = "", environment: [String: String] = [:],
        directory: String? = nil
    ) throws -> BinaryRun {
        let dir = NSTemporaryDirectory() + "cc-run-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let inPath = dir + "/stdin", outPath = dir + "/stdout", errPath = dir + "/stderr"
        try Data(stdin.utf8).write(to: URL(fileURLWithPath: inPath))
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool.hasPrefix("/") ? tool : path(tool))
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["CC_WEBHOOK_SECRET"] = nil
        env["CC_SIGNING_KEY"] = nil
        for (k, v) in environment { env[k] = v }
        p.environment = env
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        p.standardInput = FileHandle(forReadingAtPath: inPath)
        p.standardOutput = FileHandle(forWritingAtPath: outPath)
        p.standardError = FileHandle(forWritingAtPath: errPath)
        try p.run()
        p.waitUntilExit()
        let status = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
        return BinaryRun(
            status: status, stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// Runs a bash command line (pipelines, ulimit) with the built commands
    /// first on PATH and `set -o pipefail`.
    public static func shell(_ script: String, stdin: String = "", environment: [String: String] = [:]) throws
        -> BinaryRun
    {
        var env = environment
        env["PATH"] = directory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        return try run("/bin/bash", ["-c", "set -o pipefail; " + script], stdin: stdin, environment: env)
    }
}
