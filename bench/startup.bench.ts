// Start-up on the user's clock (issue 19, point 1): whole commands spawned
// from a shell, spawn to exit, each pair timed in turn (interleaved, so load
// from other processes falls on both sides alike); medians of N, and the peak
// RSS of each (from /usr/bin/time -f %M when present).
//
//   node bench/startup.bench.ts [N]       [BOX=...] (builds the hello box into a temp folder first)

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const node = process.execPath;
// BOX=path/to/box times another build of the CLI (e.g. an older one) with the same setup
const box = process.env.BOX ?? join(root, 'packages/cli/bin/box');
const n = Number(process.argv[2] ?? 21);
const dir = mkdtempSync(join(tmpdir(), 'startup-bench-'));
const helloBox = join(dir, 'hello.box.wasm');
const built = spawnSync(box, ['build', join(root, 'examples/hello'), '-o', helloBox], { encoding: 'utf8' });
if (built.status !== 0) throw new Error(`box build examples/hello failed: ${built.stderr}`);

// The reference: the bare program under node:wasi in a 5-line script.
const bareScript = join(dir, 'bare.mjs');
writeFileSync(bareScript, [
  "import { readFileSync } from 'node:fs'; import { WASI } from 'node:wasi';",
  "const wasi = new WASI({ version: 'preview1', args: ['hello'], env: {}, preopens: { '/data': process.argv[3] } });",
  'const module = await WebAssembly.compile(readFileSync(process.argv[2]));',
  'wasi.start(await WebAssembly.instantiate(module, wasi.getImportObject()));',
  '',
].join('\n'));
const bare = [node, '--no-warnings', bareScript, join(root, 'examples/hello/hello.wasm'), join(root, 'examples/hello/data')];

const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** One spawn: wall ms from spawn to exit, and peak RSS in KiB (0 when unknown). */
function once(argv: readonly string[]): { ms: number; kib: number } {
  const full = timeBin ? [timeBin, '-f', '%M', ...argv] : [...argv];
  const t = performance.now();
  const r = spawnSync(full[0]!, full.slice(1), { encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  const kib = timeBin ? Number(r.stderr.trim().split('\n').at(-1)) : 0;
  return { ms, kib };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

function pair(label: string, ours: readonly string[], reference: readonly string[], refLabel: string): void {
  once(ours); once(reference); // warm the page cache and Node's compile cache
  const a: { ms: number; kib: number }[] = [];
  const b: { ms: number; kib: number }[] = [];
  for (let i = 0; i < n; i++) { a.push(once(ours)); b.push(once(reference)); }
  const am = median(a.map((x) => x.ms)), bm = median(b.map((x) => x.ms));
  const ak = median(a.map((x) => x.kib)) / 1024, bk = median(b.map((x) => x.kib)) / 1024;
  console.log(`${label}: ${am.toFixed(0)} ms vs ${refLabel} ${bm.toFixed(0)} ms ` +
    `(${(am / bm).toFixed(2)}x, +${(am - bm).toFixed(0)} ms); peak RSS ${ak.toFixed(0)} vs ${bk.toFixed(0)} MiB (${(ak / bk).toFixed(2)}x)`);
}

console.log(`startup, median of ${n} interleaved spawns; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
pair('box run hello.box.wasm', [box, 'run', helloBox], bare, 'bare node:wasi');
pair('box run --timeout 10 --memory 64m', [box, 'run', '--timeout', '10', '--memory', '64m', helloBox], bare, 'bare node:wasi');
pair('box --version', [box, '--version'], [node, '-e', '0'], 'node -e 0');
console.log(`load average after: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
