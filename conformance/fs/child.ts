// Runs conformance programs in a child process, so that the test can bound
// them with a timeout: `node child.ts bare PROGRAM.wasm HOSTDIR` runs the
// bare program under node:wasi with HOSTDIR preopened as /work (the
// reference); `node child.ts box BOX.box.wasm [HOSTDIR]` runs a linked box with
// runBox (with HOSTDIR mounted as /work by `box run --dir`, when given).
// The program's stdout is this process's stdout; the exit code is the
// program's (134 when it traps). `node child.ts runs DIR RUNS.json` runs
// several such runs one after another in this one process (one Node start
// and one load of the runtime for the whole corpus's runs: runsInChild),
// each run's stdout and stderr in files under DIR, and prints their exit
// codes as a JSON list.

import { readFileSync, writeSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { runsInTurn, type Stdio } from '../child-run.ts';
import { TrapError, runBox } from '@marcotte/runtime';

const TRAP = 134;

/** One run: the arguments the single-run form takes. */
export type RunArgs = readonly ['bare', string, string] | readonly ['box', string] | readonly ['box', string, string];

async function bare(program: string, dir: string, stdio: Stdio): Promise<number> {
  const wasi = new WASI({
    version: 'preview1',
    args: [program.replace(/^.*\//, ''), '/work'],
    env: {},
    preopens: { '/work': dir },
    returnOnExit: true,
    ...stdio,
  });
  const module = await WebAssembly.compile(readFileSync(program));
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports);
  return wasi.start(instance);
}

async function boxed(box: string, dir: string | undefined, stdio: Stdio): Promise<number> {
  return (await runBox(readFileSync(box), { args: ['/work'], dirs: dir === undefined ? undefined : [['/work', dir]] as const, ...stdio })).exitCode;
}

/** The run's exit code; an error is written where the run's stderr goes and answered with an exit code. */
async function run([mode, file, dir]: readonly string[], stdio: Stdio = {}): Promise<number> {
  try {
    return mode === 'bare' ? await bare(file!, dir!, stdio) : mode === 'box' ? await boxed(file!, dir, stdio) : 2;
  } catch (e) {
    writeSync(stdio.stderr ?? 2, `${(e as Error).message}\n`);
    return e instanceof WebAssembly.RuntimeError || e instanceof TrapError ? TRAP : 1;
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'runs') {
  process.stdout.write(JSON.stringify(await runsInTurn(rest[0]!, JSON.parse(readFileSync(rest[1]!, 'utf8')) as RunArgs[], run)));
} else {
  process.exitCode = await run([mode!, ...rest]);
}
