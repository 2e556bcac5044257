import CCKit
import CCTestSupport
import Foundation
import Testing

@Suite(
    "sharded backfill into PostgreSQL",
    .enabled(if: PostgresCluster.isInstalled, "PostgreSQL is not installed (make deps)"))
struct PostgresShardTests {
    @Test("3 shards (one killed and rerun) and a follower from T+1, at once, equal one unsharded run row for row")
    func shardsAndFollowerEqualOneRun() throws {
        let cluster = try PostgresCluster.require()
        let node = try FixtureNode(["--blocks", "3000"])
        let sharded = try cluster.createDatabase("shards")
        let single = try cluster.createDatabase("single")
        let dir = try TestDirectory.make("pgshard")
        func pipeline(_ db: String, _ range: String, stream: String, ck: String) -> String {
            "cc-fetch --rpc \(node.url) \(range) --checkpoint \(ck) | cc-decode --abi erc20 --unknown drop | "
                + "cc-sink postgres '\(cluster.conninfo(database: db))' --stream \(stream) --tables per-event "
                + "--batch-size 200 --checkpoint \(ck)"
        }
        var script = ""
        for k in 0..<3 {
            let p = pipeline(
                sharded, "--from 0 --to 1999 --shard \(k)/3 --shard-chunk 100", stream: "\(k)/3", ck: "\(dir)/ck\(k)")
            // Shard 1 is killed once mid-run; a retry loop reruns it, as a scheduler would.
            let kill = k == 1 ? "( \(p) ) & q=$!; sleep 0.3; pkill -9 -P $q cc-sink 2>/dev/null; wait $q; " : ""
            script += "( \(kill)for i in 1 2 3 4 5; do \(p) && exit 0; done; exit 1 ) & w\(k)=$!\n"
        }
        script += "( \(pipeline(sharded, "--from 2000 --to 2999", stream: "follow", ck: dir + "/ckf")) ) & wf=$!\n"
        script += "s=0; for w in $w0 $w1 $w2 $wf; do wait $w || s=1; done; exit $s"
        let r = try BuiltBinaries.shell(script, environment: cluster.environment)
        #expect(r.status == 0, "\(r.stderr)")
        let one = try BuiltBinaries.shell(
            pipeline(single, "--from 0 --to 2999", stream: "all", ck: dir + "/ck-all"), environment: cluster.environment
        )
        #expect(one.status == 0, "\(one.stderr)")
        let query = "SELECT block_number, log_index, block_hash, address, event, args::text FROM events ORDER BY 1, 2"
        let want = try cluster.psql(single, query)
        #expect(want.count > 1000)
        #expect(try cluster.psql(sharded, query) == want)
        let transfers = "SELECT block_number, log_index, \"from\", \"to\", value FROM \"Transfer\" ORDER BY 1, 2"
        #expect(try cluster.psql(sharded, transfers) == (try cluster.psql(single, transfers)))
        #expect(
            try cluster.psql(sharded, "SELECT stream || ':' || block_number FROM cc_checkpoint ORDER BY 1")
                == ["0/3:1899", "1/3:1999", "2/3:1799", "follow:2999"])
    }
}
