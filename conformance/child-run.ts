// What the fs and hostile harnesses share: a TypeScript script of theirs run
// in a child process on this Node with a timeout (a program that hangs or
// traps must not take the test runner with it), and a scratch directory.

import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Run {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** set when the run was killed (timeout) */
  signal: NodeJS.Signals | null;
}

export function runChild(script: string, args: readonly string[], timeoutMs: number): Run {
  const r = spawnSync(process.execPath, ['--no-warnings', script, ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  return { exitCode: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

/** `f` of a fresh temporary directory, which is removed afterwards. */
export function inTempDir<T>(prefix: string, f: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Where a child's run sends its stdout and stderr: the child's own fds unless given. */
export interface Stdio {
  stdout?: number;
  stderr?: number;
}

/**
 * In a child: each run of `list` in turn through `run`, its output into
 * DIR/<i>.out and DIR/<i>.err; their exit codes. One child for several runs
 * spares a process start per run (the fs and hostile harnesses' `runs` mode).
 */
export async function runsInTurn<A>(dir: string, list: readonly A[], run: (args: A, stdio: Stdio) => Promise<number>): Promise<number[]> {
  const codes: number[] = [];
  for (const [i, args] of list.entries()) {
    const stdio = { stdout: openSync(join(dir, `${i}.out`), 'w'), stderr: openSync(join(dir, `${i}.err`), 'w') };
    try {
      codes.push(await run(args, stdio));
    } finally {
      // A program may close its own stdout (node:wasi passes the close on): the fd may be gone.
      for (const fd of [stdio.stdout, stdio.stderr]) {
        try {
          closeSync(fd);
        } catch {}
      }
    }
  }
  return codes;
}

/**
 * In the parent: the runs of `list` (each a command line of `script`'s) in one child, `script
 * runs DIR RUNS.json` (runsInTurn there), bounded by all the runs' time limits together; `dir`
 * is the caller's scratch directory. A run that ends the child (a hang, a crash) ends the ones
 * after it: those report the child's end.
 */
export function runsInChild(script: string, dir: string, list: readonly (readonly string[])[], timeoutMs: number): Run[] {
  const out = join(dir, 'out');
  mkdirSync(out);
  writeFileSync(join(dir, 'runs.json'), JSON.stringify(list));
  const r = runChild(script, ['runs', out, join(dir, 'runs.json')], list.length * timeoutMs);
  const codes = r.exitCode === 0 && r.signal === null ? (JSON.parse(r.stdout) as number[]) : [];
  return list.map((_, i): Run => codes[i] === undefined
    ? { ...r, stdout: '' }
    : { exitCode: codes[i]!, signal: null, stdout: readFileSync(join(out, `${i}.out`), 'utf8'), stderr: readFileSync(join(out, `${i}.err`), 'utf8') });
}
