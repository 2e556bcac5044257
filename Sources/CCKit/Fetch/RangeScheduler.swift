import CCCore
import CCRPC

/// The meeting point of the fetch workers and the writer: workers take
/// ranges from the planner and hand back results; the writer takes results
/// in block order. At most `window` ranges are outstanding (asked or
/// answered but not yet written), which bounds memory whatever the range and
/// however slow one request is.
///
/// `@unchecked Sendable`: every stored property is read and written only
/// while holding `condition`, which is the whole point of the type.
package final class RangeScheduler<Result>: @unchecked Sendable {
    private let condition = Monitor()
    private var planner: RangePlanner
    private var buffer: ReorderBuffer<Result>
    private var outstanding = 0
    private let window: Int
    private var failure: Error?
    private var stopped = false
    /// No more `extend(to:)` will come: finishing once everything is written ends the run.
    private var closed: Bool

    package init(planner: RangePlanner, startBlock: UInt64, window: Int, closed: Bool = true) {
        self.planner = planner
        self.buffer = ReorderBuffer(startingAt: startBlock)
        self.window = max(1, window)
        self.closed = closed
    }

    package var chunkSize: UInt64 { condition.locked { planner.chunkSize } }

    /// Up to `max` consecutive ranges for one worker, or nil when the run is
    /// over for workers (everything handed out, a failure, or a stop).
    package func take(max count: Int = 1) -> [BlockRange]? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if failure != nil || stopped { return nil }
            var got: [BlockRange] = []
            // Retried pieces were counted when their range was split, so the window never holds them back.
            while got.count < count, planner.nextIsRequeued, let r = planner.nextRange() { got.append(r) }
            while got.count < count, outstanding < window, let r = planner.nextRange() {
                got.append(r)
                outstanding += 1
            }
            if !got.isEmpty { return got }
            if planner.isExhausted && closed { return nil }
            condition.wait()
        }
    }

    /// A worker's answer for `range`.
    package func complete(_ range: BlockRange, _ result: Result, logs: Int, seconds: Double) {
        condition.locked {
            planner.succeeded(range, logs: logs, seconds: seconds)
            buffer.insert(range, result)
            condition.broadcast()
        }
    }

    /// The provider refused `range` as too large. False when it cannot be split.
    package func refuse(_ range: BlockRange, _ why: RangeRefusal) -> Bool {
        condition.locked {
            let before = planner.requeuedCount
            let ok = planner.refused(range, why)
            // The refused range is replaced by its pieces, each written separately.
            if ok { outstanding += planner.requeuedCount - before - 1 }
            condition.broadcast()
            return ok
        }
    }

    /// Ends the run with an error; the writer sees it after what is already in order.
    package func fail(_ error: Error) {
        condition.locked {
            if failure == nil { failure = error }
            condition.broadcast()
        }
    }

    /// Stop asking (a signal): workers finish, the writer flushes what is complete.
    package func stop() {
        condition.locked {
            stopped = true
            condition.broadcast()
        }
    }

    /// Allows ranges up to `block` (follow mode).
    package func extend(to block: UInt64) {
        condition.locked {
            planner.extend(to: block)
            condition.broadcast()
        }
    }

    /// No more `extend`: the run ends once everything handed out is written.
    package func close() {
        condition.locked {
            closed = true
            condition.broadcast()
        }
    }

    package enum Next {
        case ready(BlockRange, Result)
        /// Nothing in order yet (the timeout passed): check signals, print progress, ask again.
        case waiting
        /// Everything up to the planner's end is written.
        case idle
        case finished
        case failed(Error)
    }

    /// The next result in block order. Results before a failure still come out first
    /// only if they are already in order; a failure then ends the run.
    package func next(timeout: Double) -> Next {
        condition.lock()
        defer { condition.unlock() }
        let deadline = monotonicSeconds() + timeout
        while true {
            if let item = buffer.popReady() {
                outstanding -= 1
                condition.broadcast()
                return .ready(item.0, item.1)
            }
            if let failure { return .failed(failure) }
            if stopped { return .finished }
            if planner.isExhausted && outstanding == 0 {
                return closed ? .finished : .idle
            }
            if !condition.wait(untilSeconds: deadline) { return .waiting }
        }
    }

    /// First block not written yet.
    package var nextBlock: UInt64 { condition.locked { buffer.nextBlock } }
}
