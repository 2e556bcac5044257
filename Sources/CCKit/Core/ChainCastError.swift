/// The one error type that crosses a command's boundary: a one-line message a
/// person can act on, and the exit status the stream contract assigns to it.
public struct ChainCastError: Error, CustomStringConvertible, Sendable {
    public var status: ExitStatus
    public var message: String

    public init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }

    public static func usage(_ m: String) -> Self { .init(.usage, m) }
    public static func data(_ m: String) -> Self { .init(.dataError, m) }
    public static func noInput(_ m: String) -> Self { .init(.noInput, m) }
    public static func unavailable(_ m: String) -> Self { .init(.unavailable, m) }
    public static func internalError(_ m: String) -> Self { .init(.software, m) }
    public static func io(_ m: String) -> Self { .init(.ioError, m) }
    public static func tempFail(_ m: String) -> Self { .init(.tempFail, m) }
    public static func config(_ m: String) -> Self { .init(.config, m) }

    /// A stop request (SIGINT/SIGTERM) met inside code whose errors are typed
    /// `ChainCastError`: exits 130/143 with no message, like `StopRequested`.
    package static func stopped(_ s: StopRequested) -> Self { .init(SignalState.exitStatus(for: s.signal), "") }

    /// The reader of our standard output went away (EPIPE, `| head`), met where errors
    /// are typed `ChainCastError`: a quiet 0, like `OutputClosed`.
    package static var outputClosed: Self { .init(.ok, "") }

    /// True for `stopped(_:)` and `outputClosed`: nothing failed, nothing to report.
    package var isQuiet: Bool { message.isEmpty }
}
