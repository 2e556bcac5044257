#!/usr/bin/env python3
"""scripts/sqlite-cache-rss.py [BLOCKS] [PER_BLOCK]: feeds cc-sink sqlite a
generated stream of Transfer events (a checkpoint marker every 20 blocks) as
fast as it takes them, and prints its RSS and open descriptors next to the
database's size once a second.

Why: in `make soak` the sink's RSS grows while the others stay flat. This
separates SQLite's page cache (which keeps every page the connection
touched, up to cache_size = 64 MiB for the sink) from a leak: past 64 MiB of
database the RSS must level off. CC_BIN_DIR picks the binaries (default: the
debug build)."""
import os
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    blocks = int(sys.argv[1]) if len(sys.argv) > 1 else 6000
    per = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    bin_dir = os.environ.get("CC_BIN_DIR") or subprocess.check_output(
        ["swift", "build", "--show-bin-path"], cwd=ROOT, text=True).strip()
    out = tempfile.mkdtemp(prefix="cc-sqlite-rss-")
    db = os.path.join(out, "t.db")
    sink = subprocess.Popen([os.path.join(bin_dir, "cc-sink"), "sqlite", db, "--checkpoint", db + ".ck.json"],
                            stdin=subprocess.PIPE, stderr=open(os.path.join(out, "err"), "w"))
    samples = []

    def sampler():
        while sink.poll() is None:
            try:
                with open(f"/proc/{sink.pid}/status") as f:
                    rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
                fds = len(os.listdir(f"/proc/{sink.pid}/fd"))
                size = sum(os.path.getsize(p) for p in (db, db + "-wal") if os.path.exists(p))
                samples.append((time.time(), rss, fds, size))
            except (OSError, StopIteration):
                pass
            time.sleep(1)

    t = threading.Thread(target=sampler)
    t.start()
    h = lambda n, salt=0: "0x%056x%08x" % (salt, n)
    for b in range(blocks):
        lines = [
            '{"chainId":1,"blockNumber":%d,"blockHash":"%s","blockTimestamp":%d,"transactionHash":"%s",'
            '"transactionIndex":%d,"logIndex":%d,"address":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",'
            '"removed":false,"event":"Transfer","signature":"Transfer(address,address,uint256)",'
            '"args":{"from":"0x%040x","to":"0x%040x","value":"%d"}}'
            % (b, h(b), 1_700_000_000 + 12 * b, h(1000 * b + l, 7), l // 2, l, (7919 * b + l) % (1 << 60),
               (104729 * b + 31 * l) % (1 << 60), 1_000_003 * b + l)
            for l in range(per)
        ]
        if b % 20 == 19:
            lines.append('{"$cc":"checkpoint","chainId":1,"blockNumber":%d,"blockHash":"%s","filter":"3f9a"}'
                         % (b, h(b)))
        sink.stdin.write(("\n".join(lines) + "\n").encode())
    sink.stdin.close()
    sink.wait()
    t.join()
    t0 = samples[0][0] if samples else 0
    step = max(1, len(samples) // 40)
    for i, (at, rss, fds, size) in enumerate(samples):
        if i % step == 0 or i == len(samples) - 1:
            print(f"{at - t0:6.0f} s  RSS {rss:7d} kB  fds {fds:2d}  database + WAL {size / 1e6:8.1f} MB")
    print(f"cc-sink exited {sink.returncode}; files in {out}")
    return sink.returncode


if __name__ == "__main__":
    sys.exit(main())
