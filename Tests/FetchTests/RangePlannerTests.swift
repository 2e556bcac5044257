import Testing

@testable import CCFetch
@testable import CCRPC

@Suite struct RangePlannerTests {
    @Test func tilesTheRangeExactly() {
        var p = RangePlanner(from: 10, to: 35, chunkSize: 10)
        var got: [BlockRange] = []
        while let r = p.nextRange() { got.append(r) }
        #expect(got == [BlockRange(10, 19), BlockRange(20, 29), BlockRange(30, 35)])
        #expect(p.isExhausted)
    }

    @Test func emptyWhenFromAfterTo() {
        var p = RangePlanner(from: 10, to: 9, chunkSize: 10)
        #expect(p.nextRange() == nil)
        #expect(p.isExhausted)
    }

    @Test func splitsInHalfAndRetriesPiecesFirst() {
        var p = RangePlanner(from: 0, to: 99, chunkSize: 40)
        let a = p.nextRange()!
        #expect(a == BlockRange(0, 39))
        let ok = p.refused(a, .blocks())
        #expect(ok)
        #expect(p.chunkSize == 20)
        #expect(p.nextRange() == BlockRange(0, 19))
        #expect(p.nextRange() == BlockRange(20, 39))
        #expect(p.nextRange() == BlockRange(40, 59))
        // Never grows past what the provider refused.
        for _ in 0..<10 { p.succeeded(BlockRange(40, 59), logs: 0, seconds: 0.01) }
        #expect(p.chunkSize == 39)
    }

    @Test func usesTheProvidersSuggestion() {
        var p = RangePlanner(from: 100, to: 10_099, chunkSize: 10_000)
        let a = p.nextRange()!
        let ok = p.refused(a, .results((a.from, 1_099)))
        #expect(ok)
        #expect(p.chunkSize == 1_000)
        var got: [BlockRange] = []
        while let r = p.nextRange() { got.append(r) }
        #expect(got.first == BlockRange(100, 1_099))
        #expect(got.count == 10)
        #expect(got.last == BlockRange(9_100, 10_099))
    }

    @Test func ignoresSuggestionsOutsideTheRange() {
        var p = RangePlanner(from: 0, to: 9, chunkSize: 10)
        let a = p.nextRange()!
        let ok = p.refused(a, .blocks(from: a.from, to: 50))
        #expect(ok)
        #expect(p.nextRange() == BlockRange(0, 4))
    }

    @Test func singleBlockCannotBeSplit() {
        var p = RangePlanner(from: 5, to: 5, chunkSize: 10)
        let a = p.nextRange()!
        let ok = p.refused(a, .results())
        #expect(!ok)
    }

    @Test func growsAfterFastSmallAnswers() {
        var p = RangePlanner(from: 0, to: 1_000_000, chunkSize: 100)
        let a = p.nextRange()!
        p.succeeded(a, logs: 10, seconds: 0.05)
        #expect(p.chunkSize == 200)
        p.succeeded(BlockRange(0, 199), logs: 2_000, seconds: 0.05)
        #expect(p.chunkSize == 250)
        p.succeeded(BlockRange(0, 249), logs: 10, seconds: 5)
        #expect(p.chunkSize == 250)
    }

    @Test func followModeExtends() {
        var p = RangePlanner(from: 10, to: nil, chunkSize: 5)
        #expect(p.nextRange() == nil)
        p.extend(to: 12)
        #expect(p.nextRange() == BlockRange(10, 12))
        #expect(p.nextRange() == nil)
        p.extend(to: 20)
        #expect(p.nextRange() == BlockRange(13, 17))
        #expect(p.nextRange() == BlockRange(18, 20))
    }

    @Test func stopsAtTheLargestBlockNumber() {
        var p = RangePlanner(from: UInt64.max - 3, to: UInt64.max, chunkSize: 3)
        #expect(p.nextRange() == BlockRange(UInt64.max - 3, UInt64.max - 1))
        #expect(p.nextRange() == BlockRange(UInt64.max, UInt64.max))
        #expect(p.nextRange() == nil)
    }

    /// Whatever the provider refuses, in whatever order answers arrive, the
    /// completed ranges tile the request with no gap and no overlap.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func neverSkipsABlock(seed: UInt64) {
        var rng = SplitMix(seed)
        var p = RangePlanner(from: 1_000, to: 50_000, chunkSize: 3_000)
        var inFlight: [BlockRange] = []
        var done: [BlockRange] = []
        var steps = 0
        while !(p.isExhausted && inFlight.isEmpty), steps < 100_000 {
            steps += 1
            if inFlight.count < 4, let r = p.nextRange() { inFlight.append(r); continue }
            let i = Int(rng.next() % UInt64(inFlight.count))
            let r = inFlight.remove(at: i)
            let roll = rng.next() % 10
            if roll < 3, r.count > 1 {
                let suggestion = rng.next() % 2 == 0 ? nil : r.from + rng.next() % r.count
                let ok = p.refused(
                    r,
                    roll == 0
                        ? .blocks(from: suggestion.map { _ in r.from }, to: suggestion)
                        : .results(suggestion.map { (r.from, $0) }))
                #expect(ok)
            } else {
                p.succeeded(r, logs: Int(rng.next() % 3_000), seconds: 0.1)
                done.append(r)
            }
        }
        done.sort { $0.from < $1.from }
        var next: UInt64 = 1_000
        for r in done {
            #expect(r.from == next)
            next = r.to + 1
        }
        #expect(next == 50_001)
    }
}

@Suite struct ReorderBufferTests {
    @Test func releasesInBlockOrder() {
        var b = ReorderBuffer<String>(startingAt: 0)
        b.insert(BlockRange(10, 19), "b")
        #expect(b.popReady() == nil)
        b.insert(BlockRange(20, 29), "c")
        b.insert(BlockRange(0, 9), "a")
        var out: [String] = []
        while let (_, v) = b.popReady() { out.append(v) }
        #expect(out == ["a", "b", "c"])
        #expect(b.nextBlock == 30)
        #expect(b.isEmpty)
    }

    @Test func resetDropsLaterRanges() {
        var b = ReorderBuffer<Int>(startingAt: 0)
        b.insert(BlockRange(5, 9), 2)
        b.insert(BlockRange(10, 12), 3)
        b.reset(to: 5)
        #expect(b.count == 0)
        #expect(b.nextBlock == 5)
    }
}

struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Which worker fails first is timing; which failure the run reports is not:
/// the lowest, once nothing below it is still being fetched (a test named
/// block 274 or 250 of the same refusing range, run to run).
@Suite struct RangeSchedulerFailureTests {
    struct Failure: Error, Equatable { let name: String }

    /// A scheduler over blocks 0-99 in chunks of 10 with two workers, which hold 0-9 and 10-19.
    static func twoRangesOut() -> (RangeScheduler<Int>, low: [BlockRange], high: [BlockRange]) {
        let s = RangeScheduler<Int>(planner: RangePlanner(from: 0, to: 99, chunkSize: 10), startBlock: 0, window: 8)
        s.workersStarted(2)
        let low = s.take(max: 1) ?? []
        let high = s.take(max: 1) ?? []
        return (s, low, high)
    }

    static func expectFailure(_ s: RangeScheduler<Int>, _ name: String) {
        guard case .failed(let e) = s.next(timeout: 1) else {
            Issue.record("no failure reported")
            return
        }
        #expect(e as? Failure == Failure(name: name))
    }

    @Test func theLowestFailureIsReported() {
        let (s, low, high) = Self.twoRangesOut()
        #expect(low == [BlockRange(0, 9)] && high == [BlockRange(10, 19)])
        s.fail(Failure(name: "high"), ranges: high)
        guard case .waiting = s.next(timeout: 0.01) else {
            Issue.record("reported the higher failure while a lower range was still out")
            return
        }
        #expect(s.take(max: 1) == nil)
        s.fail(Failure(name: "low"), ranges: low)
        Self.expectFailure(s, "low")
    }

    @Test func rangesBelowTheFailureAreWrittenFirst() {
        let (s, low, high) = Self.twoRangesOut()
        s.fail(Failure(name: "high"), ranges: high)
        s.complete(low[0], 7, logs: 0, seconds: 0)
        guard case .ready(let r, let v) = s.next(timeout: 1) else {
            Issue.record("the range below the failure was not written first")
            return
        }
        #expect(r == BlockRange(0, 9) && v == 7)
        Self.expectFailure(s, "high")
    }

    /// A range below the failure that the provider refused is split and its
    /// pieces asked for after the failure: they were never handed out, the
    /// output stopped short of the failure and a higher block was named.
    @Test func piecesOfARefusedRangeBelowTheFailureAreStillAsked() {
        let (s, low, high) = Self.twoRangesOut()
        s.fail(Failure(name: "high"), ranges: high)
        #expect(s.refuse(low[0], RangeRefusal(.results)))
        guard case .waiting = s.next(timeout: 0.01) else {
            Issue.record("reported the failure while pieces below it waited")
            return
        }
        let first = s.take(max: 1) ?? []
        #expect(first == [BlockRange(0, 4)])
        s.complete(first[0], 1, logs: 0, seconds: 0)
        let second = s.take(max: 1) ?? []
        #expect(second == [BlockRange(5, 9)])
        s.fail(Failure(name: "low"), ranges: second)
        guard case .ready(let r, _) = s.next(timeout: 1), r == BlockRange(0, 4) else {
            Issue.record("the piece below the failure was not written")
            return
        }
        Self.expectFailure(s, "low")
        // Nothing left for workers, and with none alive a failure is reported whatever waits.
        #expect(s.take(max: 1) == nil)
    }
}
