// Runs one test in its own process, so that the runner can bound it with a
// timeout and kill it: `node child.ts JOB.json`. The job names the program,
// its run-time args and env, the fixture and how to present it. In `box`
// mode the program is linked (kernel + vfs + proc + clock, host clock and
// random) with the fixture as its image and run with runBox; in `bare` mode
// it runs under node:wasi with the fixture preopened (the reference, used to
// generate expected output). The program's stdio is this process's stdio,
// so nothing else may be printed; how the run ended goes to the job's
// result file instead, as JSON (exit code, trap, or runner error).

import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { WASI } from 'node:wasi';
import type { ImageEntry } from '@marcotte/abi';
import { clock } from '@marcotte/clock';
import { kernel } from '@marcotte/kernel';
import { link } from '@marcotte/linker';
import { proc } from '@marcotte/proc';
import { TrapError, runBox } from '@marcotte/runtime';
import { imageFromDirectory, vfs } from '@marcotte/vfs';

export interface Job {
  /** a box; bare under node:wasi (the reference for generating specs); or on a peer WASI host (conformance/peers) */
  mode: 'box' | 'bare' | 'peer';
  /** with mode 'peer': which (a name in conformance/peers/index.ts) */
  peer?: string;
  program: string;
  args: string[];
  env: Record<string, string>;
  /** fixture directories baked into the image: guest path ('/' or '/name') -> host directory */
  image: Array<[guest: string, host: string]>;
  /** directories preopened at run time: guest name -> host directory (a writable copy) */
  preopens: Array<[guest: string, host: string]>;
  /** where to write the Outcome */
  result: string;
  /** link the vfs (default true); without it the preopens are the box's whole filesystem */
  vfs?: boolean;
  /** a box runs merged (static) or as parts wired in JS (dynamic) */
  runMode?: 'static' | 'dynamic';
  /**
   * Where the test's box is kept between its modes: linked portable (the
   * merged module, which static mode runs, plus the parts dynamic mode
   * wires), written here by the first run and read by the next.
   */
  boxCache?: string;
  /** served jobs (runner/pool.ts): files the program's stdout and stderr go to, written as it prints, so a killed run keeps what it printed */
  output?: { stdout: string; stderr: string };
}

export type Outcome = { kind: 'exit'; code: number } | { kind: 'trap'; message: string } | { kind: 'error'; message: string };

/** The image: each fixture's entries under its guest path. */
function image(fixtures: Job['image']): ImageEntry[] {
  const entries: ImageEntry[] = [];
  for (const [guest, host] of fixtures) {
    const at = guest.replace(/\/+$/, '');
    for (const e of imageFromDirectory(host)) entries.push({ ...e, path: e.path === '/' ? at || '/' : `${at}${e.path}` });
  }
  return entries;
}

async function bare(job: Job): Promise<number> {
  const wasi = new WASI({
    version: 'preview1',
    args: [basename(job.program), ...job.args],
    env: job.env,
    preopens: Object.fromEntries(job.preopens),
    returnOnExit: true,
  });
  const module = await WebAssembly.compile(readFileSync(job.program));
  return wasi.start(await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports));
}

/** The job's box: linked here, or the one an earlier run of the same test left in the cache. */
function box(job: Job): Uint8Array {
  if (job.boxCache && existsSync(job.boxCache)) return readFileSync(job.boxCache);
  const bytes = linked(job, job.boxCache !== undefined || job.runMode === 'dynamic');
  if (job.boxCache) {
    // Written whole, then renamed: a run of the other mode never reads half a box.
    writeFileSync(`${job.boxCache}.${process.pid}`, bytes);
    renameSync(`${job.boxCache}.${process.pid}`, job.boxCache);
  }
  return bytes;
}

function linked(job: Job, portable: boolean): Uint8Array {
  const mountPoints = job.preopens.map(([guest]) => guest);
  // A test whose spec names no directory runs with no filesystem, as upstream
  // runs it (wasmtime without --dir): no vfs, so no preopen at fd 3. A host-mount
  // job (host-mounts.ts) may ask for no vfs: its preopens are then the whole filesystem.
  const filesystem = job.vfs !== false && (job.image.length > 0 || mountPoints.length > 0);
  return link(readFileSync(job.program), {
    capabilities: filesystem ? [kernel, vfs, proc, clock] : [kernel, proc, clock],
    entrypoint: basename(job.program),
    programName: basename(job.program),
    args: [],
    env: [],
    ...(filesystem ? { image: image(job.image), ...(mountPoints.length ? { mountPoints } : {}) } : {}),
    clock: 'host',
    random: 'host',
    portable,
  }).bytes;
}

/** Where a served job's output goes: the program's stdout and stderr, kept here instead of this process's fds. */
type Capture = (fd: 1 | 2, bytes: Uint8Array) => void;

async function boxed(job: Job, capture?: Capture): Promise<number> {
  // Served jobs read an empty stdin (end of file at once) and hand their output back.
  const stdio = capture ? { onOutput: capture, input: new Uint8Array(0) } : {};
  return (await runBox(box(job), { args: job.args, env: job.env, dirs: job.preopens, mode: job.runMode ?? 'static', ...stdio })).exitCode;
}

/**
 * A peer WASI host runs the program. Imported only here, by a path the CLI's
 * bundler leaves alone: the peers' packages are the conformance package's
 * own, and `box conformance` never runs them.
 */
async function peer(job: Job): Promise<number> {
  const { PEERS } = (await import(new URL('../peers/index.ts', import.meta.url).href)) as typeof import('../peers/index.ts');
  const run = PEERS[job.peer as keyof typeof PEERS];
  if (!run) throw new Error(`no peer named ${JSON.stringify(job.peer)}`);
  return run({ program: readFileSync(job.program), name: basename(job.program), args: job.args, env: job.env, preopens: job.preopens });
}

async function outcome(job: Job, capture?: Capture): Promise<Outcome> {
  try {
    return { kind: 'exit', code: job.mode === 'bare' ? await bare(job) : job.mode === 'peer' ? await peer(job) : await boxed(job, capture) };
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    if (e instanceof TrapError || e instanceof WebAssembly.RuntimeError) return { kind: 'trap', message };
    return { kind: 'error', message: `${(e as Error).name ?? 'Error'}: ${message}` };
  }
}

/** Runs the job described in `jobFile` and writes its outcome where the job says. */
export async function runJob(jobFile: string): Promise<void> {
  const job = JSON.parse(readFileSync(jobFile, 'utf8')) as Job;
  writeFileSync(job.result, JSON.stringify(await outcome(job)));
}

/**
 * Serves box jobs one after another over IPC (runner/pool.ts), each job's
 * output written to the files the job names instead of this process's fds,
 * and its outcome sent back: one process, and one load of the linker and
 * capabilities, for many tests.
 */
export function serveJobs(): void {
  process.on('message', (job: Job) => {
    const files = { 1: openSync(job.output!.stdout, 'w'), 2: openSync(job.output!.stderr, 'w') };
    const capture: Capture = (fd, bytes) => {
      for (let at = 0; at < bytes.length; ) at += writeSync(files[fd], bytes, at, bytes.length - at);
    };
    void outcome(job, capture).then((o) => {
      closeSync(files[1]);
      closeSync(files[2]);
      process.send!(o);
    });
  });
}

// Only when run as a script: the runner imports the types above.
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  if (process.argv[2] === '--serve') serveJobs();
  else await runJob(process.argv[2]!);
}
