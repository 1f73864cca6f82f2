// Runs the AssemblyScript compiler (assemblyscript's bin/asc.js) with the
// arguments given, in a Node whose WebAssembly runs on V8's baseline compiler
// (Liftoff) only. asc drives Binaryen, a 10 MB WebAssembly module: in a
// compile of a few seconds, V8's background re-compiles of Binaryen's hot
// functions with its optimizing compiler (TurboFan) cost more CPU than they
// save (vfs.wasm: ~3.8 s of CPU instead of ~6.3 s on the 2-core test
// machine, faster on the clock too). The output is the same bytes: only the
// tier that runs Binaryen changes.
//
// --single-threaded: nor does V8 compile JavaScript or collect garbage on
// threads of its own. The build runs its six compiles side by side on the two
// cores, where those threads only compete with them: a little less CPU
// (vfs.wasm alone: 4.25 s instead of 4.6 s, four interleaved pairs; the six
// at once: 18.8 s instead of 19.7 s, three pairs; load 10-17), the same bytes.
//
// asc.js restarts itself in a child Node unless --enable-source-maps is on
// (for its own stack traces); passing it here keeps that to one child.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const asc = fileURLToPath(import.meta.resolve('assemblyscript/bin/asc.js'));
const { status, signal, error } = spawnSync(process.execPath, ['--liftoff-only', '--single-threaded', '--enable-source-maps', asc, ...process.argv.slice(2)], { stdio: 'inherit' });
if (error) console.error(`asc: ${error.message}`);
process.exitCode = status === 0 && !signal ? 0 : 1;
