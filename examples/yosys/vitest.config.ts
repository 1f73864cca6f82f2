import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The test worker runs WebAssembly on V8's baseline compiler (Liftoff) only, as
// scripts/asc.mjs does for Binaryen. Each test compiles and runs Yosys (a 30.8 MB
// module) for about a second: in a run that short, V8's background re-compiles of
// its hot functions with the optimizing compiler (TurboFan) cost more CPU than
// they save (a static run: ~0.6 s of CPU instead of ~1.3 s on the 2-core test
// machine). What the program computes does not depend on the tier that runs it.
export default mergeConfig(shared, defineConfig({ test: { include: ['*.test.ts'], execArgv: ['--liftoff-only'] } }));
