#!/bin/sh
# Rebuilds hostescape.wasm from hostescape.c (Debian clang + wasi-libc); the
# built .wasm is committed so the tests need no C toolchain.
set -eu
cd "$(dirname "$0")"
clang --target=wasm32-wasi -O2 -Wall -Wl,--strip-debug -o hostescape.wasm hostescape.c
