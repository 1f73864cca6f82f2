#!/bin/sh
# Rebuilds hello.wasm from hello.c. Needs Debian's clang, lld, wasi-libc and
# libclang-rt-dev-wasm32, and an installed workspace (binaryen's wasm-opt);
# the built hello.wasm is committed so nothing else does.
#
# Built for size, as a release binary in an image would be: -Oz, then
# wasm-opt -Oz (most of hello is wasi-libc's printf and malloc, which clang
# does not recompile); the name section stays (-g), for readable traps.
# Issue 7's target: the hello box under 64 KiB.
set -eu
cd "$(dirname "$0")"
clang --target=wasm32-wasi -Oz -Wl,--strip-debug -o hello.wasm hello.c
../../packages/linker/node_modules/.bin/wasm-opt -Oz -g --enable-bulk-memory --enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int hello.wasm -o hello.wasm
