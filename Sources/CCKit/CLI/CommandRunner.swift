import ArgumentParser
import CCCore
import CCJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A Chain Cast command: an argument-parser command whose errors become the
/// exit statuses of the stream contract instead of argument-parser's generic 1.
public protocol ChainCastCommand: ParsableCommand {
    /// The name that prefixes every message, e.g. `cc-decode`.
    static var toolName: String { get }
}

extension ChainCastCommand {
    /// Entry point for `main.swift`: parses, runs, and maps every error to its
    /// exit status with a one-line message on stderr.
    public static func runAsChainCast(_ arguments: [String]? = nil) -> Never {
        // EPIPE must arrive as an error from write(2), not as a fatal signal,
        // so `| head` ends the command quietly with 0.
        signal(SIGPIPE, SIG_IGN)
        var command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            // Usage errors, --help and --version: argument-parser prints them
            // and picks 64 (EX_USAGE) or 0 itself.
            exit(withError: error)
        }
        do {
            try command.run()
            CommandRunner.terminate(.ok)
        } catch {
            // `help` runs argument-parser's own command, whose run() reports
            // through argument-parser's error types (as do ValidationError and
            // CleanExit): those keep its own handling. Ours never reach it.
            if !CommandRunner.isOurs(error) && exitCode(for: error) != .failure {
                exit(withError: error)
            }
            CommandRunner.exit(tool: toolName, error: error)
        }
    }
}

public enum CommandRunner {
    /// Prints `tool: message` for an error and exits with its status.
    public static func exit(tool: String, error: Error) -> Never {
        terminate(status(for: error, tool: tool, report: true))
    }

    public static func terminate(_ status: ExitStatus) -> Never {
        #if canImport(Glibc)
            Glibc.exit(status.rawValue)
        #else
            Darwin.exit(status.rawValue)
        #endif
    }

    /// The errors Chain Cast's own code throws (everything else is argument-parser's or a bug).
    static func isOurs(_ error: Error) -> Bool {
        error is ChainCastError || error is OutputClosed || error is StopRequested
    }

    /// Maps an error to its exit status; `report` prints the one-line message.
    @discardableResult
    public static func status(for error: Error, tool: String, report: Bool) -> ExitStatus {
        switch error {
        case let e as ChainCastError:
            if report && !e.isQuiet { Diagnostics.error(tool, e.message) }
            return e.status
        case is OutputClosed:
            return .ok
        case let s as StopRequested:
            return SignalState.exitStatus(for: s.signal)
        case let e as ExitCode:
            return ExitStatus(rawValue: e.rawValue) ?? .software
        default:
            if report { Diagnostics.error(tool, "internal error: \(error)") }
            return .software
        }
    }
}
