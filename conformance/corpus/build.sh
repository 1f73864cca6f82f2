#!/bin/sh
# Rebuilds every corpus program from its C source (Debian's clang, lld,
# wasi-libc and libclang-rt-dev-wasm32). The .wasm files are committed so the
# tests need no compiler; after a rebuild, regenerate the specs:
# `node generate.ts` (Node 24).
set -eu
cd "$(dirname "$0")"
for src in *.c; do
  clang --target=wasm32-wasi -O2 -Wall -Wno-unused-result -Wl,--strip-debug -o "${src%.c}.wasm" "$src"
done
