import CCKit
import CCTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The recipe of README "Backfilling with many machines" run by a real
/// scheduler: GNU parallel starts 4 shard workers and a follower, each a
/// retry loop around the pipeline, as a scheduler's retry policy would be.
@Suite(
    "sharded backfill by GNU parallel into PostgreSQL",
    .enabled(
        if: PostgresCluster.isInstalled && FileManager.default.isExecutableFile(atPath: "/usr/bin/parallel"),
        "PostgreSQL or GNU parallel is not installed (make deps)"))
struct PostgresParallelTests {
    /// One job of the parallel run: `worker.sh K/4` backfills shard K of
    /// [0, T] from node K mod 2; `worker.sh follow` follows from T+1. Each
    /// attempt is SIGKILLed in a seeded random stage after a seeded random
    /// delay (while kills remain), and the loop runs it again until it exits 0.
    static let worker = #"""
        #!/bin/bash
        set -u
        job=$1
        stages=(cc-fetch cc-decode cc-sink)
        if [ "$job" = follow ]; then
          k=9; stream=follow; node=$NODE0
          range="--from $((T + 1)) --to $END --follow --confirmations 0 --poll-interval 0.05"; kills=1
        else
          k=${job%/*}; stream=$job; node=$([ $((k % 2)) = 0 ] && echo "$NODE0" || echo "$NODE1")
          range="--from 0 --to $T --shard $job --shard-chunk 25"; kills=3
        fi
        RANDOM=$((SEED * 10 + k))
        ck=$DIR/ck-$k.json
        for attempt in $(seq 1 40); do
          ( set -o pipefail
            cc-fetch --rpc "$node" $range --checkpoint "$ck" | cc-decode --abi erc20 --unknown drop |
              cc-sink postgres "$CONN" --stream "$stream" --tables per-event --batch-size 100 --checkpoint "$ck"
          ) 2>>"$DIR/err-$k" & p=$!
          if [ "$kills" -gt 0 ]; then
            sleep "0.$(printf %03d $((RANDOM % 600)))"
            if pkill -KILL -P "$p" -x "${stages[RANDOM % 3]}"; then
              kills=$((kills - 1)); echo "kill $job $attempt"
            fi
          fi
          if wait "$p"; then echo "done $job $attempt"; exit 0; fi
        done
        exit 1
        """#

    @Test("4 shard workers and a follower under GNU parallel, SIGKILLed at random and retried, equal one unsharded run")
    func parallelWorkersEqualOneRun() throws {
        let cluster = try PostgresCluster.require()
        // The follower's node starts with its head at T+50 and mines a block every 10 ms up to END.
        let node0 = try FixtureNode(
            ["--blocks", "2600", "--latency-ms", "15", "--head-start", "2050", "--head-advance-every", "0.01"])
        let node1 = try FixtureNode(["--blocks", "2600", "--latency-ms", "15"])
        let sharded = try cluster.createDatabase("par")
        let single = try cluster.createDatabase("one")
        let dir = try TestDirectory.make("pgpar")
        try Self.worker.write(toFile: dir + "/worker.sh", atomically: true, encoding: .utf8)
        let seed = Int.random(in: 1..<1_000_000)
        var env = cluster.environment
        env["NODE0"] = node0.url
        env["NODE1"] = node1.url
        env["T"] = "1999"
        env["END"] = "2599"
        env["SEED"] = String(seed)
        env["DIR"] = dir
        env["CONN"] = cluster.conninfo(database: sharded)
        let r = try BuiltBinaries.shell(
            "parallel --will-cite -j 5 --line-buffer bash \(dir)/worker.sh ::: 0/4 1/4 2/4 3/4 follow",
            environment: env)
        let errors =
            (try? FileManager.default.contentsOfDirectory(atPath: dir))?.filter { $0.hasPrefix("err-") }
            .compactMap { try? String(contentsOfFile: dir + "/" + $0, encoding: .utf8) }.joined() ?? ""
        #expect(r.status == 0, "seed \(seed): \(r.stdout)\(r.stderr)\(errors)")
        let log = r.stdout.split(separator: "\n")
        #expect(log.filter { $0.hasPrefix("done ") }.count == 5, "seed \(seed): \(r.stdout)")
        // A kill that comes after its attempt finished kills nothing: count the ones that hit.
        #expect(log.filter { $0.hasPrefix("kill ") }.count >= 4, "seed \(seed): \(r.stdout)")

        let one = try BuiltBinaries.shell(
            "cc-fetch --rpc \(node1.url) --from 0 --to 2599 | cc-decode --abi erc20 --unknown drop | "
                + "cc-sink postgres '\(cluster.conninfo(database: single))' --tables per-event",
            environment: cluster.environment)
        #expect(one.status == 0, "\(one.stderr)")
        let tables = try cluster.psql(single, "SELECT table_name FROM cc_event_tables ORDER BY 1")
        #expect(tables.contains("Transfer"))
        #expect(try cluster.psql(sharded, "SELECT table_name FROM cc_event_tables ORDER BY 1") == tables)
        for t in ["events"] + tables {
            let q = "SELECT (to_jsonb(t) - 'cc_stream')::text FROM \"\(t)\" t ORDER BY block_number, log_index"
            let want = try cluster.psql(single, q)
            #expect(want.count > 100, "\(t)")
            let got = try cluster.psql(sharded, q)
            #expect(got.count == want.count, "seed \(seed), \(t)")
            #expect(got == want, "seed \(seed), \(t): first difference \(zip(got, want).first { $0 != $1 } as Any)")
        }
        #expect(
            try cluster.psql(sharded, "SELECT stream || ':' || block_number FROM cc_checkpoint ORDER BY 1")
                == ["0/4:1924", "1/4:1949", "2/4:1974", "3/4:1999", "follow:2599"])
    }

    /// Fresh blocks in order are inserted without the upsert; a writer that
    /// gets there between the probe and the insert must fall back to the
    /// merge, not fail on the unique key. Four copies of one writer race on
    /// every batch (as a scheduler that started a shard twice would).
    @Test("4 copies of one writer racing on the same fresh blocks: all exit 0, every row once")
    func racingCopiesOfOneWriter() throws {
        let cluster = try PostgresCluster.require()
        let db = try cluster.createDatabase("race")
        let dir = try TestDirectory.make("pgrace")
        try SinkTest.stream(from: 1, to: 1500).write(toFile: dir + "/in.ndjson", atomically: true, encoding: .utf8)
        let sink =
            "cc-sink postgres '\(cluster.conninfo(database: db))' --tables per-event --batch-size 300 "
            + "--checkpoint \(dir)/ck$i.json \(dir)/in.ndjson"
        let r = try BuiltBinaries.shell(
            "s=0; for i in 1 2 3 4; do \(sink) & p[$i]=$!; done; for i in 1 2 3 4; do wait ${p[$i]} || s=1; done; exit $s",
            environment: cluster.environment)
        #expect(r.status == 0, "\(r.stderr)")
        let keys = try cluster.psql(
            db, "SELECT block_number || ':' || log_index FROM events ORDER BY block_number, log_index")
        #expect(keys == SinkTest.expectedKeys(from: 1, to: 1500))
        #expect(try cluster.psql(db, "SELECT count(*) FROM \"Transfer\"") == [String(keys.count)])
        #expect(try cluster.psql(db, "SELECT block_number FROM cc_checkpoint") == ["1500"])
    }
}
