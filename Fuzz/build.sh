#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/Targets/*.swift) with swiftc directly:
# each is one module made of the library sources it needs and its target
# file, compiled with -sanitize=fuzzer,address (overflow and bounds traps
# stay on: -Onone). Usage: Fuzz/build.sh [target...]; binaries in Fuzz/.build/.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFTC=${SWIFTC:-swiftc}
out=Fuzz/.build
mkdir -p "$out"

lib=Sources/CCKit
# The folders a target needs (whole folders: they keep building as files come
# and go), plus single files from folders that need C libraries elsewhere.
json_sources() { ls $lib/JSON/*.swift $lib/Stream/*.swift; }
ethereum_sources() { ls $lib/Ethereum/*.swift | grep -v -e Secp256k1.swift -e EIP191.swift; }
sources_for() {
  case "$1" in
    json) json_sources ;;
    rawlog | abi) json_sources; ethereum_sources; ls $lib/ABI/*.swift ;;
    checkpoint) json_sources ;;
    classifier) json_sources; echo $lib/RPC/ProviderError.swift $lib/RPC/ProviderErrorClassifier.swift \
      $lib/RPC/Transport.swift $lib/RPC/RPCClock.swift ;;
    header) json_sources; echo $lib/RPC/HTTPHeaderLine.swift $lib/RPC/Transport.swift $lib/RPC/RPCClock.swift ;;
    *) echo "unknown fuzz target $1" >&2; exit 64 ;;
  esac
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(json rawlog abi checkpoint classifier header)
for t in "${targets[@]}"; do
  echo "fuzz: building $t" >&2
  # shellcheck disable=SC2046
  "$SWIFTC" -sanitize=fuzzer,address -parse-as-library -Onone -g -module-name "Fuzz_$t" \
    $(sources_for "$t") "Fuzz/Targets/$t.swift" -o "$out/$t" \
    2> >(grep -v "Cannot export local symbol" >&2)
done
