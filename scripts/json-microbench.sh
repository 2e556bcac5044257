#!/usr/bin/env bash
# Hand-run microbenchmark of the JSON scanner/writer: builds the JSON layer
# alone with -O and prints ns per ~600-byte raw log line.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${TMPDIR:-/tmp}/cc-json-microbench"
swiftc -O -wmo -swift-version 6 -module-name JSONMicrobench \
    Sources/CCKit/JSON/*.swift Sources/CCKit/Stream/*.swift scripts/json-microbench/main.swift -o "$out"
"$out"
