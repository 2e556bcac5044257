#!/usr/bin/env python3
"""make soak MINUTES=N: two pipelines follow the fixture node for N minutes
while it makes a block every 0.25 s, injects faults (503, 429, dropped
connections), reorgs now and then, and the webhook receiver answers 5xx in
bursts:

    A: cc-fetch --follow | cc-decode | cc-filter | cc-sink sqlite
    B: cc-fetch --follow | cc-decode | cc-sink webhook

Every 10 s it samples each stage's RSS and open file descriptors (and the
SQLite file's size). At the end the head stops, both pipelines catch up and
stop (SIGTERM), and the script checks: the SQLite table holds exactly the
node's canonical logs up to the checkpoint; the webhook got every one of
them; and no stage grows:
- RSS: the first minute is warm-up (allocator arenas, buffers reaching
  their working size). From the middle of the run to its end a stage's RSS
  may grow by at most 2% + 1 MB, and cc-sink sqlite's additionally by what
  its database grew: SQLite's page cache keeps the pages a connection
  touched, up to cache_size (64 MiB for the sink), so while the database is
  smaller than that the cache grows with it. (Fed past 64 MiB, the sink's
  RSS levels off at about 40 MB + 64 MiB; see the README.)
- descriptors: each sample is the least of five readings 20 ms apart, so a
  file open for a moment (the checkpoint's temp file) is not counted; after
  warm-up no sample may exceed the first.
Exit 0 when all hold, 1 otherwise; the figures go to stdout."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures")


def start_listener(args, log):
    p = subprocess.Popen(args, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    for _ in range(300):
        with open(log) as f:
            for line in f:
                if line.startswith("listening "):
                    return p, line.split()[1]
        time.sleep(0.1)
    raise SystemExit(f"soak: {args[1]} did not start (see {log})")


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")


def rpc(url, method, params):
    """One call, retried through the node's injected faults."""
    for _ in range(50):
        try:
            answer = post(url, {"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
            if isinstance(answer, dict) and "result" in answer:
                return answer["result"]
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise SystemExit(f"soak: {method} {params} keeps failing")


def sample(pid):
    """(RSS kB, open descriptors): the descriptors are the least of five
    readings 20 ms apart, so one open for a moment does not count."""
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        fds = []
        for i in range(5):
            if i:
                time.sleep(0.02)
            fds.append(len(os.listdir(f"/proc/{pid}/fd")))
        return rss, min(fds)
    except (OSError, StopIteration):
        return None


def file_size(*paths):
    return sum(os.path.getsize(p) for p in paths if os.path.exists(p))


WARM_UP = 60  # seconds
RSS_SLACK = lambda kb: kb * 0.02 + 1024  # 2% + 1 MB
SQLITE_CACHE_KB = 65536  # cc-sink sqlite: PRAGMA cache_size = -65536


def pipeline(stages, out_dir, name):
    """Starts the stages connected by pipes; returns [(label, Popen)]."""
    procs, prev = [], None
    for i, argv in enumerate(stages):
        err = open(os.path.join(out_dir, f"{name}-{i}-{os.path.basename(argv[0])}.err"), "w")
        last = i == len(stages) - 1
        p = subprocess.Popen(argv, stdin=prev.stdout if prev else subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL if last else subprocess.PIPE, stderr=err)
        if prev:
            prev.stdout.close()  # only the next stage holds the read end
        procs.append((f"{name}:{os.path.basename(argv[0])}", p))
        prev = p
    return procs


def checkpoint_block(path):
    try:
        with open(path) as f:
            return json.load(f)["blockNumber"]
    except (OSError, ValueError, KeyError):
        return -1


def main():
    minutes = float(os.environ.get("MINUTES", sys.argv[1] if len(sys.argv) > 1 else 2))
    bin_dir = os.environ.get("CC_BIN_DIR") or subprocess.check_output(
        ["swift", "build", "--show-bin-path"], cwd=ROOT, text=True).strip()
    b = lambda t: os.path.join(bin_dir, t)
    out = tempfile.mkdtemp(prefix="cc-soak-")
    print(f"soak: {minutes:g} min, binaries {bin_dir}, files in {out}")
    blocks = 400 + int(minutes * 60 * 4) + 400
    node, url = start_listener(
        [sys.executable, os.path.join(FIXTURES, "fixture_node.py"), "--port", "0", "--blocks", str(blocks),
         "--head-start", "300", "--head-advance-every", "0.25", "--range-limit", "200", "--error-style", "alchemy",
         "--fail-503-every", "41", "--rate-limit-every", "57", "--retry-after", "0", "--drop-every", "97",
         "--serve-orphans"], os.path.join(out, "node.log"))
    hook, hook_url = start_listener(
        [sys.executable, os.path.join(FIXTURES, "webhook_receiver.py"), "--port", "0",
         "--max-seconds", str(int(minutes * 60 + 900))], os.path.join(out, "webhook.log"))
    procs = []
    try:
        fetch = lambda ck: [b("cc-fetch"), "--rpc", url, "--from", "0", "--follow", "--poll-interval", "0.5",
                            "--checkpoint", ck]
        ck_a, ck_b, db = (os.path.join(out, n) for n in ("a.ck.json", "b.ck.json", "a.db"))
        procs += pipeline([fetch(ck_a), [b("cc-decode"), "--abi", "erc20", "--abi", "erc721"],
                           [b("cc-filter"), "--where", "blockNumber >= 0"],
                           [b("cc-sink"), "sqlite", db, "--checkpoint", ck_a]], out, "A")
        procs += pipeline([fetch(ck_b), [b("cc-decode"), "--abi", "erc20", "--abi", "erc721"],
                           [b("cc-sink"), "webhook", hook_url + "/in", "--checkpoint", ck_b]],
                          out, "B")
        samples = {label: [] for label, _ in procs}  # (seconds, RSS kB, fds, database kB)
        start, reorgs, bursts = time.time(), 0, 0
        next_event = start + 30
        while time.time() - start < minutes * 60:
            time.sleep(10)
            for label, p in procs:
                if p.poll() is not None:
                    raise SystemExit(f"soak: {label} exited {p.returncode} early (see {out})")
                s = sample(p.pid)
                if s:
                    samples[label].append((time.time() - start, *s, file_size(db, db + "-wal") // 1024))
            if time.time() >= next_event:
                next_event += 30
                if reorgs <= bursts:
                    post(url + "/__control", {"reorg": {"depth": 1 + reorgs % 4}})
                    reorgs += 1
                else:
                    post(hook_url + "/__script", {"responses": ["500", "503:0", "502", "500", "200"]})
                    bursts += 1
        # Let the head stop, then wait for both checkpoints to reach it.
        head = post(url + "/__control", {"advance_every": 0})["head"]
        deadline = time.time() + 300
        while time.time() < deadline and min(checkpoint_block(ck_a), checkpoint_block(ck_b)) < head:
            time.sleep(1)
        caught_up = min(checkpoint_block(ck_a), checkpoint_block(ck_b)) >= head
        for _, p in procs[:1] + procs[4:5]:
            p.send_signal(signal.SIGTERM)
        statuses = {label: p.wait(timeout=120) for label, p in procs}

        top = checkpoint_block(ck_a)
        canonical = set()
        for frm in range(0, top + 1, 200):
            for log in rpc(url, "eth_getLogs", [{"fromBlock": hex(frm), "toBlock": hex(min(frm + 199, top))}]):
                canonical.add((int(log["blockNumber"], 16), int(log["logIndex"], 16), log["blockHash"]))
        con = sqlite3.connect(db)
        stored = [(n, i, h) for n, i, h in con.execute("SELECT block_number, log_index, block_hash FROM events")]
        with urllib.request.urlopen(hook_url + "/__requests", timeout=60) as r:
            requests = json.loads(r.read())
        delivered = set()
        for req in requests:
            if req["status"] != 200:
                continue
            try:
                batch = json.loads(req["body"])
            except ValueError:
                continue
            for e in batch if isinstance(batch, list) else []:
                if isinstance(e, dict) and "logIndex" in e:
                    delivered.add((e["blockNumber"], e["logIndex"], e["blockHash"]))

        ok = True
        print(f"head {head}, checkpoints A {top} B {checkpoint_block(ck_b)}; reorgs {reorgs}, webhook 5xx bursts "
              f"{bursts}; node faults {post(url + '/__stats', {}).get('faults')}")
        print(f"exit statuses: {statuses}")
        if not caught_up:
            print("FAIL: the pipelines did not catch up with the head within 5 minutes")
            ok = False
        if sorted(stored) != sorted(canonical):
            print(f"FAIL: sqlite holds {len(stored)} rows ({len(set(stored))} distinct), node has {len(canonical)} "
                  f"logs; missing {len(canonical - set(stored))}, extra {len(set(stored) - canonical)}")
            ok = False
        else:
            print(f"sqlite: exactly the node's {len(canonical)} canonical logs")
        top_b = checkpoint_block(ck_b)
        want_b = {k for k in canonical if k[0] <= top_b}
        if not want_b <= delivered:
            print(f"FAIL: webhook missed {len(want_b - delivered)} of {len(want_b)} canonical logs")
            ok = False
        else:
            print(f"webhook: all {len(want_b)} canonical logs delivered ({len(requests)} POSTs)")
        print(f"{'stage':22} {'RSS kB 1 min':>12} {'mid':>8} {'last':>8} {'allowed':>8} {'fds 1 min':>9} "
              f"{'last':>5} {'max':>5}")
        for label, s in samples.items():
            warm = [x for x in s if x[0] >= WARM_UP]
            if len(warm) < 2:
                print(f"{label:22} too few samples after warm-up")
                ok = False
                continue
            mid = next(x for x in warm if x[0] >= warm[-1][0] / 2)
            last = warm[-1]
            allowed = RSS_SLACK(mid[1])
            if label.endswith("cc-sink") and label.startswith("A:"):
                allowed += min(max(last[3] - mid[3], 0), SQLITE_CACHE_KB)
            fdmax = max(x[2] for x in warm)
            grew = last[1] - mid[1] > allowed or fdmax > warm[0][2]
            print(f"{label:22} {warm[0][1]:12} {mid[1]:8} {last[1]:8} {mid[1] + int(allowed):8} {warm[0][2]:9} "
                  f"{last[2]:5} {fdmax:5}" + ("  GROWS" if grew else ""))
            ok = ok and not grew
        print(f"sqlite database + WAL: {samples[procs[3][0]][-1][3]} kB at the end")
        print("soak: OK" if ok else f"soak: FAILED (files in {out})")
        return 0 if ok else 1
    finally:
        for _, p in procs:
            if p.poll() is None:
                p.kill()
        node.kill()
        hook.kill()


if __name__ == "__main__":
    sys.exit(main())
