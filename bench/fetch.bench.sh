#!/usr/bin/env bash
# cc-fetch: wall time against the fixture node, and client CPU per log.
#   bench/fetch.bench.sh            (make bench sets CC_BIN_DIR to the release build)
#
# 1. Network: the fixture node (Tests/Fixtures/fixture_node.py) with 30 ms latency per
#    request and a 1,000-block eth_getLogs range limit serves 20,000 blocks (~100k logs);
#    cc-fetch fetches them all with --concurrency 1, 2, 4, 8, 16. Median wall time of RUNS.
#    cryo is the held-out comparison: it is not installed here, so it is not measured.
# 2. Client CPU: `cc-fetch --replay FILE` feeds saved eth_getLogs answers (bench/gen_fetch_replay.py,
#    deterministic) through the same parse + check + write path as a live fetch, pinned to one
#    core; ns/log = (user+sys CPU) / logs. Side by side: cat (I/O floor) and jq -c '.result[]'.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${CC_BIN_DIR:-$(swift build -c release --show-bin-path)}"
FETCH="$BIN/cc-fetch"
[ -x "$FETCH" ] || { echo "fetch.bench.sh: $FETCH not built (run: make release)" >&2; exit 1; }
OUT=bench/out
mkdir -p "$OUT"
RUNS=${RUNS:-3}
BLOCKS=${BLOCKS:-20000}
RESPONSES=${RESPONSES:-100}
PER=${PER:-10000}
REPLAY="$OUT/fetch-replay-${RESPONSES}x${PER}.ndjson"

if [ ! -s "$REPLAY" ]; then
  echo "generating $REPLAY ..." >&2
  python3 bench/gen_fetch_replay.py "$RESPONSES" "$PER" "$REPLAY.tmp" && mv "$REPLAY.tmp" "$REPLAY"
fi

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# --- 1. network -------------------------------------------------------------------------
python3 -u Tests/Fixtures/fixture_node.py --port 0 --blocks "$BLOCKS" --latency-ms 30 --range-limit 1000 \
  > "$OUT/.fixture" 2>/dev/null &
NODE=$!
trap 'kill $NODE 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q listening "$OUT/.fixture" 2>/dev/null && break; sleep 0.1; done
URL=$(awk '/listening/ { print $2 }' "$OUT/.fixture")
LOGS=$("$FETCH" --rpc "$URL" --from 0 --to $((BLOCKS - 1)) --concurrency 8 --chunk-size 1000 | wc -l)

echo
echo "cc-fetch against the fixture node: $BLOCKS blocks, $LOGS logs, 30 ms latency, 1,000-block range limit"
echo
echo "| --concurrency | seconds (median of $RUNS) | logs/s | speed-up |"
echo "|---:|---:|---:|---:|"
base=""
for c in 1 2 4 8 16; do
  ts=()
  for ((i = 0; i < RUNS; i++)); do
    t0=$(date +%s%N)
    "$FETCH" --rpc "$URL" --from 0 --to $((BLOCKS - 1)) --concurrency "$c" --chunk-size 1000 > /dev/null
    t1=$(date +%s%N)
    ts+=($(( (t1 - t0) / 1000000 )))
  done
  ms=$(printf '%s\n' "${ts[@]}" | median)
  [ -z "$base" ] && base=$ms
  awk -v c="$c" -v ms="$ms" -v n="$LOGS" -v b="$base" \
    'BEGIN { printf "| %d | %.2f | %d | %.1fx |\n", c, ms / 1000, n / (ms / 1000), b / ms }'
done
echo
echo "cryo (the held-out comparison) is not installed on this machine: not measured."

# --- 2. client CPU per log (replay) -----------------------------------------------------
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c 0)
NLOGS=$((RESPONSES * PER))
cpu_row() {
  local name=$1
  shift
  local cpus=() walls=() i
  for ((i = 0; i < RUNS; i++)); do
    local t0 t1 u s
    t0=$(date +%s%N)
    /usr/bin/time -f "%U %S" -o "$OUT/.time" "${PIN[@]}" "$@" > /dev/null
    t1=$(date +%s%N)
    walls+=($(( (t1 - t0) / 1000 )))
    read -r u s < <(tail -n 1 "$OUT/.time")
    cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%d", (u + s) * 1e6 }')")
  done
  local cpu wall
  cpu=$(printf '%s\n' "${cpus[@]}" | median)
  wall=$(printf '%s\n' "${walls[@]}" | median)
  awk -v name="$name" -v cpu="$cpu" -v wall="$wall" -v n="$NLOGS" \
    'BEGIN { c = cpu > 0 ? cpu : wall; printf "| %s | %.3f | %.3f | %.0f | %.2f |\n", name, wall / 1e6, cpu / 1e6, c * 1000 / n, n / (c / 1e6) / 1e6 }'
}
echo
echo "Client CPU: $NLOGS logs in $RESPONSES saved eth_getLogs answers ($(du -m "$REPLAY" | cut -f1) MB), one core"
echo
echo "| tool | wall s | CPU s | ns/log (CPU) | M logs/s (CPU) |"
echo "|---|---:|---:|---:|---:|"
cpu_row "cc-fetch --replay (parse + check + write)" "$FETCH" --replay "$REPLAY"
cpu_row "cat (I/O floor)" cat "$REPLAY"
cpu_row "jq -c '.result[]'" jq -c '.result[]' "$REPLAY"
