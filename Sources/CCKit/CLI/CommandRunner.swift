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
package protocol ChainCastCommand: ParsableCommand {
    /// The name that prefixes every message, e.g. `cc-decode`.
    static var toolName: String { get }
}

extension ChainCastCommand {
    /// Entry point for `main.swift`: parses, runs, and maps every error to its
    /// exit status with a one-line message on stderr.
    package static func runAsChainCast(_ arguments: [String]? = nil) -> Never {
        // EPIPE must arrive as an error from write(2), not as a fatal signal,
        // so `| head` ends the command quietly with 0.
        signal(SIGPIPE, SIG_IGN)
        CommandRunner.holdClosedStandardDescriptors()
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

package enum CommandRunner {
    /// A command started with 0, 1 or 2 closed (`>&-`) would hand that number
    /// to the next file or socket it opens, and then write records into an
    /// HTTP connection or a checkpoint file (cc-fetch hung that way, deaf to
    /// SIGTERM). Each closed one is held by /dev/null opened the wrong way
    /// round, so using it still fails with EBADF exactly as the closed
    /// descriptor did (a write to stdout: 74), but nothing else can get it.
    package static func holdClosedStandardDescriptors() {
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let held = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY)
            if held >= 0 && held != fd {
                dup2(held, fd)
                close(held)
            }
        }
    }

    /// Prints `tool: message` for an error and exits with its status.
    package static func exit(tool: String, error: Error) -> Never {
        terminate(status(for: error, tool: tool, report: true))
    }

    package static func terminate(_ status: ExitStatus) -> Never {
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
    package static func status(for error: Error, tool: String, report: Bool) -> ExitStatus {
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
