#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts and joins one pthread running a closure.
package struct WorkerThread: Sendable {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    private var thread: pthread_t?

    /// `what` names the thread in the error when it cannot start.
    package init(_ what: String, _ body: @escaping () -> Void) throws(ChainCastError) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var t = pthread_t()
        let rc = pthread_create(
            &t, nil,
            { context in
                Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, context)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw .internalError("cannot start the \(what) thread: \(String(cString: strerror(rc)))")
        }
        thread = t
    }

    /// Waits for the thread to return. Idempotent.
    package mutating func join() {
        if let t = thread {
            pthread_join(t, nil)
            thread = nil
        }
    }
}
