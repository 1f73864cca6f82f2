#!/bin/sh
# Rebuilds hello.wasm from hello.c. Needs Debian's clang, lld, wasi-libc and
# libclang-rt-dev-wasm32; the built hello.wasm is committed so nothing else does.
set -eu
cd "$(dirname "$0")"
clang --target=wasm32-wasi -O2 -Wl,--strip-debug -o hello.wasm hello.c
