// Runs one conformance program in a child process, so that the test can
// bound it with a timeout: `node child.ts bare PROGRAM.wasm HOSTDIR` runs the
// bare program under node:wasi with HOSTDIR preopened as /work (the
// reference); `node child.ts box BOX.box.wasm [HOSTDIR]` runs a linked box with
// runBox (with HOSTDIR mounted as /work by `box run --dir`, when given).
// The program's stdout is this process's stdout; the exit code is the
// program's (134 when it traps).

import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { TrapError, runBox } from '@marcotte/runtime';

const TRAP = 134;

async function bare(program: string, dir: string): Promise<number> {
  const wasi = new WASI({
    version: 'preview1',
    args: [program.replace(/^.*\//, ''), '/work'],
    env: {},
    preopens: { '/work': dir },
    returnOnExit: true,
  });
  const module = await WebAssembly.compile(readFileSync(program));
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports);
  return wasi.start(instance);
}

async function boxed(box: string, dir?: string): Promise<number> {
  return (await runBox(readFileSync(box), { args: ['/work'], dirs: dir === undefined ? undefined : [['/work', dir]] as const })).exitCode;
}

const [mode, file, dir] = process.argv.slice(2);
try {
  const code = mode === 'bare' ? await bare(file!, dir!) : mode === 'box' ? await boxed(file!, dir) : 2;
  process.exitCode = code;
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exitCode = e instanceof WebAssembly.RuntimeError || e instanceof TrapError ? TRAP : 1;
}
