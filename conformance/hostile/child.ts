// Runs one hostile program in this process, so that the test can bound it
// with a timeout: `node child.ts static|dynamic BOX.box.wasm [ARGS...]` runs
// a linked (portable) box with runBox in that mode; `node child.ts bare PROGRAM.wasm HOSTDIR [ARGS...]` runs
// the bare program under node:wasi with HOSTDIR preopened as / (fd 3, as in
// the box); `node child.ts host BOX.box.wasm HOSTDIR [ARGS...]` runs a box
// with HOSTDIR mounted as / (box run --dir). The program's stdout is this process's stdout; the exit code is
// the program's, 134 when it traps, 137 when a limit ends it.
// `node child.ts runs DIR RUNS.json` runs several such runs one after another
// in this one process (the corpus's runs: one Node start and one load of
// the runtime instead of one per run; runsInChild), each run's stdout and stderr in
// files under DIR, and prints their exit codes as a JSON list.

import { readFileSync, writeSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { runsInTurn, type Stdio } from '../child-run.ts';
import { LimitError, TrapError, runBox } from '@marcotte/runtime';

async function bare(program: string, dir: string, args: string[], stdio: Stdio): Promise<number> {
  const wasi = new WASI({ version: 'preview1', args: ['program', ...args], env: {}, preopens: { '/': dir }, returnOnExit: true, ...stdio });
  const module = await WebAssembly.compile(readFileSync(program));
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports);
  return wasi.start(instance);
}

/** One run's exit code, from the arguments the single-run form takes; an error is written where the run's stderr goes. */
async function run([mode, file, ...rest]: readonly string[], stdio: Stdio = {}): Promise<number> {
  try {
    return mode === 'bare'
      ? await bare(file!, rest[0]!, rest.slice(1), stdio)
      : mode === 'host'
        ? (await runBox(readFileSync(file!), { args: rest.slice(1), dirs: [['/', rest[0]!]], ...stdio })).exitCode
        : (await runBox(readFileSync(file!), { args: rest, mode: mode === 'dynamic' ? 'dynamic' : 'static', ...stdio })).exitCode;
  } catch (e) {
    writeSync(stdio.stderr ?? 2, `${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}\n`);
    return e instanceof LimitError ? 137 : e instanceof WebAssembly.RuntimeError || e instanceof TrapError ? 134 : 1;
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'runs') process.stdout.write(JSON.stringify(await runsInTurn(rest[0]!, JSON.parse(readFileSync(rest[1]!, 'utf8')) as string[][], run)));
else process.exitCode = await run([mode!, ...rest]);
