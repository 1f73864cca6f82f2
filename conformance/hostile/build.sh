#!/bin/sh
# Rebuilds the hostile programs from their C sources (Debian's clang, lld,
# wasi-libc and libclang-rt-dev-wasm32). The .wasm files are committed so the
# tests need no compiler. exhaust caps its own memory at 8 MiB (appmem mode).
set -eu
cd "$(dirname "$0")"
for src in *.c; do
  extra=""
  [ "$src" = exhaust.c ] && extra="-Wl,--max-memory=8388608"
  clang --target=wasm32-wasi -O2 -Wall -Wno-unused-result -Wl,--strip-debug $extra -o "${src%.c}.wasm" "$src"
done
