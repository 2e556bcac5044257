#!/usr/bin/env bash
# cc-decode throughput and memory, side by side with cat and jq on the same file.
#   bench/decode.bench.sh            (make bench sets CC_BIN_DIR to the release build)
# Data is generated deterministically by bench/gen_decode_logs.py and cached in bench/out/.
# Each tool reads the file and writes to /dev/null, pinned to one core when taskset exists.
# seconds: median wall time of 3 runs; CPU s: median user+sys time (what the tool itself
# costs, unaffected by other load on a shared machine); peak RSS: the largest of the runs.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${CC_BIN_DIR:-$(swift build -c release --show-bin-path)}"
DECODE="$BIN/cc-decode"
[ -x "$DECODE" ] || { echo "decode.bench.sh: $DECODE not built (run: make release)" >&2; exit 1; }
OUT=bench/out
mkdir -p "$OUT"
N_ERC20=${N_ERC20:-1000000}
N_NESTED=${N_NESTED:-200000}
RUNS=${RUNS:-3}
ERC20="$OUT/erc20-transfers-$N_ERC20.ndjson"
NESTED="$OUT/nested-$N_NESTED.ndjson"
BATCH_DECL='event Batch(address indexed sender, (uint256 amount, string memo, bytes32[] tags)[] items, uint256[][] matrix)'

if [ ! -s "$ERC20" ]; then
  echo "generating $ERC20 ..." >&2
  python3 bench/gen_decode_logs.py erc20 "$N_ERC20" "$ERC20.tmp" && mv "$ERC20.tmp" "$ERC20"
fi
if [ ! -s "$NESTED" ]; then
  echo "generating $NESTED ..." >&2
  topic0=$("$DECODE" --list-abis --abi "$BATCH_DECL" | awk '/event Batch/ {print $1}')
  python3 bench/gen_decode_logs.py nested "$N_NESTED" "$NESTED.tmp" "$topic0" && mv "$NESTED.tmp" "$NESTED"
fi

PIN=()
command -v taskset >/dev/null && PIN=(taskset -c 0)

# measure NAME LINES INPUT CMD...: prints one Markdown row.
measure() {
  local name=$1 lines=$2 input=$3
  shift 3
  local times=() cpus=() rss=0 i
  for ((i = 0; i < RUNS; i++)); do
    local t0 t1 u s r
    t0=$(date +%s%N)
    /usr/bin/time -f "%U %S %M" -o "$OUT/.time" "${PIN[@]}" "$@" < "$input" > /dev/null
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
    read -r u s r < <(tail -n 1 "$OUT/.time")
    cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%d", (u + s) * 1e6 }')")
    (( r > rss )) && rss=$r
  done
  local mid=$(( (RUNS + 1) / 2 )) median cpu
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "${mid}p")
  cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "${mid}p")
  awk -v n="$name" -v us="$median" -v cu="$cpu" -v l="$lines" -v kb="$rss" 'BEGIN {
    if (cu < 1) cu = 1
    printf "| %s | %.2f | %\047d | %.2f | %\047d | %.1f MB |\n", n, us / 1e6, l / (us / 1e6), cu / 1e6, l / (cu / 1e6), kb / 1024 }'
}

header() {
  echo
  echo "| tool | seconds | logs/s | CPU s | logs/CPU-s | peak RSS |"
  echo "|---|---:|---:|---:|---:|---:|"
}

echo
echo "cc-decode, $N_ERC20 ERC-20 Transfer logs ($(du -h "$ERC20" | cut -f1)), one core, median of $RUNS:"
header
measure "cat" "$N_ERC20" "$ERC20" cat
measure "jq -c ." "$N_ERC20" "$ERC20" jq -c .
measure "cc-decode --abi erc20" "$N_ERC20" "$ERC20" "$DECODE" --abi erc20
measure "cc-decode --abi erc20 --abi erc721 --keep-raw" "$N_ERC20" "$ERC20" "$DECODE" --abi erc20 --abi erc721 --keep-raw

echo
echo "cc-decode, $N_NESTED logs with nested dynamic tuples and arrays ($(du -h "$NESTED" | cut -f1)):"
header
measure "cat" "$N_NESTED" "$NESTED" cat
measure "jq -c ." "$N_NESTED" "$NESTED" jq -c .
measure "cc-decode --abi 'event Batch(…)'" "$N_NESTED" "$NESTED" "$DECODE" --abi "$BATCH_DECL"

# Memory does not grow with the input: three times the file through a pipe.
rss3=$( { cat "$ERC20" "$ERC20" "$ERC20" | /usr/bin/time -f %M "$DECODE" --abi erc20 > /dev/null; } 2>&1 | tail -n 1)
echo
echo "Peak RSS of cc-decode --abi erc20 on $((3 * N_ERC20)) logs through a pipe: $(awk -v kb="$rss3" 'BEGIN { printf "%.1f MB", kb / 1024 }')"
