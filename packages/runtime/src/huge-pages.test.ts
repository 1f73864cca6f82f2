// The huge-page advice (huge-pages.ts, native/huge-pages.c), read back from
// the kernel: /proc/self/smaps marks an advised region `hg` in its VmFlags.
// Which memories and how far: the capabilities' large 32-bit ones, from their
// start to their maximum (4 GiB without one); only the current buffer where V8
// may have reserved less. Whether the kernel then backs them with huge pages
// (AnonHugePages) depends on its THP mode and free memory: not asserted here
// (bench/vfs.bench.ts shows what it is worth).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clock } from '@marcotte/clock';
import { kernel } from '@marcotte/kernel';
import { link } from '@marcotte/linker';
import { proc } from '@marcotte/proc';
import { vfs } from '@marcotte/vfs';
import { adviseHugePages, hugePageAddon } from './huge-pages.ts';
import { runBox } from './node.ts';

const addon = process.platform === 'linux' ? hugePageAddon() : null;
if (!addon) {
  console.warn(`SKIPPED huge-page advice tests: ${process.platform !== 'linux' ? `not Linux (${process.platform})` : 'the addon is not built (packages/runtime/build/huge-pages.node: the build printed why; boxes run without huge-page advice)'}`);
}

/** The address ranges the kernel has marked MADV_HUGEPAGE, as [start, end) pairs. */
function advisedRanges(): Array<[bigint, bigint]> {
  const ranges: Array<[bigint, bigint]> = [];
  let range: [bigint, bigint] | undefined;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (head) range = [BigInt(`0x${head[1]}`), BigInt(`0x${head[2]}`)];
    else if (line.startsWith('VmFlags:') && / hg\b/.test(line) && range) ranges.push(range);
  }
  return ranges;
}

/** The lengths of the runs of advised ranges that are new since `before` (adjacent ranges joined: a memory's committed part and its reserved rest). */
function newlyAdvised(before: Array<[bigint, bigint]>): number[] {
  const known = new Set(before.map(([a, b]) => `${a}-${b}`));
  const fresh = advisedRanges().filter(([a, b]) => !known.has(`${a}-${b}`)).sort((x, y) => (x[0] < y[0] ? -1 : 1));
  const runs: Array<[bigint, bigint]> = [];
  for (const [a, b] of fresh) {
    const last = runs.at(-1);
    if (last && last[1] === a) last[1] = b;
    else runs.push([a, b]);
  }
  return runs.map(([a, b]) => Number(b - a)).sort((x, y) => x - y);
}

const name = (s: string) => [s.length, ...new TextEncoder().encode(s)];
const section = (id: number, body: number[]) => [id, body.length, ...body];
const MiB = 1 << 20;

/** A box-like module: the program's memory and capabilities' memories of several types, 2 pages each at first. */
function boxLike(): Uint8Array {
  const memories = [5,
    0x00, 2, // memory: the program's, no maximum
    0x00, 2, // box.vfs.memory: no maximum
    0x01, 2, 0x80, 0x02, // box.capped.memory: at most 256 pages (16 MiB)
    0x01, 2, 32, // box.small.memory: at most 32 pages (2 MiB: no huge page fits beside its start)
    0x03, 1, 1, // box.interrupt.memory: shared, one page
  ];
  const names = ['memory', 'box.vfs.memory', 'box.capped.memory', 'box.small.memory', 'box.interrupt.memory'];
  const exports = [names.length, ...names.flatMap((n, i) => [...name(n), 2, i])];
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(5, memories), ...section(7, exports)]);
}

/**
 * A child's module script: advises boxLike()'s memories, prints the names advised, then the sizes of
 * its mappings the kernel marks `hg` (advised for huge pages) in /proc/self/smaps.
 */
function adviceScript(): string {
  return [
    `import { adviseHugePages } from ${JSON.stringify(new URL('./huge-pages.ts', import.meta.url).href)};`,
    `const bytes = new Uint8Array(${JSON.stringify([...boxLike()])});`,
    'const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes));',
    'console.log(JSON.stringify(adviseHugePages(bytes, exports)));',
    "const hg = process.getBuiltinModule('node:fs').readFileSync('/proc/self/smaps', 'utf8').split(/\\n(?=[0-9a-f]+-)/).filter((m) => / hg\\b/.test(m));",
    "console.log(JSON.stringify(hg.map((m) => { const [a, b] = m.split(' ')[0].split('-'); return Number(BigInt('0x' + b) - BigInt('0x' + a)); })));",
  ].join('\n');
}

describe.skipIf(!addon)('huge-page advice for a box\'s memories', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ['MARCOTTE_HUGE_PAGES', 'NODE_OPTIONS']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('advises each large capability memory from its start to its maximum, 4 GiB without one', () => {
    const bytes = boxLike();
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>));
    const before = advisedRanges();
    expect(adviseHugePages(bytes, exports)).toEqual(['box.vfs.memory', 'box.capped.memory']);
    expect(newlyAdvised(before)).toEqual([16 * MiB, 4096 * MiB]);
  });

  it('keeps the advice over what the memory grows into', () => {
    const bytes = boxLike();
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>));
    adviseHugePages(bytes, exports);
    const before = advisedRanges();
    (exports['box.capped.memory'] as WebAssembly.Memory).grow(100);
    // V8 made the grown part writable inside the advised reservation: the same 16 MiB, split otherwise
    const after = advisedRanges();
    expect(after.length).toBeGreaterThanOrEqual(before.length);
    expect(newlyAdvised(before)).toEqual([16 * MiB]);
  });

  it('runBox advises a box linked as box build links it before its program runs: the capabilities\' memories, not the program\'s', async () => {
    const hello = readFileSync(new URL('../../../examples/hello/hello.wasm', import.meta.url));
    const { bytes } = link(hello, { capabilities: [kernel, vfs, proc, clock], entrypoint: 'hello', args: [], env: [], clock: 'host' });
    for (const wanted of [true, false]) {
      if (!wanted) process.env.MARCOTTE_HUGE_PAGES = '0';
      const before = advisedRanges();
      let during: number[] | undefined;
      // read while the box runs (its first write), when its memories are surely mapped
      await runBox(bytes, { onOutput: () => void (during ??= newlyAdvised(before)) });
      // kernel, vfs, proc and clock declare no maximum: 4 GiB each; the program's memory is not advised
      expect(during).toEqual(wanted ? [4096 * MiB, 4096 * MiB, 4096 * MiB, 4096 * MiB] : []);
    }
  });

  it('advises nothing for an export that only looks like a memory (a buffer of its own, page-aligned)', () => {
    const bytes = boxLike();
    // a resizable ArrayBuffer is reserved page-aligned for its 64 KiB: 4 GiB from its start is others' memory
    const foreign: ArrayBuffer = Reflect.construct(ArrayBuffer, [65536, { maxByteLength: 65536 }]); // (this TS lib has no resizable ArrayBuffers)
    const fake = Object.create(WebAssembly.Memory.prototype, { buffer: { value: foreign } }) as WebAssembly.Memory;
    expect(fake).toBeInstanceOf(WebAssembly.Memory);
    const before = advisedRanges();
    expect(adviseHugePages(bytes, { 'box.vfs.memory': fake, 'box.capped.memory': fake })).toEqual([]);
    expect(newlyAdvised(before)).toEqual([]);
  });

  it('advises nothing with MARCOTTE_HUGE_PAGES=0', () => {
    process.env.MARCOTTE_HUGE_PAGES = '0';
    const bytes = boxLike();
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>));
    const before = advisedRanges();
    expect(adviseHugePages(bytes, exports)).toEqual([]);
    expect(newlyAdvised(before)).toEqual([]);
  });

  it('advises only the current buffer when V8 may have reserved less than the maximum (no trap handler)', () => {
    process.env.NODE_OPTIONS = '--disable-wasm-trap-handler';
    const bytes = boxLike();
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>));
    const before = advisedRanges();
    expect(adviseHugePages(bytes, exports)).toEqual(['box.vfs.memory', 'box.capped.memory']);
    expect(newlyAdvised(before)).toEqual([128 * 1024, 128 * 1024]);
  });

  it('advises only the current buffer when a config file may have turned the trap handler off (execArgv does not show it)', () => {
    // Node 24 reads nodeOptions from the file: the memories then have no guard regions, and execArgv
    // shows only --experimental-config-file (seen in /proc/self/maps: a 16 MiB reservation for 256 pages)
    const dir = mkdtempSync(join(tmpdir(), 'huge-pages-config-'));
    const config = join(dir, 'node.config.json');
    writeFileSync(config, JSON.stringify({ nodeOptions: { 'disable-wasm-trap-handler': true } }));
    try {
      const run = spawnSync(process.execPath, [`--experimental-config-file=${config}`, '--no-warnings', '--input-type=module', '-e', adviceScript()], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      const [advised, sizes] = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(advised).toEqual(['box.vfs.memory', 'box.capped.memory']);
      expect(sizes).toEqual([128 * 1024, 128 * 1024]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('advises only the current buffer under a virtual-memory limit (Node may turn the trap handler off there)', () => {
    // a process of its own: RLIMIT_AS cannot be lowered and raised again here
    const run = spawnSync('/bin/sh', ['-c', 'ulimit -v 8000000 && exec "$0" --input-type=module -e "$1"', process.execPath, adviceScript()], { encoding: 'utf8' });
    expect(run.stderr.replace(/.*ExperimentalWarning.*\n|.*--trace-warnings.*\n/g, '')).toBe('');
    const [advised, sizes] = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(advised).toEqual(['box.vfs.memory', 'box.capped.memory']);
    expect(sizes).toEqual([128 * 1024, 128 * 1024]);
  });
});
