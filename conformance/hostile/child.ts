// Runs one hostile program in this process, so that the test can bound it
// with a timeout: `node child.ts static|dynamic BOX.box.wasm [ARGS...]` runs
// a linked (portable) box with runBox in that mode; `node child.ts bare PROGRAM.wasm HOSTDIR [ARGS...]` runs
// the bare program under node:wasi with HOSTDIR preopened as / (fd 3, as in
// the box); `node child.ts host BOX.box.wasm HOSTDIR [ARGS...]` runs a box
// with HOSTDIR mounted as / (box run --dir). The program's stdout is this process's stdout; the exit code is
// the program's, 134 when it traps, 137 when a limit ends it.

import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { LimitError, TrapError, runBox } from '@marcotte/runtime';

async function bare(program: string, dir: string, args: string[]): Promise<number> {
  const wasi = new WASI({ version: 'preview1', args: ['program', ...args], env: {}, preopens: { '/': dir }, returnOnExit: true });
  const module = await WebAssembly.compile(readFileSync(program));
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports);
  return wasi.start(instance);
}

const [mode, file, ...rest] = process.argv.slice(2);
try {
  process.exitCode = mode === 'bare'
    ? await bare(file!, rest[0]!, rest.slice(1))
    : mode === 'host'
      ? (await runBox(readFileSync(file!), { args: rest.slice(1), dirs: [['/', rest[0]!]] })).exitCode
      : (await runBox(readFileSync(file!), { args: rest, mode: mode === 'dynamic' ? 'dynamic' : 'static' })).exitCode;
} catch (e) {
  process.stderr.write(`${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}\n`);
  process.exitCode = e instanceof LimitError ? 137 : e instanceof WebAssembly.RuntimeError || e instanceof TrapError ? 134 : 1;
}
