#!/bin/sh
# Rebuilds server.wasm from server.c. Needs Debian's clang, lld, wasi-libc and
# libclang-rt-dev-wasm32; the built server.wasm is committed so nothing else does.
set -eu
cd "$(dirname "$0")"
clang --target=wasm32-wasi -O2 -Wall -Wl,--strip-debug -o server.wasm server.c
