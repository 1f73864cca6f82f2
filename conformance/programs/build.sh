#!/bin/sh
# Rebuilds every conformance program from its C source. Needs Debian's clang,
# lld, wasi-libc and libclang-rt-dev-wasm32; the built .wasm files are
# committed so the tests need no compiler.
set -eu
cd "$(dirname "$0")"
for src in *.c; do
  clang --target=wasm32-wasi -O2 -Wl,--strip-debug -o "${src%.c}.wasm" "$src"
done
# The Rust program: Debian's /usr/bin/rustc with libstd-rust-dev-wasm32 (the
# rustc first on PATH may be another install without a Wasm std).
if [ -x /usr/bin/rustc ]; then
  /usr/bin/rustc --target wasm32-wasi -O -C strip=debuginfo -o cwd_rust.wasm cwd_rust.rs
fi
