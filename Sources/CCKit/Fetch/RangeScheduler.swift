import CCCore
import CCRPC

/// The meeting point of the fetch workers and the writer: workers take
/// ranges from the planner and hand back results; the writer takes results
/// in block order. At most `window` ranges are outstanding (asked or
/// answered but not yet written), which bounds memory whatever the range and
/// however slow one request is.
package final class RangeScheduler<Result: Sendable>: Sendable {
    private struct State: Sendable {
        var planner: RangePlanner
        var buffer: ReorderBuffer<Result>
        var outstanding = 0
        var failure: Error?
        /// The first block of the failed ranges' lowest.
        var failedAt: UInt64 = 0
        /// Ranges a worker holds (by first block), to tell whether a lower one may still fail.
        var inFlight: Set<UInt64> = []
        var workersAlive = 0
        var stopped = false

        /// A retried piece below the failure waits to be asked.
        var piecesBelowFailure: Bool { (planner.nextRequeuedFrom ?? .max) < failedAt }

        /// A failure is reported once nothing below it is still being fetched
        /// or waits to be (which worker fails first is timing, the lowest
        /// failure is not), or once no worker is left to fetch it.
        var failureSettled: Bool {
            failure != nil && (workersAlive == 0 || (!inFlight.contains { $0 < failedAt } && !piecesBelowFailure))
        }
    }

    private let state: Locked<State>
    private let window: Int

    package init(planner: RangePlanner, startBlock: UInt64, window: Int) {
        state = Locked(State(planner: planner, buffer: ReorderBuffer(startingAt: startBlock)))
        self.window = max(1, window)
    }

    package var chunkSize: UInt64 { state.withLock { $0.planner.chunkSize } }

    /// Up to `max` consecutive ranges for one worker, or nil when the run is
    /// over for workers (everything handed out, a failure, or a stop).
    package func take(max count: Int = 1) -> [BlockRange]? {
        let window = window
        // A worker can go on when there is a retried piece (the window never holds
        // those back: they were counted when their range was split), a fresh range
        // within the window, or the run is over for it.
        return state.wait(until: { s in
            s.failure != nil || s.stopped || s.planner.nextIsRequeued
                || s.outstanding < window || s.planner.isExhausted
        }) { s, _ in
            if s.stopped { return nil }
            var got: [BlockRange] = []
            if s.failure != nil {
                // Only the retried pieces below the failure: what precedes it is still written,
                // and a lower failure among them is the one reported.
                while got.count < count, s.piecesBelowFailure, let r = s.planner.nextRange() { got.append(r) }
            } else {
                while got.count < count, s.planner.nextIsRequeued, let r = s.planner.nextRange() { got.append(r) }
                while got.count < count, s.outstanding < window, let r = s.planner.nextRange() {
                    got.append(r)
                    s.outstanding += 1
                }
            }
            for r in got { s.inFlight.insert(r.from) }
            return got.isEmpty ? nil : got
        }
    }

    /// A worker's answer for `range`.
    package func complete(_ range: BlockRange, _ result: Result, logs: Int, seconds: Double) {
        state.signal { s in
            s.planner.succeeded(range, logs: logs, seconds: seconds)
            s.buffer.insert(range, result)
            s.inFlight.remove(range.from)
        }
    }

    /// The provider refused `range` as too large. False when it cannot be split.
    package func refuse(_ range: BlockRange, _ why: RangeRefusal) -> Bool {
        state.signal { s in
            s.inFlight.remove(range.from)
            let before = s.planner.requeuedCount
            let ok = s.planner.refused(range, why)
            // The refused range is replaced by its pieces, each written separately.
            if ok { s.outstanding += s.planner.requeuedCount - before - 1 }
            return ok
        }
    }

    /// Ends the run with an error for the ranges a worker held (none: before
    /// it held any); the writer sees the lowest failure, after what is in
    /// order below it.
    package func fail(_ error: Error, ranges: [BlockRange] = []) {
        state.signal { s in
            for r in ranges { s.inFlight.remove(r.from) }
            let at = ranges.map(\.from).min() ?? 0
            if s.failure == nil || at < s.failedAt {
                s.failure = error
                s.failedAt = at
            }
        }
    }

    /// Workers that will take ranges; each calls `workerExited` when it is done.
    package func workersStarted(_ n: Int) { state.signal { $0.workersAlive += n } }

    package func workerExited() { state.signal { $0.workersAlive -= 1 } }

    /// Stop asking (a signal): workers finish, the writer flushes what is complete.
    package func stop() {
        state.signal { $0.stopped = true }
    }

    package enum Next {
        case ready(BlockRange, Result)
        /// Nothing in order yet (the timeout passed): check signals, print progress, ask again.
        case waiting
        /// Everything up to the planner's end is written, or the run was stopped.
        case finished
        case failed(Error)
    }

    /// The next result in block order. Results before a failure still come out first
    /// only if they are already in order; a failure then ends the run.
    package func next(timeout: Double) -> Next {
        let next: Next = state.wait(
            until: { s in
                s.buffer.hasReady || s.failureSettled || s.stopped || (s.planner.isExhausted && s.outstanding == 0)
            }, deadline: monotonicSeconds() + timeout
        ) { s, ready in
            guard ready else { return .waiting }
            if let item = s.buffer.popReady() {
                s.outstanding -= 1
                return .ready(item.0, item.1)
            }
            if let failure = s.failure {
                // Stopped with a failure whose lower neighbours are still out: report it anyway.
                return .failed(failure)
            }
            return .finished
        }
        // A written range frees a place in the window.
        if case .ready = next { state.broadcast() }
        return next
    }
}
