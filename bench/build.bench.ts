// box build on the examples: build time (no cache, then from the cache) and
// box size; then start-up of each box (instantiate to _start's return)
// beside the bare program under node:wasi with the same argv, env and files,
// in one run. Targets (issue 7): hello box under 64 KiB; start-up within
// 1 ms of the bare program.

import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';
import { build } from '@marcotte/builder';
import { clock } from '@marcotte/clock';
import { kernel } from '@marcotte/kernel';
import { proc } from '@marcotte/proc';
import { vfs } from '@marcotte/vfs';
import { prepare, genDir } from '../examples/yosys/prepare.ts';

const CAPS = [kernel, clock, vfs, proc];
const examples = fileURLToPath(new URL('../examples/', import.meta.url));
const cacheDir = mkdtempSync(join(tmpdir(), 'build-bench-cache-'));

interface Case {
  name: string;
  context: string;
  /** the bare program, its argv and its files as node:wasi preopens */
  program: string;
  argv: string[];
  env: Record<string, string>;
  preopens: Record<string, string>;
  /** start-up runs (the box and the bare program alike) */
  runs: number;
  /** run-time args for the start-up runs (replacing the box's CMD) */
  startArgs?: string[];
}

await prepare();
const scratch = mkdtempSync(join(tmpdir(), 'build-bench-'));
const cases: Case[] = [
  {
    name: 'hello', context: join(examples, 'hello'), program: join(examples, 'hello/hello.wasm'),
    argv: ['/bin/hello', 'from a Dockerfile'], env: { GREETING: 'Bonjour' }, preopens: { '/data': join(examples, 'hello/data') }, runs: 200,
  },
  {
    name: 'yosys -V', context: join(examples, 'yosys'), program: join(genDir, 'yosys.wasm'),
    argv: ['/usr/bin/yosys', '-V'], env: {}, preopens: { '/share': join(genDir, 'share') }, runs: 10, startArgs: ['-V'],
  },
  {
    name: 'yosys synth', context: join(examples, 'yosys'), program: join(genDir, 'yosys.wasm'),
    argv: ['/usr/bin/yosys', '-Q', '-T', '-s', '/src/synth.ys'], env: {},
    preopens: { '/share': join(genDir, 'share'), '/src': join(examples, 'yosys/design'), '/out': mkdtempSync(join(scratch, 'out-')), '/tmp': mkdtempSync(join(scratch, 'tmp-')) }, runs: 3,
  },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function startup(module: WebAssembly.Module, argv: string[], env: Record<string, string>, preopens: Record<string, string>): Promise<number> {
  // A fresh fd each run: Yosys closes its stdout on exit, and node:wasi passes the close on.
  const out = openSync('/dev/null', 'w');
  const wasi = new WASI({ version: 'preview1', args: argv, env, preopens, returnOnExit: true, stdout: out, stderr: out });
  const t = performance.now();
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports);
  const code = wasi.start(instance);
  const ms = performance.now() - t;
  try {
    closeSync(out);
  } catch {
    // already closed by the program
  }
  if (code !== 0) throw new Error(`exit ${code}`);
  return ms;
}

console.log('case          build (no cache)  build (cached)  box size      start-up box  bare (node:wasi)  difference');
for (const c of cases) {
  let t = performance.now();
  const cold = await build({ context: c.context, capabilities: CAPS, cacheDir: null });
  const coldMs = performance.now() - t;
  await build({ context: c.context, capabilities: CAPS, cacheDir });
  t = performance.now();
  const warm = await build({ context: c.context, capabilities: CAPS, cacheDir });
  const warmMs = performance.now() - t;
  if (!warm.cached) throw new Error(`${c.name}: the second build was not served from the cache`);
  const boxModule = await WebAssembly.compile(cold.bytes);
  const bareModule = await WebAssembly.compile(readFileSync(c.program));
  const boxArgv = [cold.manifest.entrypoint, ...(c.startArgs ?? [])];
  // alternate box and bare runs so that both see the same machine state
  const boxTimes: number[] = [];
  const bareTimes: number[] = [];
  await startup(boxModule, boxArgv, {}, {});
  await startup(bareModule, c.argv, c.env, c.preopens);
  for (let i = 0; i < c.runs; i++) {
    boxTimes.push(await startup(boxModule, boxArgv, {}, {}));
    bareTimes.push(await startup(bareModule, c.argv, c.env, c.preopens));
  }
  const box = median(boxTimes);
  const bare = median(bareTimes);
  const size = cold.bytes.length < 1 << 20 ? `${(cold.bytes.length / 1024).toFixed(1)} KiB` : `${(cold.bytes.length / 1048576).toFixed(1)} MiB`;
  console.log(
    `${c.name.padEnd(14)}${`${coldMs.toFixed(0)} ms`.padStart(16)}${`${warmMs.toFixed(0)} ms`.padStart(16)}${size.padStart(12)}` +
    `${`${box.toFixed(2)} ms`.padStart(14)}${`${bare.toFixed(2)} ms`.padStart(18)}${`${(box - bare >= 0 ? '+' : '')}${(box - bare).toFixed(2)} ms`.padStart(12)}`,
  );
}
console.log('start-up: median of runs, instantiate to _start return, stdout to /dev/null; box capabilities follow the program\'s imports (hello: kernel, vfs, proc)');
rmSync(cacheDir, { recursive: true, force: true });
rmSync(scratch, { recursive: true, force: true });
