// box-link of Yosys (30.8 MB) through the CLI, spawn to exit, as a user runs it
// (`box-link --fs --proc --clock host`, the capabilities `box build` links), beside
// peers timed in the same run, in turn, so that load on a shared machine hits each:
//  - `node -e 0`: the floor of any Node command;
//  - a Node script that reads the module and writes it back (the I/O floor);
//  - binaryen reading and writing the same module, in its own process (once: ~15 s).
// Target (issue 19): >= 100 MB/s of input, spawn to exit, at this machine's floor (node -e 0 + read+write); the
// last lines give each build's ratio to that floor. Run it with the pinned Node:
//   cd bench && npx -y pnpm@10.34.9 exec node link-cli.bench.ts   (LINK_CLI_ROUNDS=N, default 7)
// box-link is run as a user runs it: packages/cli/bin/box-link, the launcher (which execs the
// pinned Node with the flags box-link wants). LINK_CLI_BEFORE=path/to/other/packages/cli/bin/box-link
// also times another build of the CLI the same way, in the same rounds (before/after in one run;
// a worktree of an older commit).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const input = join(here, '../examples/yosys/gen/yosys.wasm');
const boxLink = join(here, '../packages/cli/bin/box-link');
const MB = statSync(input).size / 1e6;
const out = mkdtempSync(join(tmpdir(), 'link-cli-'));
const rounds = Number(process.env.LINK_CLI_ROUNDS ?? 7);

// On a loaded machine wall time mostly measures the wait for a core; the CPU time the
// command used (user + sys, from /usr/bin/time when it is there) is reported beside it.
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Runs `command` (a node argv, or a launcher when it names one: no .js, no option) and times it. */
function timed(command: string[]): { wall: number; cpu: number } {
  const argv = command[0]!.startsWith('-') || command[0]!.endsWith('.js') ? [process.execPath, ...command] : command;
  const t = performance.now();
  const r = gnuTime
    ? spawnSync(gnuTime, ['-f', 'CPU %U %S', ...argv], { cwd: here, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
    : spawnSync(argv[0]!, argv.slice(1), { cwd: here, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const wall = performance.now() - t;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  const cpu = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { wall, cpu: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN };
}

const linkArgs = ['--fs', '--proc', '--clock', 'host', '-o', join(out, 'y.box.wasm'), input];
const before = process.env.LINK_CLI_BEFORE;
const peers: Record<string, string[]> = {
  'box-link --fs --proc --clock host': [boxLink, ...linkArgs],
  ...(before ? { 'box-link, LINK_CLI_BEFORE build': [before, ...linkArgs] } : {}),
  'node -e 0': ['-e', '0'],
  'node read+write (I/O floor)': ['-e', `const f=require('fs');f.writeFileSync(${JSON.stringify(join(out, 'copy.wasm'))},f.readFileSync(${JSON.stringify(input)}))`],
};
const times: Record<string, { wall: number; cpu: number }[]> = Object.fromEntries(Object.keys(peers).map((k) => [k, []]));
// the first run fills Node's compile cache, as a user's first run does
for (const [name, args] of Object.entries(peers)) if (name.startsWith('box-link')) timed(args);
const load = [loadavg()[0]!];
for (let i = 0; i < rounds; i++) for (const [name, args] of Object.entries(peers)) times[name]!.push(timed(args));
load.push(loadavg()[0]!);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
console.log(`input: yosys.wasm ${MB.toFixed(1)} MB; ${rounds} rounds, peers in turn; load average ${load.map((l) => l.toFixed(1)).join(' -> ')} on ${navigator.hardwareConcurrency} cores`);
const rate = (ms: number) => `${(MB / (ms / 1000)).toFixed(0)} MB/s`;
for (const [name, xs] of Object.entries(times)) {
  const wall = median(xs.map((x) => x.wall));
  const cpu = median(xs.map((x) => x.cpu));
  const perMB = name.startsWith('box-link') || name.includes('read+write');
  console.log(`${name.padEnd(36)} wall median ${wall.toFixed(0).padStart(6)} ms${perMB ? ` = ${rate(wall)}` : ''}; CPU (user+sys) median ${cpu.toFixed(0)} ms${perMB && cpu > 0 ? ` = ${rate(cpu)}` : ''}`);
}
const link = median(times['box-link --fs --proc --clock host']!.map((x) => x.wall));
console.log(`box-link beyond node -e 0 (wall): ${(link - median(times['node -e 0']!.map((x) => x.wall))).toFixed(0)} ms`);
// The floor this machine gives a command that reads the program and writes a box of its size, and how far
// each box-link build is from it (1.00x: no slower than copying the file), in wall and in CPU time: the
// floor is node -e 0 plus the read+write peer (issue 19's measure), and the read+write peer alone beside it.
for (const what of ['wall', 'cpu'] as const) {
  const m = (name: string) => median(times[name]!.map((x) => x[what]));
  const io = m('node read+write (I/O floor)');
  const floor = m('node -e 0') + io;
  const ratios = Object.keys(times).filter((name) => name.startsWith('box-link')).map((name) => `${name.includes('BEFORE') ? 'before' : 'box-link'} ${(m(name) / floor).toFixed(2)}x (${(m(name) / io).toFixed(2)}x read+write alone)`);
  console.log(`floor (${what}): node -e 0 + read+write = ${floor.toFixed(0)} ms; ${ratios.join(', ')}`);
}

if (process.env.LINK_CLI_BINARYEN !== '0') {
  // ESM (binaryen is a module), resolved from this folder
  const script = `import b from 'binaryen';import {readFileSync} from 'node:fs';const m=b.readBinary(readFileSync(${JSON.stringify(input)}));m.emitBinary();m.dispose()`;
  const { wall, cpu } = timed(['--input-type=module', '-e', script]);
  console.log(`binaryen read+write (own process, once): wall ${wall.toFixed(0)} ms = ${(MB / (wall / 1000)).toFixed(1)} MB/s, CPU ${cpu.toFixed(0)} ms; ratio ${(wall / link).toFixed(1)}x box-link (wall)`);
}
rmSync(out, { recursive: true, force: true });
