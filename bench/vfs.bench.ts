// Filesystem operations in a box (kernel + vfs + proc, merged) side by side
// with four other WASI hosts, in one run on this Node. Every figure is timed
// by programs/fsops.c around its own hot loop (CLOCK_MONOTONIC, setup left
// out); this file only picks loop counts (each loop runs >= 50 ms after a
// warm-up run), runs the peers of a row in turn, five rounds, and prints the
// medians. Then start-up: instantiate + _start of an
// empty program in a box with a 100 MB image against one with an empty image.
// Target (start-up): the image adds < 1 ms.
//
// VFS_BENCH_SLOW=1 also runs what takes minutes on a peer (see peers/*.ts).
// VFS_BENCH_OPS=write16,seqwrite runs only those rows (and no start-up part).
// "box + clock" is the box linked as `box build` links it (fs, proc, clock host).
// VFS_BENCH_BEFORE=/path/to/other/checkout adds that checkout's box + clock
// (its own packages, built) as one more box peer: before/after in one run.

import { openSync, readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import type { ImageEntry } from '@marcotte/abi';
import { kernel } from '@marcotte/kernel';
import { proc } from '@marcotte/proc';
import { vfs } from '@marcotte/vfs';
import { link } from '@marcotte/linker';
import { adviseHugePages, loadBox } from '@marcotte/runtime';
import { box, partsFrom } from './peers/box.ts';
import { nodeWasi } from './peers/node-wasi.ts';
import { browserWasiShim } from './peers/browser-wasi-shim.ts';
import { wasmer } from './peers/wasmer.ts';
import { wasmUtilMemfs } from './peers/wasm-util-memfs.ts';
import { WORK, type Peer } from './peers/peer.ts';

const MIN_MS = 50;
/** calibration stops at a loop this long, so that the measured runs stay above MIN_MS despite noise */
const CALIBRATED_MS = 1.5 * MIN_MS;
/** measured runs per cell, after calibration, interleaved across peers; the table shows their median */
const RUNS = 5;

interface Op {
  name: string;
  label: string;
  /** count of the first (warm-up) run; later runs scale it until the loop takes CALIBRATED_MS */
  start: number;
  /** higher is better (MB/s) rather than lower (ns) */
  rate?: boolean;
  /** the most passes fsops can count: its byte totals are a wasm32 `long` (32 bits), 32 passes of 64 MiB at most */
  max?: number;
}

const OPS: Op[] = [
  { name: 'write16', label: 'write 16 B (ns/op)', start: 20_000 },
  { name: 'read16', label: 'pread 16 B (ns/op)', start: 20_000 },
  { name: 'openclose', label: 'open + close (ns/op)', start: 2_000 },
  { name: 'stat', label: 'stat (ns/op)', start: 5_000 },
  { name: 'create', label: 'create O_EXCL + close (ns/op)', start: 2_000 },
  { name: 'readdir', label: 'readdir, 2,000 entries (ns/entry)', start: 1 },
  { name: 'seqwrite', label: 'seq. write 64 MiB, 64 KiB chunks (MB/s)', start: 1, rate: true, max: 31 },
  { name: 'seqread', label: 'seq. read 64 MiB, 64 KiB chunks (MB/s)', start: 1, rate: true, max: 31 },
  { name: 'clock', label: 'clock_gettime (ns/op)', start: 20_000 },
];

interface Figure {
  value: number;
  count: number;
  ms: number;
}
type Cell = Figure | { na: string };

/** `OP COUNT VALUE UNIT ELAPSED_MS`, fsops's one line. */
function parse(op: string, stdout: string): Figure {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  const [name, count, value, , ms] = line.split(' ');
  if (name !== op || ms === undefined) throw new Error(`unexpected output: ${JSON.stringify(stdout)}`);
  return { value: Number(value), count: Number(count), ms: Number(ms) };
}

/** The count at which `peer`'s loop takes CALIBRATED_MS (the first run is a warm-up), or why there is none. */
async function calibrate(peer: Peer, op: Op): Promise<number | { na: string }> {
  if (peer.unavailable) return { na: peer.unavailable };
  const skip = peer.skip?.[op.name];
  if (skip) return { na: skip };
  let count = op.start;
  try {
    let figure = await run(peer, op, count); // warm-up
    do {
      // Grow at most 8x a step: some peers are quadratic in the file size.
      if (figure.ms < CALIBRATED_MS) count = Math.ceil(count * Math.min(8, Math.max(1.25, (1.3 * CALIBRATED_MS) / Math.max(figure.ms, 0.5))));
      if (op.max !== undefined && count >= op.max) count = op.max;
      figure = await run(peer, op, count);
    } while (figure.ms < CALIBRATED_MS && count !== op.max);
    return count;
  } catch (e) {
    return { na: (e as Error).message.split('\n')[0]! };
  }
}

const run = async (peer: Peer, op: Op, count: number) => parse(op.name, await peer.run([op.name, String(count), WORK]));

/**
 * Each peer calibrated, then RUNS rounds in which every peer runs once at its
 * count, so that a burst of noise on this machine lands on every peer of the
 * row rather than on one; each cell is the median of its peer's runs.
 */
async function measureRow(peers: Peer[], op: Op): Promise<Cell[]> {
  const counts: (number | { na: string })[] = [];
  for (const peer of peers) counts.push(await calibrate(peer, op));
  const figures: Figure[][] = peers.map(() => []);
  const failed: (string | undefined)[] = peers.map(() => undefined);
  for (let r = 0; r < RUNS; r++) {
    for (let i = 0; i < peers.length; i++) {
      const count = counts[i]!;
      if (typeof count !== 'number' || failed[i]) continue;
      try {
        figures[i]!.push(await run(peers[i]!, op, count));
      } catch (e) {
        failed[i] = (e as Error).message.split('\n')[0]!;
      }
    }
  }
  return counts.map((count, i) => {
    if (typeof count !== 'number') return count;
    if (failed[i]) return { na: failed[i]! };
    const sorted = figures[i]!.sort((a, b) => a.value - b.value);
    return sorted[RUNS >> 1]!;
  });
}

const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

const program = readFileSync(new URL('./programs/fsops.wasm', import.meta.url));
const beforeTree = process.env.VFS_BENCH_BEFORE;
const boxes = [box(program), box(program, 'static', true)];
// The same box without huge-page advice for its memories (runtime huge-pages.ts): what the advice is worth, in one run.
boxes.push(box(program, 'static', true, undefined, ' (MARCOTTE_HUGE_PAGES=0)', { MARCOTTE_HUGE_PAGES: '0' }));
if (beforeTree) boxes.push(box(program, 'static', true, await partsFrom(beforeTree), ' (VFS_BENCH_BEFORE)'));
const BOXES = boxes.length;
const peers: Peer[] = [...boxes, nodeWasi(program), browserWasiShim(program), await wasmer(program), wasmUtilMemfs(program)];
const results = new Map<string, Cell[]>();
const started = performance.now();
const only = process.env.VFS_BENCH_OPS?.split(',');
const ops = only ? OPS.filter((op) => only.includes(op.name)) : OPS;
for (const op of ops) results.set(op.name, await measureRow(peers, op));
const opsSeconds = (performance.now() - started) / 1000;

console.log(`\nfsops on each WASI host, Node ${process.version}; median of ${RUNS} runs, each loop >= ${MIN_MS} ms, after a warm-up run (${opsSeconds.toFixed(0)} s in all)\n`);
console.log(`| operation | ${peers.map((p) => p.name).join(' | ')} | best peer | ${peers.slice(0, BOXES).map((p) => `best peer / ${p.name}`).join(' | ')} |`);
console.log(`| --- |${' ---: |'.repeat(peers.length + 1 + BOXES)}`);
const notes: string[] = [];
for (const op of ops) {
  const row = results.get(op.name)!;
  const cells = row.map((c, i) => {
    if ('value' in c) return fmt(c.value);
    notes.push(`${peers[i]!.name}, ${op.name}: n/a: ${c.na}`);
    return 'n/a';
  });
  const boxCells = row.slice(0, BOXES);
  let best: { value: number; name: string } | undefined;
  row.slice(BOXES).forEach((c, i) => {
    if (!('value' in c)) return;
    if (!best || (op.rate ? c.value > best.value : c.value < best.value)) best = { value: c.value, name: peers[i + BOXES]!.name };
  });
  const ratios = boxCells.map((boxCell) => {
    if (!best || !('value' in boxCell)) return 'n/a';
    return `${(op.rate ? boxCell.value / best.value : best.value / boxCell.value).toFixed(2)}x`;
  });
  console.log(`| ${op.label} | ${cells.join(' | ')} | ${best ? `${fmt(best.value)} (${best.name})` : 'n/a'} | ${ratios.join(' | ')} |`);
}
console.log('\nbest peer / box: how many times faster the box is (box / best peer for MB/s rows); below 1, the peer is faster.');
for (const peer of peers) {
  for (const [op, note] of Object.entries(peer.notes ?? {})) notes.push(`${peer.name}${op === '*' ? '' : `, ${op}`}: ${note}`);
}
for (const note of [...new Set(notes)]) console.log(`- ${note}`);
console.log('\nloop counts (loop ms):\n');
console.log(`| operation | ${peers.map((p) => p.name).join(' | ')} |`);
console.log(`| --- |${' ---: |'.repeat(peers.length)}`);
for (const op of ops) {
  const cells = results.get(op.name)!.map((c) => ('value' in c ? `${c.count} (${c.ms.toFixed(0)})` : 'n/a'));
  console.log(`| ${op.name} | ${cells.join(' | ')} |`);
}

if (only) process.exit(0);

// --- Start-up: a 100 MB image against an empty one --------------------------

const FILES = 10_000;
const FILE_BYTES = 10 * 1024;
const ROUNDS = 21;

function bigImage(): ImageEntry[] {
  const image: ImageEntry[] = [{ path: '/data', type: 'dir' }];
  let x = 0x9e3779b9;
  for (let d = 0; d < 100; d++) {
    image.push({ path: `/data/d${String(d).padStart(2, '0')}`, type: 'dir' });
    for (let f = 0; f < FILES / 100; f++) {
      const words = new Uint32Array(FILE_BYTES / 4);
      for (let i = 0; i < words.length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        words[i] = x >>> 0;
      }
      image.push({ path: `/data/d${String(d).padStart(2, '0')}/f${String(f).padStart(3, '0')}`, type: 'file', data: new Uint8Array(words.buffer) });
    }
  }
  return image;
}

/** A program linked with kernel + vfs + proc over `image`, compiled. */
async function startBox(program: Uint8Array, entrypoint: string, image: ImageEntry[]) {
  const t = performance.now();
  const bytes = link(program, { capabilities: [kernel, vfs, proc], entrypoint, args: [], env: [], image }).bytes;
  const linkMs = performance.now() - t;
  return { ...(await loadBox(bytes)), bytes, size: bytes.length, linkMs };
}

/** instantiate + _start, as runBox does it once the box is compiled (huge-page advice included). */
async function startUp({ module, bytes }: { module: WebAssembly.Module; bytes: Uint8Array }, args: string[]): Promise<number> {
  const wasi = new WASI({ version: 'preview1', args, env: {}, returnOnExit: true, stdout: devnull });
  const t = performance.now();
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports);
  adviseHugePages(bytes, instance.exports);
  const code = wasi.start(instance);
  const ms = performance.now() - t;
  if (code !== 0) throw new Error(`${args.join(' ')} exited with ${code}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Median start-up of the same program over `base` and over `base` + the big image, interleaved. */
async function compareStartUp(program: Uint8Array, args: string[], base: ImageEntry[], image: ImageEntry[]) {
  const small = await startBox(program, args[0]!, base);
  const large = await startBox(program, args[0]!, [...base, ...image]);
  for (let i = 0; i < 3; i++) {
    await startUp(small, args);
    await startUp(large, args);
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    a.push(await startUp(small, args));
    b.push(await startUp(large, args));
  }
  return { small, large, smallMs: median(a), largeMs: median(b) };
}

const devnull = openSync('/dev/null', 'w');
const image = bigImage();
const imageBytes = image.reduce((n, e) => n + (e.data?.length ?? 0), 0);
const nop = readFileSync(new URL('./programs/nop.wasm', import.meta.url));
const trivial = await compareStartUp(nop, ['nop'], [], image);
// fsops opens and stats a file, so wasi-libc lists the preopens and the vfs reads its index.
const touching = await compareStartUp(program, ['fsops', 'stat', '1', WORK], [{ path: WORK, type: 'dir' }], image);

console.log(`\nstart-up: WebAssembly.instantiate through _start, kernel + vfs + proc, median of ${ROUNDS} (interleaved)\n`);
console.log(`| program | small image: box size | start-up (ms) | ${FILES.toLocaleString('en')} files, ${(imageBytes / 1e6).toFixed(1)} MB: box size | start-up (ms) | difference (ms) |`);
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const [name, r] of [['int main(){return 0;} (empty image)', trivial], ['fsops stat 1 /work (image: /work only)', touching]] as const) {
  console.log(`| ${name} | ${(r.small.size / 1e3).toFixed(0)} kB | ${r.smallMs.toFixed(3)} | ${(r.large.size / 1e6).toFixed(1)} MB | ${r.largeMs.toFixed(3)} | ${(r.largeMs - r.smallMs).toFixed(3)} |`);
}
const diff = trivial.largeMs - trivial.smallMs;
console.log(`\ntarget: the image adds < 1 ms to the start-up of int main(){return 0;}: ${Math.abs(diff) < 1 ? 'met' : 'NOT met'} (${diff.toFixed(3)} ms); linking the 100 MB image took ${trivial.large.linkMs.toFixed(0)} ms`);
