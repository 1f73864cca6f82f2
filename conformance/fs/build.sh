#!/bin/sh
# Rebuilds every fs conformance program from its C source (Debian's clang,
# lld, wasi-libc and libclang-rt-dev-wasm32). The .wasm files are committed
# so the tests need no compiler.
set -eu
cd "$(dirname "$0")"
for src in *.c; do
  clang --target=wasm32-wasi -O2 -Wall -Wno-unused-result -Wl,--strip-debug -o "${src%.c}.wasm" "$src"
done
