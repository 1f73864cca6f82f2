// What --single-memory costs (linker single-memory.ts), in one run: the same
// program linked as a multi-memory box and as a single-memory box, measured
// interleaved so that noise on this shared machine lands on both.
//   1. vfs small operations and sequential writes/reads (programs/fsops.c, as
//      vfs.bench.ts runs it: kernel + vfs + proc, static mode);
//   2. Yosys (examples/yosys: `box build` of its Dockerfile, then the
//      synthesis run), compute-heavy code whose every load and store the
//      single-memory box checks;
//   3. resident memory of a `box run` of each Yosys box (/usr/bin/time), since
//      the single memory's initial size covers every region (2 GiB by default).
// SINGLE_BENCH_OPS=write16,seqwrite picks fsops rows; SINGLE_BENCH_YOSYS=0 skips Yosys.

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernel } from '@marcotte/kernel';
import { proc } from '@marcotte/proc';
import { vfs } from '@marcotte/vfs';
import { clock } from '@marcotte/clock';
import { link } from '@marcotte/linker';
import { runBox } from '@marcotte/runtime';
import { build } from '@marcotte/builder';
import { WORK } from './peers/peer.ts';

const RUNS = 5;
const MIN_MS = 75;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const work = mkdtempSync(join(tmpdir(), 'single-bench-'));

// --- 1. fsops ---------------------------------------------------------------

const OPS = [
  { name: 'write16', label: 'write 16 B (ns/op)', start: 20_000 },
  { name: 'read16', label: 'pread 16 B (ns/op)', start: 20_000 },
  { name: 'openclose', label: 'open + close (ns/op)', start: 2_000 },
  { name: 'stat', label: 'stat (ns/op)', start: 5_000 },
  { name: 'create', label: 'create O_EXCL + close (ns/op)', start: 2_000 },
  { name: 'seqwrite', label: 'seq. write 64 MiB, 64 KiB chunks (MB/s)', start: 1, rate: true },
  { name: 'seqread', label: 'seq. read 64 MiB, 64 KiB chunks (MB/s)', start: 1, rate: true },
];

const fsops = readFileSync(new URL('./programs/fsops.wasm', import.meta.url));
const fsBox = (singleMemory: boolean) => link(fsops, {
  capabilities: [kernel, vfs, proc], entrypoint: 'fsops', args: [], env: [], image: [{ path: WORK, type: 'dir' }], singleMemory,
}).bytes;
const boxes = { multi: fsBox(false), single: fsBox(true) };

/** fsops's one line: `OP COUNT VALUE UNIT ELAPSED_MS`. */
async function fsRun(bytes: Uint8Array, op: string, count: number): Promise<{ value: number; ms: number }> {
  const out = join(work, 'stdout');
  const fd = openSync(out, 'w+');
  try {
    const { exitCode } = await runBox(bytes, { args: [op, String(count), WORK], stdout: fd });
    if (exitCode !== 0) throw new Error(`fsops ${op} exited with ${exitCode}`);
  } finally {
    closeSync(fd);
  }
  const [, , value, , ms] = readFileSync(out, 'utf8').trim().split('\n').at(-1)!.split(' ');
  return { value: Number(value), ms: Number(ms) };
}

const only = process.env.SINGLE_BENCH_OPS?.split(',');
console.log(`single-memory cost, Node ${process.version}; fsops: median of ${RUNS} interleaved runs, each loop >= ${MIN_MS} ms after a warm-up\n`);
console.log('| operation | multi-memory box | single-memory box | single / multi (time) |');
console.log('| --- | ---: | ---: | ---: |');
for (const op of OPS.filter((o) => !only || only.includes(o.name))) {
  let count = op.start;
  let f = await fsRun(boxes.multi, op.name, count);
  while (f.ms < MIN_MS) {
    count = Math.ceil(count * Math.min(8, Math.max(1.25, (1.3 * MIN_MS) / Math.max(f.ms, 0.5))));
    f = await fsRun(boxes.multi, op.name, count);
  }
  await fsRun(boxes.single, op.name, count);
  const m: number[] = [], s: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    m.push((await fsRun(boxes.multi, op.name, count)).value);
    s.push((await fsRun(boxes.single, op.name, count)).value);
  }
  const [mv, sv] = [median(m), median(s)];
  const ratio = op.rate ? mv / sv : sv / mv;
  console.log(`| ${op.label} | ${mv.toFixed(mv >= 100 ? 0 : 1)} | ${sv.toFixed(sv >= 100 ? 0 : 1)} | ${ratio.toFixed(2)}x |`);
}

// --- 2. Yosys ---------------------------------------------------------------

if (process.env.SINGLE_BENCH_YOSYS !== '0') {
  const { prepare } = await import('../examples/yosys/prepare.ts');
  await prepare();
  const context = fileURLToPath(new URL('../examples/yosys', import.meta.url));
  const built: Record<string, Uint8Array> = {};
  for (const [name, singleMemory] of [['multi', false], ['single', true]] as const) {
    const t = performance.now();
    built[name] = (await build({ context, capabilities: [kernel, clock, vfs, proc], cacheDir: null, singleMemory })).bytes;
    console.log(`\nbox build examples/yosys (${name}): ${((performance.now() - t) / 1000).toFixed(1)} s, ${(built[name]!.length / 1e6).toFixed(1)} MB`);
  }
  const yosysRun = async (bytes: Uint8Array) => {
    const fd = openSync('/dev/null', 'w');
    const t = performance.now();
    try {
      const { exitCode } = await runBox(bytes, { stdout: fd });
      if (exitCode !== 0) throw new Error(`yosys exited with ${exitCode}`);
    } finally {
      closeSync(fd);
    }
    return performance.now() - t;
  };
  await yosysRun(built.multi!);
  await yosysRun(built.single!);
  const m: number[] = [], s: number[] = [];
  for (let r = 0; r < 5; r++) {
    m.push(await yosysRun(built.multi!));
    s.push(await yosysRun(built.single!));
  }
  console.log(`\n| Yosys synth (examples/yosys), median of 5 interleaved runs, compile included | multi-memory box | single-memory box | single / multi |`);
  console.log('| --- | ---: | ---: | ---: |');
  console.log(`| wall time (ms) | ${median(m).toFixed(0)} | ${median(s).toFixed(0)} | ${(median(s) / median(m)).toFixed(2)}x |`);
  // The checks make the code larger: compiling it (Liftoff, with TurboFan in the background) is part of the cost.
  const compile = async (bytes: Uint8Array) => {
    const t = performance.now();
    await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
    return performance.now() - t;
  };
  const cm: number[] = [], cs: number[] = [];
  for (let r = 0; r < 3; r++) {
    cm.push(await compile(built.multi!));
    cs.push(await compile(built.single!));
  }
  console.log(`| WebAssembly.compile (ms) | ${median(cm).toFixed(0)} | ${median(cs).toFixed(0)} | ${(median(cs) / median(cm)).toFixed(2)}x |`);
  console.log(`| box size (MB) | ${(built.multi!.length / 1e6).toFixed(1)} | ${(built.single!.length / 1e6).toFixed(1)} | ${(built.single!.length / built.multi!.length).toFixed(2)}x |`);

  // --- 3. Resident memory of box run -----------------------------------------
  if (existsSync('/usr/bin/time')) {
    const cli = fileURLToPath(new URL('../packages/cli/bin/box.js', import.meta.url));
    const rss: Record<string, number[]> = { multi: [], single: [] };
    for (let r = 0; r < 3; r++) {
      for (const name of ['multi', 'single']) {
        const file = join(work, `${name}.box.wasm`);
        writeFileSync(file, built[name]!);
        const p = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, cli, 'run', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
        rss[name]!.push(Number(p.stderr.trim().split('\n').at(-1)));
      }
    }
    console.log(`| peak RSS of box run (MB), median of 3 | ${(median(rss.multi!) / 1024).toFixed(0)} | ${(median(rss.single!) / 1024).toFixed(0)} | ${(median(rss.single!) / median(rss.multi!)).toFixed(2)}x |`);
  }
}
rmSync(work, { recursive: true, force: true });
