#!/usr/bin/env bash
# Fuzz/run.sh TARGET [SECONDS]: builds the target, replays its committed
# regression inputs, then fuzzes for SECONDS (default 60) from its seed corpus
# plus what earlier runs found (.build-fuzz/TARGET/corpus, not committed).
# A crash, a trap, an ASan error or a hang (-timeout) stops the run; the input is copied to
# Fuzz/TARGET/regressions/ (commit it with the fix) and the status is 1.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: Fuzz/run.sh TARGET [SECONDS]}
seconds=${2:-60}
work=.build-fuzz/$target
fuzzer=$(Fuzz/build.sh "$target" | tail -1)
mkdir -p "$work/corpus" "$work/artifacts" "Fuzz/$target/regressions"
# Leak checks off: Swift keeps pointers to indirect enum payloads with spare
# bits set, which LeakSanitizer cannot see, so every ABIType held in a global
# reads as a leak. Growth is what `make soak` measures instead.
export SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
opts=(-timeout=20 -rss_limit_mb=3072 -max_len=8192 -print_final_stats=1 -detect_leaks=0)

if compgen -G "Fuzz/$target/regressions/*" >/dev/null; then
    echo "fuzz $target: replaying $(ls Fuzz/$target/regressions | wc -l) regression input(s)"
    "$fuzzer" "${opts[@]}" Fuzz/"$target"/regressions/* >"$work/replay.log" 2>&1 || {
        tail -40 "$work/replay.log"
        echo "fuzz $target: a regression input fails again (log: $work/replay.log)" >&2
        exit 1
    }
fi

echo "fuzz $target: ${seconds}s"
status=0
"$fuzzer" "${opts[@]}" -max_total_time="$seconds" -artifact_prefix="$work/artifacts/" \
    "$work/corpus" "Fuzz/$target/corpus" >"$work/fuzz.log" 2>&1 || status=$?
grep -E '^stat::(number_of_executed_units|new_units_added)|^Done' "$work/fuzz.log" | tr '\n' ' '
echo
if [ "$status" -ne 0 ]; then
    grep -E 'fuzz check failed|Fatal error|ERROR: |SUMMARY|Test unit written' "$work/fuzz.log" | head -10 >&2
    for a in "$work"/artifacts/*; do
        [ -f "$a" ] || continue
        cp "$a" "Fuzz/$target/regressions/" && rm "$a"
        echo "fuzz $target: new regression input Fuzz/$target/regressions/$(basename "$a")" >&2
    done
    echo "fuzz $target: FAILED (log: $work/fuzz.log)" >&2
    exit 1
fi
