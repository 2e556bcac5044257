#!/usr/bin/env bash
# cc-sink throughput, side by side with reference tools on the same data.
#   bench/sink.bench.sh              (make bench sets CC_BIN_DIR to the release build)
# Data: bench/gen_decoded.py (deterministic decoded ERC-20 Transfers, a checkpoint
# marker every 2,500 blocks = 10,000 events), cached in bench/out/.
#  - SQLite: cc-sink sqlite into a fresh `events` table (WAL, upserts, the unique key and
#    2 more indexes, fsync at every marker) vs sqlite3's own `.import` of the same rows as CSV
#    into the same schema.
#  - File: cc-sink file (NDJSON) vs cat of the same file, MB/s of input.
#  - Webhook: batches of 500 to the loopback receiver (Tests/Fixtures/webhook_receiver.py).
# Times are medians of RUNS runs: wall clock, and CPU time (user+sys of the command).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${CC_BIN_DIR:-$(swift build -c release --show-bin-path)}"
SINK="$BIN/cc-sink"
[ -x "$SINK" ] || { echo "sink.bench.sh: $SINK not built (run: make release)" >&2; exit 1; }
OUT=bench/out
mkdir -p "$OUT"
N=${N_SINK:-1000000}
N_HOOK=${N_HOOK:-100000}
RUNS=${RUNS:-3}
DATA="$OUT/sink-transfers-$N.ndjson"
CSV="$OUT/sink-transfers-$N.csv"
HOOK_DATA="$OUT/sink-transfers-$N_HOOK.ndjson"

if [ ! -s "$DATA" ]; then
  echo "generating $DATA ..." >&2
  python3 bench/gen_decoded.py --count "$N" --seed 1 --marker-every 2500 > "$DATA.tmp" && mv "$DATA.tmp" "$DATA"
fi
if [ ! -s "$HOOK_DATA" ]; then
  python3 bench/gen_decoded.py --count "$N_HOOK" --seed 2 --marker-every 2500 > "$HOOK_DATA.tmp" && mv "$HOOK_DATA.tmp" "$HOOK_DATA"
fi
if [ ! -s "$CSV" ]; then
  # The rows cc-sink writes, as CSV, for sqlite3's .import.
  python3 - "$DATA" "$CSV.tmp" <<'PY'
import csv, json, sys
with open(sys.argv[1]) as f, open(sys.argv[2], "w", newline="") as out:
    w = csv.writer(out)
    for line in f:
        e = json.loads(line)
        if "$cc" in e:
            continue
        w.writerow([e.get("chainId", 0), e["blockNumber"], e["blockHash"], e.get("blockTimestamp"),
                    e.get("transactionHash"), e.get("transactionIndex"), e["logIndex"], e.get("address"),
                    e.get("event"), e.get("signature"), json.dumps(e.get("args"), separators=(",", ":"))])
PY
  mv "$CSV.tmp" "$CSV"
fi
SIZE_MB=$(awk -v b="$(stat -c %s "$DATA")" 'BEGIN { printf "%.1f", b / 1e6 }')

# The schema, page size, durability and page cache cc-sink uses, so the
# comparison is fair.
SCHEMA="PRAGMA page_size=65536; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;
CREATE TABLE events (chain_id INTEGER NOT NULL, block_number INTEGER NOT NULL, block_hash TEXT NOT NULL,
  block_timestamp INTEGER, transaction_hash TEXT, transaction_index INTEGER, log_index INTEGER NOT NULL,
  address TEXT, event TEXT, signature TEXT, args TEXT);
CREATE UNIQUE INDEX events_block_number ON events(block_number, chain_id, block_hash, log_index);
CREATE INDEX events_address ON events(address);
CREATE INDEX events_event ON events(event);"

# median_us CMD: runs CMD (a shell string) RUNS times; prints the median wall time and
# the median CPU time (user+sys, what the command itself costs, unaffected by other
# load on a shared machine), both in µs.
median_us() {
  local times=() cpus=() i t0 t1 u s
  for ((i = 0; i < RUNS; i++)); do
    eval "${PREP:-true}"
    # Each run starts with the previous run's writes on disk, not being
    # written back while it runs.
    sync
    t0=$(date +%s%N)
    SCHEMA="$SCHEMA" /usr/bin/time -f "%U %S" -o "$OUT/.time" bash -c "$1"
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
    read -r u s < <(tail -n 1 "$OUT/.time")
    cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%d", (u + s) * 1e6 }')")
  done
  local mid=$(( (RUNS + 1) / 2 ))
  echo "$(printf '%s\n' "${times[@]}" | sort -n | sed -n "${mid}p") $(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "${mid}p")"
}

row() {  # NAME "WALL_US CPU_US"
  local wall cpu
  read -r wall cpu <<< "$2"
  awk -v n="$1" -v us="$wall" -v cu="$cpu" -v ev="$N" -v mb="$SIZE_MB" 'BEGIN {
    s = us / 1e6; c = cu / 1e6; if (c < 0.001) c = 0.001
    printf "| %s | %.2f | %\047d | %.0f | %.2f | %\047d | %.0f |\n", n, s, ev / s, mb / s, c, ev / c, mb / c }'
}

echo
echo "cc-sink, $N decoded Transfer events ($SIZE_MB MB NDJSON, a marker every 10,000 events), median of $RUNS:"
echo
echo "| command | seconds | events/s | MB/s | CPU s | events/CPU-s | MB/CPU-s |"
echo "|---|---:|---:|---:|---:|---:|---:|"
DB="$OUT/sink-bench.db"
PREP="rm -f $DB $DB-wal $DB-shm"
export SCHEMA
row "sqlite3 .import (CSV, same schema)" "$(median_us "sqlite3 $DB \"\$SCHEMA\" '.mode csv' '.import $CSV events' > /dev/null")"
row "cc-sink sqlite" "$(median_us "$SINK sqlite $DB $DATA 2>/dev/null")"
row "cc-sink sqlite --checkpoint" "$(median_us "rm -f $OUT/ck.json; $SINK sqlite $DB $DATA --checkpoint $OUT/ck.json")"
count=$(sqlite3 "$DB" 'select count(*) from events')
[ "$count" = "$N" ] || { echo "sink.bench.sh: expected $N rows, found $count" >&2; exit 1; }
PREP="rm -rf $OUT/sink-files $OUT/ck.json"
row "cat > file" "$(median_us "cat $DATA > $OUT/sink-cat.ndjson")"
# Without --checkpoint the sink warns that the input's markers go unsaved: expected here.
row "cc-sink file (NDJSON)" "$(median_us "$SINK file $OUT/sink-files/all.ndjson $DATA 2>/dev/null")"
row "cc-sink file --checkpoint, per {event}, --rotate-blocks 50000" \
  "$(median_us "$SINK file '$OUT/sink-files/{event}-{from}-{to}.ndjson' $DATA --rotate-blocks 50000 --checkpoint $OUT/ck.json")"
row "cc-sink file (CSV)" "$(median_us "$SINK file $OUT/sink-files/all.csv $DATA 2>/dev/null")"
rm -rf "$OUT/sink-files" "$OUT/sink-cat.ndjson" "$DB" "$DB-wal" "$DB-shm"
PREP=

# Webhook: batches of 500 to the loopback receiver (Python, single process: it is
# the bottleneck, so this measures cc-sink's overhead against a real HTTP peer).
RECV_OUT="$OUT/receiver.out"
python3 Tests/Fixtures/webhook_receiver.py --port 0 --max-seconds 300 > "$RECV_OUT" 2>/dev/null &
RECV=$!
trap 'kill $RECV 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$RECV_OUT" 2>/dev/null && break; sleep 0.1; done
URL=$(sed -n 's/^listening //p' "$RECV_OUT")
read -r us cpu <<< "$(median_us "CC_WEBHOOK_SECRET=bench $SINK webhook $URL/hook $HOOK_DATA --batch-size 500")"
echo
echo "cc-sink webhook, $N_HOOK events in batches of 500 (HMAC-signed) to the loopback Python receiver, median of $RUNS:"
echo
echo "| command | seconds | events/s | batches/s | cc-sink CPU s |"
echo "|---|---:|---:|---:|---:|"
awk -v us="$us" -v cu="$cpu" -v ev="$N_HOOK" 'BEGIN { s = us / 1e6; printf "| cc-sink webhook --batch-size 500 | %.2f | %\047d | %.0f | %.2f |\n", s, ev / s, ev / 500 / s, cu / 1e6 }'
kill $RECV 2>/dev/null || true
