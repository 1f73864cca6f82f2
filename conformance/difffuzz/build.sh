#!/bin/sh
# Rebuilds the interpreter (Debian's clang, lld, wasi-libc and
# libclang-rt-dev-wasm32); interp.wasm is committed so the tests need no compiler.
set -eu
cd "$(dirname "$0")"
clang --target=wasm32-wasi -O2 -Wall -Wl,--strip-debug -o interp.wasm interp.c
