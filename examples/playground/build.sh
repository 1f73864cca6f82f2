#!/bin/sh
# Rebuilds the playground's example programs. Needs Debian's clang, lld,
# wasi-libc and libclang-rt-dev-wasm32; the built .wasm files are committed.
set -eu
cd "$(dirname "$0")"
clang --target=wasm32-wasi -O2 -Wl,--strip-debug -o fsdemo.wasm fsdemo.c
