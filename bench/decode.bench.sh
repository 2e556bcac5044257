#!/usr/bin/env bash
# cc-decode throughput and memory, side by side with cat and jq on the same file.
#   bench/decode.bench.sh            (make bench sets CC_BIN_DIR to the release build)
# Data is generated deterministically by bench/gen_decode_logs.py and cached in bench/out/.
# Each tool reads the file and writes to /dev/null, pinned to one core when taskset exists;
# seconds are the median of 3 runs, peak RSS the largest of them (/usr/bin/time).
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
  local times=() rss=0 i
  for ((i = 0; i < RUNS; i++)); do
    local t0 t1 r
    t0=$(date +%s%N)
    /usr/bin/time -f %M -o "$OUT/.rss" "${PIN[@]}" "$@" < "$input" > /dev/null
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
    r=$(tail -n 1 "$OUT/.rss")
    (( r > rss )) && rss=$r
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
  awk -v n="$name" -v us="$median" -v l="$lines" -v kb="$rss" 'BEGIN {
    printf "| %s | %.2f | %\047d | %.1f MB |\n", n, us / 1e6, l / (us / 1e6), kb / 1024 }'
}

echo
echo "cc-decode, $N_ERC20 ERC-20 Transfer logs ($(du -h "$ERC20" | cut -f1)), one core, median of $RUNS:"
echo
echo "| tool | seconds | logs/s | peak RSS |"
echo "|---|---:|---:|---:|"
measure "cat" "$N_ERC20" "$ERC20" cat
measure "jq -c ." "$N_ERC20" "$ERC20" jq -c .
measure "cc-decode --abi erc20" "$N_ERC20" "$ERC20" "$DECODE" --abi erc20
measure "cc-decode --abi erc20 --abi erc721 --keep-raw" "$N_ERC20" "$ERC20" "$DECODE" --abi erc20 --abi erc721 --keep-raw

echo
echo "cc-decode, $N_NESTED logs with nested dynamic tuples and arrays ($(du -h "$NESTED" | cut -f1)):"
echo
echo "| tool | seconds | logs/s | peak RSS |"
echo "|---|---:|---:|---:|"
measure "cat" "$N_NESTED" "$NESTED" cat
measure "jq -c ." "$N_NESTED" "$NESTED" jq -c .
measure "cc-decode --abi 'event Batch(…)'" "$N_NESTED" "$NESTED" "$DECODE" --abi "$BATCH_DECL"
