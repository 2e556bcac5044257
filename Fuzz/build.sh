#!/usr/bin/env bash
# Builds one libFuzzer target: Fuzz/build.sh TARGET  ->  .build-fuzz/TARGET/fuzzer
#
# Each CCKit layer the target needs (Fuzz/TARGET/layers, bottom to top) is
# compiled as its own module from its folder's sources (the folder is the file
# list: Sources/CCKit/<Layer>/*.swift), instrumented for libFuzzer and
# AddressSanitizer, with -enable-testing so a target may reach internal API
# through @testable import. swift-crypto (used by CCStream and CCSink) comes
# from an ordinary `swift build --target Crypto` and is linked uninstrumented.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${1:?usage: Fuzz/build.sh TARGET}
dir=Fuzz/$target
[ -f "$dir/fuzz.swift" ] || { echo "Fuzz/build.sh: no fuzz target $dir/fuzz.swift" >&2; exit 64; }
out=$root/.build-fuzz/$target
mods=$root/.build-fuzz/modules
mkdir -p "$out" "$mods"

flags=(-O -g -sanitize=fuzzer,address -enable-testing -package-name chaincast -parse-as-library
    -swift-version 6 -I "$mods" -I Sources/CSecp256k1 -I Sources/CCurl -I Sources/CSQLite -I Sources/CPostgres)
# libpq's header lives in its own directory (what SwiftPM gets from pkg-config for CPostgres).
for f in $(pkg-config --cflags-only-I libpq 2>/dev/null); do flags+=(-Xcc "$f"); done
read -r -a layers < "$dir/layers"

objects=()
crypto=""
for layer in "${layers[@]}"; do
    case $layer in CCStream | CCSink) crypto=yes ;; esac
done
if [ -n "$crypto" ]; then
    # Crypto's module and objects from SwiftPM's own build of it (debug, shared with `swift build`).
    swift build --target Crypto >/dev/null
    bin=$(swift build --show-bin-path)
    flags+=(-I "$bin/Modules" -I "$bin")
    for d in "$bin"/Crypto.build "$bin"/CCryptoBoringSSL.build "$bin"/CCryptoBoringSSLShims.build \
        "$bin"/CryptoBoringWrapper.build; do
        [ -d "$d" ] && while IFS= read -r o; do objects+=("$o"); done < <(find "$d" -name '*.o')
    done
    # Crypto's Swift interface refers to its C modules: give clang their module maps.
    for m in $(find "$root/.build/checkouts/swift-crypto/Sources" -name module.modulemap 2>/dev/null); do
        flags+=(-Xcc "-fmodule-map-file=$m")
    done
fi

# Each layer once per build of the fuzz tree; later targets reuse it unless its sources changed.
rebuilt=""
for layer in "${layers[@]}"; do
    folder=${layer#CC}
    srcs=(Sources/CCKit/"$folder"/*.swift)
    obj=$mods/$layer.o
    if [ -n "$rebuilt" ] || [ ! -f "$obj" ] || [ -n "$(find "${srcs[@]}" -newer "$obj" | head -1)" ]; then
        rebuilt=yes
        echo "Fuzz/build.sh: compiling $layer" >&2
        swiftc "${flags[@]}" -module-name "$layer" -wmo -emit-module \
            -emit-module-path "$mods/$layer.swiftmodule" -c "${srcs[@]}" -o "$obj"
    fi
    objects+=("$obj")
done

if [ -z "$rebuilt" ] && [ -f "$out/fuzzer" ] \
    && [ -z "$(find "$dir"/*.swift Fuzz/Support/*.swift "${objects[@]}" -newer "$out/fuzzer" | head -1)" ]; then
    echo "$out/fuzzer"
    exit 0
fi
echo "Fuzz/build.sh: linking $target" >&2
swiftc "${flags[@]}" -module-name "Fuzz_$target" "$dir"/*.swift Fuzz/Support/*.swift "${objects[@]}" -o "$out/fuzzer" 2>&1 \
    | { grep -v "Cannot export local symbol" >&2 || true; }
echo "$out/fuzzer"
