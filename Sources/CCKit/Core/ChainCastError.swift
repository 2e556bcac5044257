/// The one error type that crosses a command's boundary: a one-line message a
/// person can act on, and the exit status the stream contract assigns to it.
package struct ChainCastError: Error, CustomStringConvertible, Sendable {
    package var status: ExitStatus
    package var message: String

    package init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    package var description: String { message }

    package static func usage(_ m: String) -> Self { .init(.usage, m) }
    package static func data(_ m: String) -> Self { .init(.dataError, m) }
    package static func noInput(_ m: String) -> Self { .init(.noInput, m) }
    package static func unavailable(_ m: String) -> Self { .init(.unavailable, m) }
    package static func internalError(_ m: String) -> Self { .init(.software, m) }
    package static func io(_ m: String) -> Self { .init(.ioError, m) }
    package static func tempFail(_ m: String) -> Self { .init(.tempFail, m) }
    package static func config(_ m: String) -> Self { .init(.config, m) }

    /// A stop request (SIGINT/SIGTERM) met inside code whose errors are typed
    /// `ChainCastError`: exits 130/143 with no message, like `StopRequested`.
    package static func stopped(_ s: StopRequested) -> Self { .init(SignalState.exitStatus(for: s.signal), "") }

    /// The reader of our standard output went away (EPIPE, `| head`), met where errors
    /// are typed `ChainCastError`: a quiet 0, like `OutputClosed`.
    package static var outputClosed: Self { .init(.ok, "") }

    /// True for `stopped(_:)` and `outputClosed`: nothing failed, nothing to report.
    package var isQuiet: Bool { message.isEmpty }
}
