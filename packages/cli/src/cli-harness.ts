// The built CLI (dist/cli.js and dist/box-run.js, as users get them) called
// in the test's own process: for the cases whose process boundary is not
// what a test checks, a spawn per case cost a Node start and a bundle load
// each (~0.2-0.3 s of CPU, most of it page faults on the 2-core machine).
// `box run` too: its box reads and writes host fds, so here it gets files
// in their place, as a shell's redirections would give it, and the CLI's
// own lines go to the same stderr file in the order they were written.
// What only a process shows stays spawned in the tests that check it: the
// real bin's exit status, signals, pipes, a box thread that cannot be
// stopped (lifecycle.test.ts), another Node.

import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';

export interface Ran { status: number; stdout: string; stderr: string }

type Main = (program: 'box' | 'box-link', argv: readonly string[]) => Promise<number>;
type RunWithStdio = (argv: readonly string[], stdio: { stdin: number; stdout: number; stderr: number }) => Promise<number>;

const bundle = new URL('../dist/cli.js', import.meta.url).href;
const runBundle = new URL('../dist/box-run.js', import.meta.url).href;

// As bin/run.js does for the real CLI: node:wasi's experimental-feature notice is not the command's output.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
  if (type === 'ExperimentalWarning' && String(warning).includes('WASI')) return;
  (emitWarning as (...a: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
let main: Main | undefined;
let runWithStdio: RunWithStdio | undefined;

/**
 * Runs `program argv` through the bundle's main() (`box run` through
 * dist/box-run.js, as bin/run.js does), with what it prints on stdout and
 * stderr captured (console, direct stream writes and, for `box run`, the
 * box's own fds alike), and returns the exit code the process would have
 * ended with. `stdin` is what a run reads, then end of file (as spawnSync's
 * `input`; nothing by default). `cwd` is the working directory the command
 * takes its relative paths from, as a spawned CLI's `cwd` (the test's process
 * is in it for the call only: vitest's default pool runs each test file in a
 * child process of its own, where process.chdir works).
 *
 * Calls run one at a time, in the order they were made: console,
 * process.stdout/stderr and the working directory are the process's, swapped
 * for the call's and put back after it, so two calls at once (concurrent
 * tests) would capture each other's lines and could put back the other's
 * files.
 */
export function cliInProcess(program: 'box' | 'box-link', argv: readonly string[], options: { stdin?: string; cwd?: string } = {}): Promise<Ran> {
  const call = queue.then(() => callOnce(program, argv, options));
  queue = call.then(() => {}, () => {});
  return call;
}
let queue: Promise<void> = Promise.resolve();

async function callOnce(program: 'box' | 'box-link', argv: readonly string[], { stdin = '', cwd }: { stdin?: string; cwd?: string }): Promise<Ran> {
  const isRun = program === 'box' && argv[0] === 'run';
  if (isRun) runWithStdio ??= ((await import(runBundle)) as { runWithStdio: RunWithStdio }).runWithStdio;
  else main ??= ((await import(bundle)) as { main: Main }).main;
  // A folder of this call's own, removed after it.
  const scratch = mkdtempSync(join(tmpdir(), 'box-harness-'));
  const [inFile, outFile, errFile] = ['in', 'out', 'err'].map((name) => join(scratch, name)) as [string, string, string];
  writeFileSync(inFile, stdin);
  const fds = { stdin: openSync(inFile, 'r'), stdout: openSync(outFile, 'w'), stderr: openSync(errFile, 'w') };
  const saved = {
    log: console.log, info: console.info, error: console.error, warn: console.warn,
    stdout: process.stdout.write, stderr: process.stderr.write,
  };
  const into = (fd: number) => (...a: unknown[]) => void writeSync(fd, `${format(...a)}\n`);
  const stream = (fd: number) => ((chunk: string | Uint8Array) => {
    if (typeof chunk === 'string') writeSync(fd, chunk);
    else writeSync(fd, chunk);
    return true;
  }) as typeof process.stdout.write;
  console.log = console.info = into(fds.stdout);
  console.error = console.warn = into(fds.stderr);
  process.stdout.write = stream(fds.stdout);
  process.stderr.write = stream(fds.stderr);
  const from = process.cwd();
  try {
    if (cwd) process.chdir(cwd);
    const status = isRun ? await runWithStdio!(argv.slice(1), fds) : await main!(program, argv);
    return { status, stdout: readFileSync(outFile, 'utf8'), stderr: readFileSync(errFile, 'utf8') };
  } finally {
    process.chdir(from);
    Object.assign(console, { log: saved.log, info: saved.info, error: saved.error, warn: saved.warn });
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
    for (const fd of Object.values(fds)) closeSync(fd);
    rmSync(scratch, { recursive: true, force: true });
  }
}
