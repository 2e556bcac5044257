#!/usr/bin/env bash
set -euo pipefail
echo "demo: not wired yet" >&2
