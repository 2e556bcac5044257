import Foundation
import Testing

@testable import CCCore

@Suite struct LockedTests {
    @Test func updatesFromManyThreadsAreNotLost() {
        let counter = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<10_000 { counter.withLock { $0 += 1 } }
        }
        #expect(counter.withLock { $0 } == 80_000)
    }

    @Test func waitEndsWhenAnotherThreadSignals() throws {
        let box = Locked((ready: false, value: 0))
        var thread = try WorkerThread("test") {
            usleep(20_000)
            box.signal { $0 = (true, 42) }
        }
        let got = box.wait(until: { $0.ready }, deadline: monotonicSeconds() + 10) { s, ok in ok ? s.value : -1 }
        thread.join()
        #expect(got == 42)
    }

    @Test func waitReportsTheDeadline() {
        let box = Locked(false)
        let start = monotonicSeconds()
        let ok = box.wait(until: { $0 }, deadline: start + 0.05) { _, ok in ok }
        #expect(!ok)
        #expect(monotonicSeconds() - start >= 0.05)
    }
}

@Suite struct Word32Tests {
    @Test func parsesEitherCaseAndPrintsLowercase() throws {
        let upper = "0x" + String(repeating: "AB", count: 31) + "0F"
        let w = try #require(Word32(hex: upper, byteCount: 32))
        #expect(w == Word32(hex: upper.lowercased(), byteCount: 32))
        #expect(w.description == upper.lowercased())
        #expect(Word32(hex: "0x" + String(repeating: "a", count: 63), byteCount: 32) == nil)
        #expect(Word32(hex: "0x" + String(repeating: "g", count: 64), byteCount: 32) == nil)
        #expect(Word32(0, 0, 0, 0xff).hex(byteCount: 20) == "0x" + String(repeating: "0", count: 38) + "ff")
    }
}
