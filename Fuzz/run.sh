#!/usr/bin/env bash
# Runs every fuzz target (or those named) for FUZZ_SECONDS each (default 60),
# starting from the committed seeds and regressions in Fuzz/corpus/<target>/.
# New interesting inputs go to Fuzz/.build/corpus/<target>/ (not committed);
# a crash is written to Fuzz/.build/crashes/<target>/ and stops the run with
# status 1: fix it, then commit the input to Fuzz/corpus/<target>/ as a
# regression (every run replays the whole corpus first).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(json rawlog abi checkpoint classifier header)
Fuzz/build.sh "${targets[@]}"
# Swift's own backtracer reads memory ASan guards: let libFuzzer report the crash.
# Leak checks are off: the Swift runtime keeps metadata caches for the process's life.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
status=0
for t in "${targets[@]}"; do
  work=Fuzz/.build/corpus/$t crashes=Fuzz/.build/crashes/$t
  mkdir -p "$work" "$crashes"
  echo "fuzz: $t for ${seconds}s" >&2
  if ! Fuzz/.build/"$t" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=0 \
      -artifact_prefix="$crashes/" "$work" "Fuzz/corpus/$t" 2> "Fuzz/.build/$t.log"; then
    echo "fuzz: $t found a problem (input in $crashes/, log Fuzz/.build/$t.log):" >&2
    grep -E 'Precondition|Fatal|ERROR|SUMMARY' "Fuzz/.build/$t.log" | head -5 >&2
    status=1
  else
    grep -E '^Done' "Fuzz/.build/$t.log" >&2 || true
  fi
done
exit $status
