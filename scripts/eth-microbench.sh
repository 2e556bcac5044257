#!/usr/bin/env bash
# Hand-run microbenchmark of CCKit/Ethereum (everything but Secp256k1, which
# needs the C library): builds those files alone with -O, prints ns per op.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${TMPDIR:-/tmp}/cc-eth-microbench"
e=Sources/CCKit/Ethereum
swiftc -O -wmo -swift-version 6 -module-name EthMicrobench \
    "$e/Hex.swift" "$e/Keccak256.swift" "$e/ChecksumAddress.swift" "$e/UInt256.swift" \
    "$e/UInt256+Arithmetic.swift" "$e/UInt256+Text.swift" "$e/Int256.swift" \
    scripts/eth-microbench/main.swift -o "$out"
"$out"
