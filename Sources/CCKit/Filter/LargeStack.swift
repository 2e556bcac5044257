#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Compiling a program recurses once per nesting level in the parser and
/// in each compiler pass. `FilterParser.maxDepth` bounds the levels, but an
/// unoptimized build spends ~36 KB of stack per parenthesis level, more
/// than an 8 MB main thread (or a 512 KB worker thread) holds at the
/// limit; so compiling happens on a thread whose stack is sized for the
/// limit (address space only: pages never touched are never committed).
package enum FilterLargeStack {
    static let bytes = 256 << 20

    /// Set on the threads this type starts, so nested calls run in place.
    private static let marker: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    private final class Job {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Runs `body` on a thread with a large stack (this one when it is
    /// already such a thread) and waits for it; in place when no thread can
    /// be started.
    package static func run<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        if pthread_getspecific(marker) != nil { return try body() }
        var result: Result<T, E>? = nil
        withoutActuallyEscaping(body) { escaping in
            let job = Job {
                pthread_setspecific(marker, UnsafeRawPointer(bitPattern: 1))
                do throws(E) { result = .success(try escaping()) } catch { result = .failure(error) }
            }
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
                do throws(E) { result = .success(try escaping()) } catch { result = .failure(error) }
                return
            }
            pthread_join(thread, nil)
        }
        return try result!.get()
    }
}
