#!/usr/bin/env bash
# Runs every bench/*.bench.sh in turn; each prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
for b in bench/*.bench.sh; do
  [ -e "$b" ] || continue
  echo "== $b"
  bash "$b"
done
