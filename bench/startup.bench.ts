// Start-up on the user's clock (issue 19, point 1): whole commands spawned
// from a shell, spawn to exit, the commands of a row timed in turn
// (interleaved, so load from other processes falls on all of them alike);
// medians of N, the CPU time each used and its peak RSS (from
// /usr/bin/time, when present: CPU time is what a loaded machine inflates
// least).
//
//   node bench/startup.bench.ts [N]       [BOX=...] [BOX_BEFORE=...]
//
// Rows: `box run` of the hello box (main thread), with `--timeout 10
// --memory 64m` (a worker thread), with `-p` (a worker and the socket
// bridge), each against the bare program under node:wasi in a 5-line
// script, and `box --version` against `node -e 0`. BOX_BEFORE=path/to/box
// adds another build of the CLI (an older one) to every row, in the same
// interleaving: before/after figures from one run.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const node = process.execPath;
// BOX=path/to/box times another build of the CLI with the same setup
const box = process.env.BOX ?? join(root, 'packages/cli/bin/box');
const before = process.env.BOX_BEFORE;
const n = Number(process.argv[2] ?? 21);
const dir = mkdtempSync(join(tmpdir(), 'startup-bench-'));
const data = join(root, 'examples/hello/data');
const helloBox = join(dir, 'hello.box.wasm');
const built = spawnSync(box, ['build', join(root, 'examples/hello'), '-o', helloBox], { encoding: 'utf8' });
if (built.status !== 0) throw new Error(`box build examples/hello failed: ${built.stderr}`);
// The same program listening on a port: `box run -p` bridges a host port to it (it exits at once).
const netBox = join(dir, 'hello-net.box.wasm');
const linked = spawnSync(box.replace(/box$/, 'box-link'), ['--listen', '8080', '--mount-point', '/data', '-o', netBox, join(root, 'examples/hello/hello.wasm')], { encoding: 'utf8' });
if (linked.status !== 0) throw new Error(`box-link --listen failed: ${linked.stderr}`);

// The reference: the bare program under node:wasi in a 5-line script.
const bareScript = join(dir, 'bare.mjs');
writeFileSync(bareScript, [
  "import { readFileSync } from 'node:fs'; import { WASI } from 'node:wasi';",
  "const wasi = new WASI({ version: 'preview1', args: ['hello'], env: {}, preopens: { '/data': process.argv[3] } });",
  'const module = await WebAssembly.compile(readFileSync(process.argv[2]));',
  'wasi.start(await WebAssembly.instantiate(module, wasi.getImportObject()));',
  '',
].join('\n'));
const bare = [node, '--no-warnings', bareScript, join(root, 'examples/hello/hello.wasm'), data];

const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Sample { ms: number; cpu: number; kib: number }

/** One spawn: wall ms from spawn to exit, CPU ms (user + system) and peak RSS in KiB (0 when unknown). */
function once(argv: readonly string[]): Sample {
  const full = timeBin ? [timeBin, '-f', '%U %S %M', ...argv] : [...argv];
  const t = performance.now();
  const r = spawnSync(full[0]!, full.slice(1), { encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  const [user = 0, sys = 0, kib = 0] = timeBin ? r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number) : [];
  return { ms, cpu: (user + sys) * 1000, kib };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Times each command of the row in turn, N rounds; prints each against the last (the reference). */
function row(label: string, commands: ReadonlyArray<readonly [name: string, argv: readonly string[]]>): void {
  for (const [, argv] of commands) once(argv); // warm the page cache and Node's compile cache
  const samples: Sample[][] = commands.map(() => []);
  for (let i = 0; i < n; i++) {
    commands.forEach(([, argv], k) => {
      samples[k]!.push(once(argv));
    });
  }
  const stats = samples.map((s) => ({ ms: median(s.map((x) => x.ms)), cpu: median(s.map((x) => x.cpu)), mib: median(s.map((x) => x.kib)) / 1024 }));
  const ref = stats.at(-1)!;
  console.log(`${label}:`);
  commands.forEach(([name], k) => {
    const s = stats[k]!;
    const vs = k === commands.length - 1 ? '' :
      ` (${(s.ms / ref.ms).toFixed(2)}x, +${(s.ms - ref.ms).toFixed(0)} ms; CPU ${(s.cpu / ref.cpu).toFixed(2)}x, +${(s.cpu - ref.cpu).toFixed(0)} ms; RSS ${(s.mib / ref.mib).toFixed(2)}x)`;
    console.log(`  ${name.padEnd(16)} ${s.ms.toFixed(0).padStart(5)} ms wall ${s.cpu.toFixed(0).padStart(5)} ms CPU ${s.mib.toFixed(0).padStart(4)} MiB${vs}`);
  });
}

/** The row's box commands (this CLI, and the one before when given), then the reference. */
function boxes(args: readonly string[], reference: readonly [string, readonly string[]]): Array<readonly [string, readonly string[]]> {
  return [['box', [box, ...args]], ...(before ? [['box (before)', [before, ...args]] as const] : []), reference];
}

console.log(`startup, median of ${n} interleaved spawns; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
row('box run hello.box.wasm (main thread)', boxes(['run', helloBox], ['bare node:wasi', bare]));
row('box run --timeout 10 --memory 64m (worker)', boxes(['run', '--timeout', '10', '--memory', '64m', helloBox], ['bare node:wasi', bare]));
row('box run -p 0:8080 (worker and socket bridge)', boxes(['run', '-p', '0:8080', '--dir', `${data}:/data`, netBox], ['bare node:wasi', bare]));
row('box --version', boxes(['--version'], ['node -e 0', [node, '-e', '0']]));
console.log(`load average after: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
