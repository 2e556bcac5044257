import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// SIGINT/SIGTERM handling shared by the commands. The first signal only sets a
/// flag: the command stops reading or asking, flushes what is complete up to
/// its last checkpoint marker and exits 130/143. A second signal exits at once,
/// for a person whose clean stop is taking too long.
package enum SignalState {
    private static let received = Atomic<Int32>(0)

    /// Installs the handlers. Call once, early in `run()`.
    package static func install() {
        let handler: @convention(c) (Int32) -> Void = { sig in
            let (exchanged, _) = SignalState.received.compareExchange(
                expected: 0, desired: sig, ordering: .relaxed)
            if !exchanged { _exit(128 + sig) }
        }
        // No SA_RESTART: a read(2) blocked on an idle pipe must return EINTR
        // so the reader notices the request to stop.
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
        // A parent may start us with these blocked (the mask survives exec);
        // a pipeline stage must still stop cleanly when asked.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }

    /// The signal that asked us to stop, or nil.
    package static var pending: Int32? {
        let s = received.load(ordering: .relaxed)
        return s == 0 ? nil : s
    }

    package static var shouldStop: Bool { received.load(ordering: .relaxed) != 0 }

    /// The exit status the stream contract gives a clean stop after `signal`.
    package static func exitStatus(for signal: Int32) -> ExitStatus {
        signal == SIGINT ? .interrupted : .terminated
    }

    /// Error thrown by loops that noticed a pending signal; `CommandRunner`
    /// turns it into 130/143 after the command flushed.
    package static func checkpoint() throws(StopRequested) {
        if let s = pending { throw StopRequested(signal: s) }
    }

    /// Test hook: forget a received signal.
    package static func reset() { received.store(0, ordering: .relaxed) }
}

/// Thrown when a command stops because of SIGINT/SIGTERM.
package struct StopRequested: Error, Sendable {
    package var signal: Int32
    package init(signal: Int32) { self.signal = signal }
}
