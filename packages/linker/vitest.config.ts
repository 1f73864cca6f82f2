import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The test workers run WebAssembly on V8's baseline compiler (Liftoff) only, as
// scripts/asc.mjs does for Binaryen and the differential test for wasm-merge: the
// boxes the tests link run for milliseconds, too short for V8's background
// re-compiles of their hot functions with TurboFan to pay back. Validation and what
// a module computes do not depend on the tier.
export default mergeConfig(shared, defineConfig({ test: { execArgv: ['--liftoff-only'] } }));
