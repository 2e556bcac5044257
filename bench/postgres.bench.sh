#!/usr/bin/env bash
# cc-sink postgres and sharded backfills, against a throwaway PostgreSQL this script starts
# (initdb in a temporary directory, pg_ctl on a loopback port; as root the server runs as
# the `postgres` account through runuser) and stops at exit. Default server settings
# (fsync on, synchronous_commit on): a commit is on disk when it returns.
#   bench/postgres.bench.sh           (make bench sets CC_BIN_DIR to the release build)
#
# 1. Sink: N decoded ERC-20 Transfers (bench/gen_decoded.py, a checkpoint marker every
#    10,000 events) into `events` plus the per-event `Transfer` table, with --checkpoint,
#    a fresh database each run; side by side, `psql \copy` of the same rows as CSV into
#    the same schema (the tables and indexes cc-sink creates), also a fresh database each run.
# 2. Shards: 4 fixture nodes with 30 ms latency and a 100-block eth_getLogs limit each
#    (1 log per block on average, so the wire, not the CPU, bounds one process); 4 pipelines
#    cc-fetch --shard K/4 (default --shard-chunk) | cc-decode | cc-sink postgres --stream K/4,
#    one per node, against
#    one pipeline against one node, same range, into fresh databases.
# Times are medians of RUNS runs; ratios come from the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${CC_BIN_DIR:-$(swift build -c release --show-bin-path)}"
SINK="$BIN/cc-sink"
[ -x "$SINK" ] || { echo "postgres.bench.sh: $SINK not built (run: make release)" >&2; exit 1; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$PGBIN/initdb" ] || { echo "postgres.bench.sh: PostgreSQL is not installed (make deps): skipped"; exit 0; }
OUT=bench/out
mkdir -p "$OUT"
N=${N_PG:-1000000}
RUNS=${RUNS:-3}
BLOCKS=${BLOCKS:-40000}
PARTS=${PARTS:-sink,shards}   # which parts to run
DATA="$OUT/sink-transfers-$N.ndjson"
EVENTS_CSV="$OUT/pg-events-$N.csv"
TRANSFER_CSV="$OUT/pg-transfer-$N.csv"

if [ ! -s "$DATA" ]; then
  echo "generating $DATA ..." >&2
  python3 bench/gen_decoded.py --count "$N" --seed 1 --marker-every 2500 > "$DATA.tmp" && mv "$DATA.tmp" "$DATA"
fi
if [ ! -s "$EVENTS_CSV" ] || [ ! -s "$TRANSFER_CSV" ]; then
  # The rows cc-sink writes into events and "Transfer", as CSV, for \copy.
  python3 - "$DATA" "$EVENTS_CSV.tmp" "$TRANSFER_CSV.tmp" <<'PY'
import csv, datetime, json, sys
with open(sys.argv[1]) as f, open(sys.argv[2], "w", newline="") as o1, open(sys.argv[3], "w", newline="") as o2:
    ev, tr = csv.writer(o1), csv.writer(o2)
    for line in f:
        e = json.loads(line)
        if "$cc" in e:
            continue
        t = datetime.datetime.fromtimestamp(e["blockTimestamp"], datetime.timezone.utc).isoformat()
        base = [e["chainId"], e["blockNumber"], e["blockHash"], t, e["transactionHash"], e["transactionIndex"],
                e["logIndex"], e["address"]]
        ev.writerow(base + [e["event"], e["signature"], json.dumps(e["args"], separators=(",", ":"))])
        a = e["args"]
        tr.writerow(base + [a["from"], a["to"], a["value"]])
PY
  mv "$EVENTS_CSV.tmp" "$EVENTS_CSV"
  mv "$TRANSFER_CSV.tmp" "$TRANSFER_CSV"
fi

# --- the server -----------------------------------------------------------------------
PGDIR=$(mktemp -d /tmp/cc-pg-bench.XXXXXX)
AS=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$PGDIR"
  AS=(runuser -u postgres --)
fi
PORT=$((20000 + RANDOM % 30000))
NODES=()
cleanup() {
  for p in "${NODES[@]}"; do kill "$p" 2>/dev/null || true; done
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop > /dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap cleanup EXIT
"${AS[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 --locale=C > /dev/null
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
  -o "-p $PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c max_wal_size=4GB" start > /dev/null
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
psql_() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
fresh() { psql_ -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"; }

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# ms CMD: wall milliseconds of one run of CMD (a shell string), after PREP.
ms() {
  eval "$PREP"
  local t0 t1
  t0=$(date +%s%N)
  bash -c "$1"
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}

# --- 1. sink --------------------------------------------------------------------------
if [[ ",$PARTS," == *,sink,* ]]; then
# The schema cc-sink creates, for \copy: let it create the tables from one event, then empty them.
fresh ccschema
head -n 1 "$DATA" | "$SINK" postgres "dbname=ccschema" --tables per-event
SCHEMA_SQL="$PGDIR/schema.sql"
pg_dump --schema-only ccschema > "$SCHEMA_SQL"
COLS="chain_id, block_number, block_hash, block_time, transaction_hash, transaction_index, log_index, address"
copy_cmd="psql -X -q -v ON_ERROR_STOP=1 -d bench \
  -c \"\\copy events ($COLS, event, signature, args) from '$EVENTS_CSV' csv\" \
  -c \"\\copy \\\"Transfer\\\" ($COLS, \\\"from\\\", \\\"to\\\", value) from '$TRANSFER_CSV' csv\""
sink_cmd="'$SINK' postgres dbname=bench --tables per-event --checkpoint '$OUT/pg-ck.json' '$DATA'"
copies=() sinks=()
for ((i = 0; i < RUNS; i++)); do
  PREP="fresh bench > /dev/null; psql_ -d bench -f '$SCHEMA_SQL' > /dev/null; sync"
  copies+=("$(ms "$copy_cmd")")
  PREP="fresh bench > /dev/null; rm -f '$OUT/pg-ck.json'; sync"
  sinks+=("$(ms "$sink_cmd")")
done
rows=$(psql_ -d bench -At -c 'select count(*) from events')
trows=$(psql_ -d bench -At -c 'select count(*) from "Transfer"')
[ "$rows" = "$N" ] && [ "$trows" = "$N" ] || { echo "postgres.bench.sh: expected $N rows, found $rows/$trows" >&2; exit 1; }
copy_ms=$(printf '%s\n' "${copies[@]}" | median)
sink_ms=$(printf '%s\n' "${sinks[@]}" | median)
echo
echo "cc-sink postgres, $N decoded Transfer events into events + \"Transfer\" (a marker every 10,000 events),"
echo "server on the same machine, median of $RUNS (runs: copy ${copies[*]} ms; sink ${sinks[*]} ms):"
echo
echo "| command | seconds | events/s | vs psql \\copy |"
echo "|---|---:|---:|---:|"
awk -v c="$copy_ms" -v s="$sink_ms" -v n="$N" 'BEGIN {
  printf "| psql \\copy (CSV, same schema, 2 tables) | %.2f | %\047d | 1.00x |\n", c / 1000, n / (c / 1000)
  printf "| cc-sink postgres --tables per-event --checkpoint | %.2f | %\047d | %.2fx |\n", s / 1000, n / (s / 1000), c / s }'
fi
[[ ",$PARTS," == *,shards,* ]] || exit 0

# --- 2. shards ------------------------------------------------------------------------
for k in 0 1 2 3; do
  python3 -u Tests/Fixtures/fixture_node.py --port 0 --blocks "$BLOCKS" --latency-ms 30 --range-limit 100 \
    --logs-per-block 1 \
    > "$OUT/.fixture$k" 2>/dev/null &
  NODES+=($!)
done
URLS=()
for k in 0 1 2 3; do
  for _ in $(seq 100); do grep -q listening "$OUT/.fixture$k" 2>/dev/null && break; sleep 0.1; done
  URLS+=("$(awk '/listening/ { print $2 }' "$OUT/.fixture$k")")
done
TO=$((BLOCKS - 1))
pipe() {  # URL EXTRA-FETCH-ARGS STREAM DB
  echo "'$BIN/cc-fetch' --rpc $1 --from 0 --to $TO $2 --chunk-size 100 --max-chunk-size 100 | '$BIN/cc-decode' --abi erc20 --unknown drop |" \
    "'$BIN/cc-sink' postgres dbname=$4 --stream $3 --tables per-event --batch-size ${SHARD_BATCH:-2000}"
}
one_cmd=$(pipe "${URLS[0]}" "" all one)
shard_cmd=""
for k in 0 1 2 3; do shard_cmd+="( $(pipe "${URLS[$k]}" "--shard $k/4" "$k/4" shards) ) & "; done
shard_cmd+="wait"
# Warm every node's answer cache first, so both sides get the same node.
for k in 0 1 2 3; do "$BIN/cc-fetch" --rpc "${URLS[$k]}" --from 0 --to $TO --chunk-size 100 > /dev/null; done
ones=() shards=()
for ((i = 0; i < RUNS; i++)); do
  PREP="fresh one > /dev/null"
  ones+=("$(ms "$one_cmd")")
  PREP="fresh shards > /dev/null"
  shards+=("$(ms "$shard_cmd")")
done
a=$(psql_ -d one -At -c 'select count(*) from events')
b=$(psql_ -d shards -At -c 'select count(*) from events')
[ "$a" = "$b" ] || { echo "postgres.bench.sh: one run stored $a events, the shards $b" >&2; exit 1; }
one_ms=$(printf '%s\n' "${ones[@]}" | median)
shard_ms=$(printf '%s\n' "${shards[@]}" | median)
echo
echo "Backfill of $BLOCKS blocks ($a events), fixture nodes with 30 ms latency and a 100-block range limit,"
echo "into PostgreSQL, median of $RUNS (runs: one ${ones[*]} ms; 4 shards ${shards[*]} ms):"
echo
echo "| pipelines | seconds | vs one |"
echo "|---|---:|---:|"
awk -v o="$one_ms" -v s="$shard_ms" 'BEGIN {
  printf "| 1 process, 1 node | %.2f | 1.00x |\n", o / 1000
  printf "| 4 shards (--shard K/4), 4 nodes, one database | %.2f | %.2fx |\n", s / 1000, s / o }'
