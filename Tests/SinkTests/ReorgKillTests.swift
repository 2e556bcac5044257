import CCKit
import CCTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The promise of issue 12 under fire: `cc-fetch --follow | cc-decode |
/// cc-sink sqlite` against a node that produces a block every 100 ms and
/// reorgs 1–10 blocks deep while the pipeline runs and while it is stopped;
/// a random stage (or all) is SIGKILLed at seeded random moments and the
/// same command line rerun each time. The table must end exactly the node's
/// canonical chain: no orphaned row, none missing, none twice.
@Suite("kill -9 while the node reorgs", .serialized)
struct ReorgKillTests {
    @Test("24 kills across stages, reorgs while running and while stopped; the table ends canonical")
    func killsAndReorgs() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["CC_REORG_SEED"] ?? "") ?? 20_261_203
        var rng = SplitMix(seed: seed)
        func uniform(_ lo: Double, _ hi: Double) -> Double { lo + Double(rng.next() % 10_000) / 10_000 * (hi - lo) }
        let h = try ReorgHarness(
            nodeArguments: ["--blocks", "1000000", "--head-start", "150", "--head-advance-every", "0.1"], from: 100,
            fetchOptions: ["--follow", "--confirmations", "0", "--poll-interval", "0.02"])
        let started = Date()
        var kills = [0, 0, 0, 0]
        var reorgs = (running: 0, stopped: 0)
        for round in 0..<24 {
            let run = try h.start()
            usleep(UInt32(uniform(0.15, 0.6) * 1e6))
            if rng.next() % 2 == 0 {
                try h.node.control(#"{"reorg":{"depth":\#(1 + rng.next() % 10)}}"#)
                reorgs.running += 1
                usleep(UInt32(uniform(0, 0.3) * 1e6))
            }
            let target = Int(rng.next() % 4)  // fetch, decode, sink, or all three
            for (i, p) in run.processes.enumerated() where target == 3 || target == i {
                kill(p.processIdentifier, SIGKILL)
            }
            kills[target] += 1
            let statuses = run.finish(within: 10)
            // Survivors end on end of input or a closed pipe (0), or with 65 when
            // the stage before them died in the middle of a line: never 70, 75, 78.
            #expect(
                statuses.allSatisfy { [0, 65, 137].contains($0) },
                "round \(round) (seed \(seed)): killed \(target), statuses \(statuses)\n\(h.log.suffix(2000))")
            if rng.next() % 2 == 0 {
                try h.node.control(#"{"reorg":{"depth":\#(1 + rng.next() % 10)}}"#)
                reorgs.stopped += 1
            }
        }
        // The head stops; one last run of the same line catches up with it.
        try h.node.control(#"{"advance_every":0}"#)
        let head = try h.head()
        let last = try h.start()
        #expect(h.waitForCheckpoint(atLeast: head, timeout: 30), "seed \(seed)\n\(h.log.suffix(2000))")
        #expect(last.stop() == [143, 0, 0], "seed \(seed)\n\(h.log.suffix(2000))")
        #expect(h.checkpointBlock() == UInt64(head))
        #expect(try h.rows() == h.canonical(to: head), "seed \(seed): \(h.diff(head))")
        #expect(kills.reduce(0, +) >= 20 && kills.allSatisfy { $0 > 0 }, "kills per target \(kills)")
        #expect(reorgs.running > 3 && reorgs.stopped > 3, "reorgs \(reorgs)")
        #expect(Date().timeIntervalSince(started) < 90)
    }
}
