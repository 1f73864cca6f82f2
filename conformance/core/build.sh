#!/bin/sh
# Rebuilds the core conformance programs (Debian clang + wasi-libc); the .wasm files are committed.
set -eu
cd "$(dirname "$0")"
for src in *.c; do
  clang --target=wasm32-wasi -O2 -Wl,--strip-debug -o "${src%.c}.wasm" "$src"
done
