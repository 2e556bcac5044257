#!/usr/bin/env bash
# Hand-run microbenchmark of the JSON scanner/writer: builds the JSON layer
# alone with -O and prints CPU ns per ~600-byte raw log line (best of 5).
# Usage: scripts/json-microbench.sh [name-prefix]   e.g. "scan (" for the scanner alone
set -euo pipefail
cd "$(dirname "$0")/.."
out="${TMPDIR:-/tmp}/cc-json-microbench"
swiftc -O -wmo -swift-version 6 -module-name JSONMicrobench \
    Sources/CCKit/JSON/*.swift Sources/CCKit/Stream/ChainCastError.swift Sources/CCKit/Stream/ExitStatus.swift \
    scripts/json-microbench/main.swift -o "$out"
"$out" "$@"
