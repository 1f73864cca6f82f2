import { readFileSync, statSync, writeSync } from 'node:fs';
import { configPlacementOf, readManifest, type Manifest } from '@marcotte/abi';
import { resolve } from 'node:path';
import type { Publish, RunOptions, RunResult } from '@marcotte/runtime';
import { LimitError, TrapError } from '@marcotte/runtime/errors';
import { MAX_TIME_LIMIT_S, timeLimitMs } from '@marcotte/runtime/time-limit';
import { flag, parseArgs, parseSize, UsageError, value, values, type OptionSpec } from '../args.ts';
import { checkWritable, readInput } from '../io.ts';
// -w, --entrypoint and --commit rewrite the box (the linker, the vfs's image code, the
// capability modules): imported when given, so that a plain run loads none of them.

export const RUN_HELP = `Usage: box run [OPTIONS] BOX.box.wasm [ARGS...]

Runs a box. ARGS replace the box's default arguments; argv[0] is its entrypoint.

Options:
  --dir HOST[:GUEST]  preopen a host directory at GUEST (default: HOST's path as given)
  -p, --publish [IP:]HOST:BOX
                      connect host port HOST (on IP, default every interface) to the port
                      BOX the box listens on (box-link --listen BOX; repeatable)
  -e, --env K=V       set an environment variable (K alone takes the host's value);
                      the host's environment is otherwise never passed in
  --env-file FILE     read KEY=VALUE lines (# comments) as -e
  --timeout SECONDS   end the box after this much wall-clock time (exit 137)
  --memory SIZE       cap every memory of the box together at SIZE: the vfs (files and
                      their metadata) gets a quarter, each other capability 1 MiB, the
                      program the rest; the vfs answers ENOSPC when full, a program
                      that fails at its cap ends with exit 137 (suffixes k, m, g)
  --max-output SIZE   end the box once it has written more than SIZE bytes to stdout and
                      stderr (suffixes k, m, g: powers of 1024; exit 137)
  --trace             print every WASI call the program made, with its result, to stderr
                      (a box linked with --trace, or a --portable box in dynamic mode)
  --mode MODE         static (one multi-memory module) or dynamic (a --portable box's parts
                      wired in JS); default static, dynamic where multi-memory is missing
  -w, --workdir PATH  make PATH the box's working directory for this run (created when
                      missing; the program starts there when it carries wasi-libc's chdir)
  --entrypoint PATH   run the WASI program at PATH in the box's filesystem instead of the
                      box's own, with the box's capabilities and settings; ARGS go to it
  --commit OUT        write a new box whose image holds the run's filesystem changes
                      (also when the program fails, traps or hits a limit: --timeout stops
                      it in one of its loops; one blocked in a host call 2 s longer is
                      ended without a snapshot); the box's program, config and working
                      directory stay as they were
  -h, --help          show this help

Exit status: the program's own; 125 when the box cannot start; 134 when it
traps; 137 when a limit ends it; 130 / 143 when SIGINT / SIGTERM does.`;

const SPECS: OptionSpec[] = [
  { name: 'dir', value: true, multiple: true },
  { name: 'env', short: 'e', value: true, multiple: true },
  { name: 'env-file', value: true, multiple: true },
  { name: 'timeout', value: true },
  { name: 'max-output', value: true },
  { name: 'memory', value: true },
  { name: 'commit', value: true },
  { name: 'mode', value: true },
  { name: 'trace' },
  { name: 'publish', short: 'p', value: true, multiple: true },
  { name: 'workdir', short: 'w', value: true },
  { name: 'entrypoint', value: true },
  { name: 'help', short: 'h' },
];

/** -p [IP:]HOST:BOX: ports 1-65535 (HOST may be 0: any free port). */
function parsePublish(spec: string): Publish {
  const m = /^(?:(.+):)?(\d{1,5}):(\d{1,5})$/.exec(spec);
  const host = Number(m?.[2]);
  const box = Number(m?.[3]);
  if (!m || host > 65535 || box < 1 || box > 65535) {
    throw new UsageError(`box run: -p ${spec}: expected [IP:]HOST:BOX with ports from 1 to 65535`);
  }
  return { host, box, address: m[1]?.replace(/^\[(.*)\]$/, '$1') };
}

function parseDir(spec: string): [guest: string, host: string] {
  // HOST:GUEST splits at the last colon so Windows-style HOST paths keep theirs.
  const colon = spec.lastIndexOf(':');
  const host = colon > 0 ? spec.slice(0, colon) : spec;
  const guest = colon > 0 ? spec.slice(colon + 1) : spec;
  let isDir = false;
  try {
    isDir = statSync(host).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new UsageError(`box run: --dir ${spec}: ${host} is not a directory`);
  if (!guest) throw new UsageError(`box run: --dir ${spec}: empty guest path`);
  return [normalGuest(spec, guest), resolve(host)];
}

/**
 * The guest path as the box's preopen name: "data/", "./data" and "data"
 * are one directory, "/docs/" and "/docs" one mount point. wasi-libc
 * matches preopen names by their bytes and the kernel matches mount points
 * the same way, so a trailing slash would silently miss both. ".." cannot
 * be normalised without knowing the box's tree: refused.
 */
function normalGuest(spec: string, guest: string): string {
  const names = guest.split('/').filter((n) => n !== '' && n !== '.');
  if (names.includes('..')) throw new UsageError(`box run: --dir ${spec}: the guest path may not contain ".."`);
  if (guest.startsWith('/')) return `/${names.join('/')}`;
  return names.length ? names.join('/') : '.';
}

function parseEnv(entries: string[], files: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  const add = (kv: string) => {
    const eq = kv.indexOf('=');
    if (eq === 0) throw new UsageError(`box run: bad environment entry ${JSON.stringify(kv)}`);
    if (eq < 0) {
      // `-e NAME` passes the host's value, as docker run does: an explicit opt-in.
      const v = process.env[kv];
      if (v !== undefined) env[kv] = v;
    } else {
      env[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
  };
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new UsageError(`box run: cannot read env file ${file}`);
    }
    for (const line of text.split(/\r?\n/)) {
      const t = line.trim();
      if (t && !t.startsWith('#')) add(t);
    }
  }
  entries.forEach(add);
  return env;
}

/** A box with the net capability gets listeners for the ports it declared (the bridge's), -p or not. */
function listens(manifest: Manifest | null): boolean {
  return manifest?.capabilities.net !== undefined && (manifest.ports?.length ?? 0) > 0;
}

function readManifestOrNull(bytes: Uint8Array): Manifest | null {
  try {
    return readManifest(bytes);
  } catch {
    return null; // runBoxIsolated says what is wrong with it
  }
}

/**
 * The host fds a run reads and writes: 0, 1 and 2 for the CLI. The tests'
 * in-process harness (cli-harness.ts) passes files, as a shell's redirections
 * would, so that a run needs no process of its own there.
 */
export interface RunStdio {
  stdin?: number;
  stdout?: number;
  stderr?: number;
}

export async function runCommand(argv: readonly string[], stdio: RunStdio = {}): Promise<number> {
  const args = parseArgs('box run', argv, SPECS, 1);
  if (flag(args, 'help')) {
    console.log(RUN_HELP);
    return 0;
  }
  const boxPath = args.positionals[0];
  if (!boxPath) throw new UsageError('box run: expected BOX.box.wasm (see box run --help)');
  const dirs = values(args, 'dir').map(parseDir);
  const publish = values(args, 'publish').map(parsePublish);
  const env = parseEnv(values(args, 'env'), values(args, 'env-file'));
  const timeout = value(args, 'timeout');
  const timeoutMs = timeout === undefined ? undefined : timeLimitMs(timeout);
  if (timeout !== undefined && timeoutMs === undefined) {
    throw new UsageError(`box run: --timeout expects a positive number of seconds (at most ${MAX_TIME_LIMIT_S}), got ${JSON.stringify(timeout)}`);
  }
  const maxOutput = value(args, 'max-output');
  const outputLimit = maxOutput === undefined ? undefined : parseSize('box run', '--max-output', maxOutput);
  const memory = value(args, 'memory');
  const memoryLimit = memory === undefined ? undefined : parseSize('box run', '--memory', memory);
  const mode = value(args, 'mode') as RunOptions['mode'] | string;
  if (mode !== undefined && mode !== 'static' && mode !== 'dynamic') throw new UsageError(`box run: --mode must be static or dynamic, got ${JSON.stringify(mode)}`);
  const original = await readInput('box run', boxPath);
  const workdir = value(args, 'workdir');
  const entrypoint = value(args, 'entrypoint');
  let bytes = original;
  if (workdir !== undefined || entrypoint !== undefined) {
    const { withEntrypoint, withWorkdir } = await import('../reconfigure.ts');
    if (workdir !== undefined) bytes = withWorkdir(bytes, workdir);
    if (entrypoint !== undefined) bytes = withEntrypoint(bytes, entrypoint);
  }
  const commit = value(args, 'commit');
  const commits = commit === undefined ? undefined : await import('./run-commit.ts');
  const trace = flag(args, 'trace');
  const manifest = readManifestOrNull(bytes);
  // The program's own chdir moves it (linker: workdir.ts); a box linked knowing it has none says so here too.
  if (workdir !== undefined && entrypoint === undefined && manifest?.workdirNotApplied !== undefined) {
    process.stderr.write(`box run: -w ${workdir} is not applied, the program starts in /: ${manifest.workdirNotApplied}\n`);
  }
  if (trace && manifest && !manifest.trace && !manifest.portable) {
    throw new UsageError(`box run: --trace: ${boxPath} records no calls (link it with --trace, or --portable to trace in dynamic mode)`);
  }
  const ownWorkdir = workdir !== undefined ? manifest?.workdir ?? '/' : undefined;
  // A box whose manifest does not read is refused below, saying why.
  if (commit !== undefined && manifest && !configPlacementOf(manifest, 'vfs')) {
    throw new UsageError(`box run: --commit: ${boxPath} has no filesystem of its own (link it with --fs)`);
  }
  if (commits && manifest) commits.checkCommitTarget(original, boxPath);
  if (commit !== undefined) checkWritable('box run: --commit', commit);
  if (manifest?.sealed && (args.rest.length > 0 || Object.keys(env).length > 0)) {
    // The box answers args_get and environ_get from what it baked; say so rather than drop them unseen.
    const ignored = [...(args.rest.length ? ['its arguments'] : []), ...(Object.keys(env).length ? ['-e/--env-file'] : [])];
    console.error(`box run: ${boxPath} is sealed (argv and env baked at link time): ignoring ${ignored.join(' and ')}`);
  }
  const common: RunOptions = {
    args: args.rest, env, dirs, snapshot: commit !== undefined, mode, maxOutput: outputLimit, memoryLimit, ...stdio,
  };
  try {
    let result: RunResult;
    if (timeoutMs === undefined && publish.length === 0 && !listens(manifest)) {
      // Nothing needs a thread of its own: the box runs on this one (no second isolate to start).
      // SIGINT and SIGTERM then take their default action: the process ends at once, whatever the
      // program is doing, and a shell reports 130 / 143 as for the worker's handlers.
      // Imported here, as runBoxIsolated below: a run in a worker does not load this thread's runtime.
      const { runBox } = await import('@marcotte/runtime/node');
      result = await runBox(bytes, { ...common, ...(trace ? { trace: (line: string) => writeSync(stdio.stderr ?? 2, `${line}\n`) } : {}) });
    } else {
      // In a worker: a time limit must be able to stop a program that never yields, and the
      // socket bridge serves the box's ports from this thread's event loop while it runs.
      const { runBoxIsolated } = await import('@marcotte/runtime/isolated');
      result = await runBoxIsolated(bytes, {
        ...common, publish, handleSignals: true, trace,
        timeoutMs,
      });
    }
    const { exitCode, snapshot } = result;
    if (commits && snapshot) commits.keepExitCode(() => commits.writeCommit(commit!, original, snapshot, ownWorkdir));
    return exitCode;
  } catch (e) {
    // A trap or a memory or output limit loses nothing either: the capabilities' memories were intact.
    if (commits && (e instanceof TrapError || e instanceof LimitError) && e.snapshot) {
      commits.keepExitCode(() => commits.writeCommit(commit!, original, e.snapshot!, ownWorkdir));
    }
    throw e;
  }
}
