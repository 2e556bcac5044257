#!/usr/bin/env bash
# Following the head: block produced -> its rows committed in SQLite, through the whole pipeline
#   cc-fetch --follow --confirmations 0 --poll-interval 0.01 --checkpoint ck.json
#     | cc-decode --abi erc20 --abi erc721 | cc-filter 'true' | cc-sink sqlite t.db --checkpoint ck.json
#   bench/latency.bench.sh          (make bench sets CC_BIN_DIR to the release build)
#
# The fixture node makes one new block every 200 ms (this script advances its head through
# the control endpoint and notes the time); a reader polls the database every millisecond for
# the checkpoint row the sink commits in the same transaction as the block's rows. Latency =
# commit seen - block produced, over BLOCKS blocks after a warm-up; median and p95.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${CC_BIN_DIR:-$(swift build -c release --show-bin-path)}"
for b in cc-fetch cc-decode cc-filter cc-sink; do
  [ -x "$BIN/$b" ] || { echo "latency.bench.sh: $BIN/$b not built (run: make release)" >&2; exit 1; }
done
OUT=bench/out/latency
rm -rf "$OUT" && mkdir -p "$OUT"
BLOCKS=${BLOCKS:-100}

python3 -u Tests/Fixtures/fixture_node.py --port 0 --blocks 1000000 --head-start 1000 > "$OUT/.fixture" 2>/dev/null &
NODE=$!
PIPE=""
cleanup() {
  [ -n "$PIPE" ] && kill -TERM "$PIPE" 2>/dev/null || true
  kill "$NODE" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do grep -q listening "$OUT/.fixture" 2>/dev/null && break; sleep 0.1; done
URL=$(awk '/listening/ { print $2 }' "$OUT/.fixture")

(
  cd "$OUT"
  exec "$BIN/cc-fetch" --rpc "$URL" --from 990 --follow --confirmations 0 --poll-interval 0.01 --checkpoint ck.json -q \
    | "$BIN/cc-decode" --abi erc20 --abi erc721 | "$BIN/cc-filter" 'true' \
    | "$BIN/cc-sink" sqlite t.db --checkpoint ck.json
) 2> "$OUT/stderr.log" &
PIPE=$!

python3 - "$URL" "$OUT/t.db" "$BLOCKS" <<'EOF'
import json, sqlite3, sys, time, urllib.request
url, db, blocks = sys.argv[1], sys.argv[2], int(sys.argv[3])

def control(body):
    req = urllib.request.Request(url + "/__control", data=json.dumps(body).encode())
    return json.load(urllib.request.urlopen(req))

def committed():
    try:
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=1)
        try:
            row = con.execute("SELECT max(block_number) FROM cc_checkpoint").fetchone()
            return row[0] if row and row[0] is not None else -1
        finally:
            con.close()
    except sqlite3.Error:
        return -1

deadline = time.monotonic() + 60
while committed() < 1000:             # the catch-up from 990 to the head
    if time.monotonic() > deadline:
        sys.exit("latency.bench.sh: the pipeline did not catch up (see bench/out/latency/stderr.log)")
    time.sleep(0.01)
lat = []
for i in range(blocks + 5):
    head = control({"advance": 1})["head"]
    t0 = time.monotonic()
    while committed() < head and time.monotonic() - t0 < 5:
        time.sleep(0.001)
    if i >= 5:                         # warm-up
        lat.append((time.monotonic() - t0) * 1000)
    time.sleep(max(0.0, 0.2 - (time.monotonic() - t0)))
lat.sort()
med = lat[len(lat) // 2]
p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))]
print()
print("Block produced -> rows committed in SQLite (fetch | decode | filter | sink), 1 block / 200 ms, %d blocks" % len(lat))
print()
print("| median ms | p95 ms | max ms |")
print("|---:|---:|---:|")
print("| %.1f | %.1f | %.1f |" % (med, p95, lat[-1]))
EOF
