#!/usr/bin/env bash
# make demo: the whole pipeline, offline, against the bundled fixture node.
# Starts the node on a free loopback port, runs fetch | decode | sink with a
# checkpoint, runs it again to show that a rerun adds nothing, and prints a
# summary from the database with the exact commands it ran.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${CC_BIN_DIR:-.build/release}"
OUT="demo-out"
rm -rf "$OUT" && mkdir -p "$OUT"

python3 Tests/Fixtures/fixture_node.py --port 0 --blocks 5000 --chain-id 1337 \
  --range-limit 1000 --result-limit 2000 --error-style alchemy --rate-limit-every 40 \
  >"$OUT/node.log" 2>&1 &
NODE_PID=$!
trap 'kill $NODE_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  URL=$(sed -n 's/^listening \(http[^ ]*\).*/\1/p' "$OUT/node.log" | head -1)
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "${URL:-}" ] || { echo "demo: the fixture node did not start:" >&2; cat "$OUT/node.log" >&2; exit 69; }

run() {
  printf '\n$ %s\n' "$*"
  eval "$@"
}

export PATH="$BIN:$PATH"
echo "Fixture node (5,000 blocks, Alchemy-style range limits, a 429 every 40 requests): $URL"
PIPE="cc-fetch --rpc $URL --from 0 --to latest --checkpoint $OUT/ck.json -v \\
  | cc-decode --abi erc20 --abi erc721 --unknown drop -v \\
  | cc-sink sqlite $OUT/demo.db --checkpoint $OUT/ck.json -v"
run "$PIPE"
run "cat $OUT/ck.json"
echo
echo "Run the same command line again: it resumes after the checkpoint and adds nothing."
run "$PIPE"

SQL="sqlite3 -header -column $OUT/demo.db"
run "$SQL \"SELECT event, signature, count(*) AS events FROM events GROUP BY event, signature ORDER BY events DESC\""
run "$SQL \"SELECT json_extract(args, '\$.to') AS receiver, count(*) AS transfers FROM events WHERE event = 'Transfer' GROUP BY receiver ORDER BY transfers DESC LIMIT 5\""
run "$SQL \"SELECT json_extract(args, '\$.to') AS receiver, decimal_sum(args -> '\$.value') AS received FROM events WHERE event = 'Transfer' GROUP BY receiver ORDER BY received COLLATE decimal DESC LIMIT 5\""
run "$SQL \"SELECT count(*) AS rows, count(DISTINCT block_hash || ':' || log_index) AS distinct_logs, max(block_number) AS last_block FROM events\""
