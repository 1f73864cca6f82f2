// What the fs and hostile harnesses share: a TypeScript script of theirs run
// in a child process on this Node with a timeout (a program that hangs or
// traps must not take the test runner with it), and a scratch directory.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
