import CCKit
import CCTestSupport
import Foundation
import Testing

/// The scheduler manifests under deploy/: valid YAML and shell with the
/// fields the recipe relies on, and their shard scripts, run as the
/// scheduler would (its index variable set, nothing kept between runs),
/// against the fixture node and a throwaway PostgreSQL.
@Suite("deploy/ manifests")
struct DeployManifestTests {
    static let deploy = FixtureNode.repositoryRoot() + "/deploy"

    /// Prints the shard scripts of the YAML manifests as JSON after checking their structure.
    static let extract = #"""
        import json, sys, yaml
        d = sys.argv[1]
        job = list(yaml.safe_load_all(open(d + "/kubernetes-indexed-job.yaml")))[0]
        s = job["spec"]; c = s["template"]["spec"]["containers"][0]
        env = {e["name"]: e.get("value") for e in c["env"]}
        assert job["kind"] == "Job" and s["completionMode"] == "Indexed", "not an Indexed Job"
        assert s["completions"] == s["parallelism"] == int(env["SHARDS"]), "completions, parallelism, SHARDS differ"
        assert s["template"]["spec"]["restartPolicy"] == "Never" and s["backoffLimitPerIndex"] > 0
        k8s = c["args"][0]
        assert "JOB_COMPLETION_INDEX" in k8s and "--print-checkpoint" in k8s
        gha = yaml.safe_load(open(d + "/github-actions-matrix.yml"))
        j = gha["jobs"]["shard"]
        assert j["strategy"]["fail-fast"] is False
        assert j["strategy"]["matrix"]["shard"] == list(range(int(j["env"]["SHARDS"]))), "matrix and SHARDS differ"
        step = [x for x in j["steps"] if x.get("name") == "backfill shard"][0]
        assert step["env"]["K"] == "${{ matrix.shard }}"
        assert "--print-checkpoint" in step["run"]
        slurm = open(d + "/slurm-array.sh").read()
        assert "#SBATCH --array=0-7\n" in slurm and "SHARDS=${SHARDS:-8}" in slurm and "SLURM_ARRAY_TASK_ID" in slurm
        print(json.dumps({"k8s": k8s, "gha": step["run"]}))
        """#

    static func scripts() throws -> [String: String] {
        let r = try BuiltBinaries.run("/usr/bin/python3", ["-c", extract, deploy])
        guard r.status == 0 else { throw PostgresClusterError("deploy/ manifests: \(r.stderr)") }
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: String]
        return json ?? [:]
    }

    @Test("valid YAML (structure checked) and valid shell")
    func syntax() throws {
        let s = try Self.scripts()
        #expect(s.count == 2)
        for (name, script) in s {
            let r = try BuiltBinaries.run("/bin/bash", ["-n", "-c", script])
            #expect(r.status == 0, "\(name): \(r.stderr)")
        }
        let slurm = try BuiltBinaries.run("/bin/bash", ["-n", Self.deploy + "/slurm-array.sh"])
        #expect(slurm.status == 0, "\(slurm.stderr)")
    }

    @Test(
        "each manifest's shard script, run for every shard and again on a fresh machine, equals one unsharded run",
        .enabled(if: PostgresCluster.isInstalled, "PostgreSQL is not installed (make deps)"))
    func scriptsRun() throws {
        let cluster = try PostgresCluster.require()
        let node = try FixtureNode(["--blocks", "3000"])
        let dir = try TestDirectory.make("deploy")
        // The fixture's first token contract (Tests/Fixtures/fixture_chain.py, seed 1).
        let address = try BuiltBinaries.run(
            "/usr/bin/python3",
            ["-c", "import hashlib; print('0x' + hashlib.sha3_256(b'cc-fixture:token:1:0').hexdigest()[:40])"]
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let reference = try cluster.createDatabase("ref")
        let one = try BuiltBinaries.shell(
            "cc-fetch --rpc \(node.url) --from 0 --to 2999 --address \(address) --abi erc20 | cc-decode --abi erc20 | "
                + "cc-sink postgres '\(cluster.conninfo(database: reference))' --schema usdc --tables per-event",
            environment: cluster.environment)
        #expect(one.status == 0, "\(one.stderr)")
        let query = { (t: String) in
            "SELECT (to_jsonb(t) - 'cc_stream')::text FROM usdc.\"\(t)\" t ORDER BY block_number, log_index"
        }
        let want = try cluster.psql(reference, query("events"))
        #expect(want.count > 500)
        let wantTransfers = try cluster.psql(reference, query("Transfer"))

        let extracted = try Self.scripts()
        var runs: [(name: String, index: String, script: [String])] = [
            ("kubernetes", "JOB_COMPLETION_INDEX", ["-c", extracted["k8s"] ?? "exit 99"]),
            ("github-actions", "K", ["-c", extracted["gha"] ?? "exit 99"]),
        ]
        runs.append(("slurm", "SLURM_ARRAY_TASK_ID", [Self.deploy + "/slurm-array.sh"]))
        for run in runs {
            let db = try cluster.createDatabase(run.name.replacingOccurrences(of: "-", with: "_"))
            for attempt in 0..<2 {
                // A fresh pod, runner or node each time: nothing survives but the database.
                let tmp = dir + "/\(run.name)-\(attempt)"
                try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
                for k in 0..<3 {
                    var env = cluster.environment
                    env[run.index] = String(k)
                    env["SHARDS"] = "3"
                    env["FROM"] = "0"
                    env["TO"] = "2999"
                    env["CHUNK"] = "250"
                    env["ADDRESS"] = address
                    env["SCHEMA"] = "usdc"
                    env["PGHOST"] = "127.0.0.1"
                    env["PGPORT"] = String(cluster.port)
                    env["PGDATABASE"] = db
                    env["PGUSER"] = PostgresCluster.user
                    env["RPC_URLS"] = "\(node.url) \(node.url)"
                    env["CC_RPC_URL"] = node.url
                    env["TMPDIR"] = tmp
                    env["RUNNER_TEMP"] = tmp
                    let r = try BuiltBinaries.shell(
                        "exec bash "
                            + run.script.map { "'" + $0.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }
                            .joined(separator: " "), environment: env)
                    #expect(r.status == 0, "\(run.name) shard \(k) attempt \(attempt): \(r.stderr)")
                }
            }
            #expect(try cluster.psql(db, query("events")) == want, "\(run.name)")
            #expect(try cluster.psql(db, query("Transfer")) == wantTransfers, "\(run.name)")
            #expect(
                try cluster.psql(db, "SELECT stream || ':' || block_number FROM usdc.cc_checkpoint ORDER BY 1")
                    == ["0/3:2499", "1/3:2749", "2/3:2999"], "\(run.name)")
        }
    }
}
