#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Compiling a program recurses once per nesting level in the parser and
/// in each compiler pass. `FilterParser.maxDepth` bounds the levels, but an
/// unoptimized build spends ~36 KB of stack per parenthesis level, more
/// than the 8 MB main thread holds at the limit; so the command compiles
/// on a thread whose stack is sized for the limit (address space only:
/// pages the compiler does not touch are never committed).
public enum FilterLargeStack {
    static let bytes = 256 << 20

    private final class Job {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Runs `body` on a fresh thread with a large stack and waits for it;
    /// runs it in place when no such thread can be started.
    public static func run<T>(_ body: () throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { escaping in
            var result: Result<T, any Error>? = nil
            let job = Job { result = Result { try escaping() } }
            var attr = pthread_attr_t()
            pthread_attr_init(&attr)
            defer { pthread_attr_destroy(&attr) }
            pthread_attr_setstacksize(&attr, bytes)
            let context = Unmanaged.passRetained(job).toOpaque()
            var thread = pthread_t()
            let rc = pthread_create(
                &thread, &attr,
                { context in
                    Unmanaged<Job>.fromOpaque(context!).takeRetainedValue().body()
                    return nil
                }, context)
            if rc != 0 {
                Unmanaged<Job>.fromOpaque(context).release()
                return try escaping()
            }
            pthread_join(thread, nil)
            return try result!.get()
        }
    }
}
