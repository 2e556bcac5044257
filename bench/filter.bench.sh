#!/usr/bin/env bash
# cc-filter throughput on 1,000,000 decoded Transfer events, side by side with
# jq and cat in the same run. Prints a Markdown table (medians of hyperfine
# runs) and checks the targets: predicate >= 2,000,000 events/s and >= 10x jq;
# group-by sum >= 1,000,000 events/s.
#
#   CC_BIN_DIR=.build/release bench/filter.bench.sh     (make bench sets CC_BIN_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${CC_BIN_DIR:-.build/release}/cc-filter"
DATA=bench/out/transfers-decoded-1m.ndjson
N=1000000
mkdir -p bench/out
if [ ! -s "$DATA" ]; then
  echo "generating $DATA (deterministic: --count $N --seed 1)" >&2
  python3 bench/gen_decoded.py --count "$N" --seed 1 > "$DATA.tmp" && mv "$DATA.tmp" "$DATA"
fi
[ -x "$BIN" ] || { echo "filter.bench.sh: $BIN not built (run make release)" >&2; exit 1; }

PRED='event == "Transfer" && args.value > 10**18'
JQ='select(.event == "Transfer" and (.args.value|tonumber) > 1e18)'

# Same answer first: jq's tonumber is a double, exact enough for this threshold.
ours=$("$BIN" "$PRED" "$DATA" | wc -l)
if command -v jq >/dev/null; then
  theirs=$(jq -c "$JQ" "$DATA" | wc -l)
  [ "$ours" = "$theirs" ] || { echo "filter.bench.sh: cc-filter kept $ours events, jq $theirs" >&2; exit 1; }
fi

json=bench/out/filter-hyperfine.json
cmds=(
  -n "cat" "cat $DATA"
  -n "cc-filter predicate" "$BIN '$PRED' $DATA"
  -n "cc-filter group-by sum" "$BIN --group-by args.to --agg 'count(), sum(args.value)' $DATA"
)
hyperfine -N --warmup 1 --runs "${FILTER_BENCH_RUNS:-5}" --output=null --style none --export-json "$json.ours" "${cmds[@]}" >/dev/null
if command -v jq >/dev/null; then
  hyperfine -N --runs "${FILTER_BENCH_JQ_RUNS:-3}" --output=null --style none --export-json "$json.jq" \
    -n "jq" "jq -c '$JQ' $DATA" >/dev/null
fi

python3 - "$json.ours" "$json.jq" "$N" "$ours" <<'EOF'
import json, os, sys
ours, jqf, n, kept = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
rows = json.load(open(ours))["results"]
if os.path.exists(jqf):
    rows += json.load(open(jqf))["results"]
med = {r["command"]: r["median"] for r in rows}
cpu = {r["command"]: r["user"] + r["system"] for r in rows}
print(f"1,000,000 decoded Transfer events ({os.path.getsize('bench/out/transfers-decoded-1m.ndjson') // n} bytes/line), {kept} kept by the predicate; medians of hyperfine runs.\n")
# CPU seconds (user + system) show the cost per event apart from how busy
# the machine was; the targets are checked on wall-clock medians.
print("| command | median s | events/s | vs jq | CPU s | events/CPU-s |")
print("|---|---:|---:|---:|---:|---:|")
for name, m in med.items():
    ratio = f"{med['jq'] / m:.1f}x" if "jq" in med and name != "jq" else ""
    print(f"| {name} | {m:.3f} | {n / m:,.0f} | {ratio} | {cpu[name]:.3f} | {n / cpu[name]:,.0f} |")
print(f"\nload average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
ok = True
p = med["cc-filter predicate"]
g = med["cc-filter group-by sum"]
checks = [("predicate >= 2,000,000 events/s", n / p >= 2_000_000),
          ("group-by sum >= 1,000,000 events/s", n / g >= 1_000_000)]
if "jq" in med:
    checks.append(("predicate >= 10x jq", med["jq"] / p >= 10))
print()
for text, good in checks:
    print(f"- {'PASS' if good else 'MISS'}: {text}")
EOF
rm -f "$json.ours" "$json.jq"
