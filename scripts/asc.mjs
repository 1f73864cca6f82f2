// Builds the AssemblyScript modules of the packages named on the command line
// (default: the package in the current directory), each from its
// asconfig.json (the one place its entries and asc options are written), in
// one process: the root's build:assembly task takes every package that has an
// asconfig.json (--all: that file is what makes a package an AssemblyScript
// module), and each package's own build names itself.
//
//   node scripts/asc.mjs [--check] [--all | PACKAGE_DIR...]
//
// A module whose stamp (build/asc-stamp.json, see asc-stamp.mjs) says it is up
// to date is left as it is: after the root task has compiled every module,
// each package's build only checks its own, by content (a Node start and a
// few file reads), and `pnpm --filter @marcotte/vfs build` alone compiles what
// changed. --check compiles nothing: it says which modules are out of date and
// why (exit 1 if any). Delete a package's build/ to compile it again regardless.
//
// The compiles run in a Node whose WebAssembly runs on V8's baseline compiler
// (Liftoff) only; when this Node was started without that flag and has
// something to compile, it runs itself again with it (the root task passes it
// itself, which saves that second start). asc drives Binaryen, a 10 MB
// WebAssembly module: in compiles of seconds, V8's re-compiles of its hot
// functions with TurboFan cost more CPU than they save. The output is the same
// bytes: only the tier that runs Binaryen changes. Measured on the 2-core
// machine, the six modules in one process, three interleaved runs at load
// 1.4: --liftoff-only 4.1-4.2 s on the clock, 4.8-5.0 s of CPU; V8's default
// tiers 4.2-4.8 s, 6.1-6.5 s; with --single-threaded as well (which the six
// separate compiles used, when they shared the two cores) 4.8-5.0 s, 4.8-4.9 s:
// one compile at a time leaves V8's own background threads (garbage
// collection, compilation) a core.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { whyStale } from './asc-stamp.mjs';

const FLAGS = ['--liftoff-only'];

const args = process.argv.slice(2);
const check = args[0] === '--check';
const named = check ? args.slice(1) : args;
const packages = fileURLToPath(new URL('../packages', import.meta.url));
const dirs = named[0] === '--all'
  ? readdirSync(packages).map((d) => join(packages, d)).filter((dir) => existsSync(join(dir, 'asconfig.json'))).sort()
  : named.map((d) => resolve(d));
if (dirs.length === 0) dirs.push(process.cwd());
const name = (dir) => relative(process.cwd(), dir) || basename(dir);

const stale = [];
for (const dir of dirs) {
  if (!existsSync(join(dir, 'asconfig.json'))) {
    console.error(`asc: ${name(dir)}: no asconfig.json (the package's entries and asc options)`);
    process.exit(1);
  }
  const why = whyStale(dir);
  if (why) stale.push(dir);
  if (check) console.log(`asc: ${name(dir)}: ${why ? `out of date: ${why}` : 'up to date'}`);
  else if (!why && dirs.length === 1) console.log(`asc: ${name(dir)}: up to date`);
}

if (check || stale.length === 0) {
  process.exitCode = check && stale.length > 0 ? 1 : 0;
} else if (!FLAGS.every((f) => process.execArgv.includes(f))) {
  const { status, signal, error } = spawnSync(process.execPath, [...FLAGS, fileURLToPath(import.meta.url), ...stale], { stdio: 'inherit' });
  if (error) console.error(`asc: ${error.message}`);
  process.exitCode = status === 0 && !signal ? 0 : 1;
} else {
  // loaded only now: asc and Binaryen take a second to load, the checks above milliseconds
  const { compile } = await import('./asc-compile.mjs');
  let failed = 0;
  for (const dir of stale) {
    const { ok, stderr, summary } = await compile(dir);
    if (stderr) process.stderr.write(stderr);
    if (ok) console.log(`asc: ${name(dir)}: ${summary}`);
    else {
      console.error(`asc: ${name(dir)}: failed: ${summary}`);
      failed++;
    }
  }
  process.exitCode = failed ? 1 : 0;
}
