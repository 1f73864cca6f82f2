// Runs a WASI 0.2 command component the way jco does (`jco run`): jco's
// transpile API turns it into JavaScript over @bytecodealliance/preview2-shim,
// and a child Node runs that. Unlike `jco run`, the run here is told its args,
// environment and preopened directories and nothing else (the shim would
// otherwise hand the component the host's environment and working directory),
// so its output can be compared with `box run` of the same box.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transpile } from '@bytecodealliance/jco';

/** Where preview2-shim is installed: a dependency of jco, found from jco's own package. */
function shimDir(): string {
  const jcoEntry = fileURLToPath(import.meta.resolve('@bytecodealliance/jco'));
  // its package.json is not exported: walk up from its entry point to the package's folder
  let dir = dirname(createRequire(jcoEntry).resolve('@bytecodealliance/preview2-shim'));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

// The child: configure the shim, run wasi:cli/run, and say how it ended.
// A trap (the adapter's `unreachable`, or the program's) is exit 134, as box run reports one.
const RUNNER = `
import { _setArgs, _setEnv, _setCwd } from '@bytecodealliance/preview2-shim/cli';
import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem';
const config = JSON.parse(process.env.COMPONENT_RUN);
_setArgs(config.args);
_setEnv(config.env);
_setCwd(undefined);
_setPreopens(config.preopens);
try {
  const { run } = await import('./component.js');
  await run.run();
} catch (e) {
  process.stderr.write('trap: ' + String(e?.message ?? e).split('\\n')[0] + '\\n');
  process.exit(134);
}
`;

/** How long a run may take: a run takes 0.5-2 s on the 2-core machine under load. */
const HANG_MS = 30_000;

export interface ComponentRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** One run of a transpiled component: its args, environment, preopened directories and stdin. */
export interface RunOptions { args: string[]; env?: Record<string, string>; preopens?: Record<string, string>; stdin?: string }

/**
 * A transpiled component, ready to run many times (transpiling takes a second or two: once per
 * test file), in a new directory under `parent` (the test's own scratch folder, which it removes:
 * under the OS temp folder these were left behind, one per transpile and run of the tests).
 * A run is a child Node, awaited without blocking the test's thread: a test file can run
 * several at once (each waits on its Node's start and the shim's I/O thread).
 */
export async function transpiled(component: Uint8Array, parent: string): Promise<(options: RunOptions) => Promise<ComponentRun>> {
  const dir = mkdtempSync(join(parent, 'component-'));
  const { files } = await transpile(component, { name: 'component', noTypescript: true, quiet: true, wasiShim: true });
  for (const [name, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  writeFileSync(join(dir, 'run.js'), RUNNER);
  mkdirSync(join(dir, 'node_modules/@bytecodealliance'), { recursive: true });
  symlinkSync(shimDir(), join(dir, 'node_modules/@bytecodealliance/preview2-shim'), 'dir');
  return async ({ args, env = {}, preopens = {}, stdin = '' }) => {
    const child = spawn(process.execPath, ['--no-warnings', join(dir, 'run.js')], {
      cwd: dir,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE, COMPONENT_RUN: JSON.stringify({ args, env, preopens }) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => void (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => void (stderr += d));
    // a run that ends before reading all of its stdin closes the pipe: not this host's error
    child.stdin.on('error', () => {});
    child.stdin.end(stdin);
    // A run that hangs (once, under load: the shim's child waiting in a futex for good) is ended
    // well inside the test's time limit, and says so, instead of outliving the test file.
    const hung = setTimeout(() => {
      stderr += `component-host: no end after ${HANG_MS / 1000} s: killed\n`;
      child.kill('SIGKILL');
    }, HANG_MS);
    const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    clearTimeout(hung);
    return { status, stdout, stderr };
  };
}
