// One run of a test program in a child process (child.ts) with pipes, driven
// step by step: start, write to its stdin, wait for its stdout to reach some
// length, close stdin, wait for its end. Every wait is bounded by one
// deadline for the whole test; past it the child is killed and the session
// reports a timeout.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Job, Outcome } from './child.ts';
import { normalize } from './spec.ts';

const CHILD = join(fileURLToPath(new URL('.', import.meta.url)), 'child.ts');

const COMPILE_CACHE = join(tmpdir(), 'box-conformance-compile-cache');

// --no-warnings: node:wasi's ExperimentalWarning would land in the program's stderr.
const CHILD_COMMAND: readonly string[] = [process.execPath, '--no-warnings', CHILD];

/** How to start a child: argv before the job file (or `--serve`). */
export function childCommandLine(): readonly string[] {
  return CHILD_COMMAND;
}

/**
 * A child's environment. Node's compile cache keeps the child's compiled
 * modules between runs: a child then starts in about half the time (the
 * program's env is the job's, never this process's).
 */
export function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? COMPILE_CACHE };
}

/** How a session ended: the child's outcome, a timeout, or the child process dying without one. */
export type End = Outcome | { kind: 'timeout' } | { kind: 'died'; message: string };

export class Session {
  stdout = '';
  stderr = '';
  private readonly child: ChildProcess;
  private ended: End | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly timer: NodeJS.Timeout;
  /** resolves when the child process is gone, so that its files can be removed */
  private readonly closed: Promise<void>;

  /** Writes the job next to `result` and starts the child; `deadline` is an absolute Date.now() value. */
  constructor(job: Job, jobFile: string, deadline: number) {
    writeFileSync(jobFile, JSON.stringify(job));
    this.child = spawn(CHILD_COMMAND[0]!, [...CHILD_COMMAND.slice(1), jobFile], { stdio: ['pipe', 'pipe', 'pipe'], env: childEnv() });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => this.update(() => (this.stdout += d)));
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => this.update(() => (this.stderr += d)));
    // A program that exits without reading its stdin closes the pipe: not an error of the test.
    this.child.stdin!.on('error', () => {});
    this.closed = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        clearTimeout(this.timer);
        this.update(() => (this.ended ??= this.outcome(job.result, code, signal)));
        resolve();
      });
    });
    this.timer = setTimeout(() => {
      this.update(() => (this.ended ??= { kind: 'timeout' }));
      this.child.kill('SIGKILL');
    }, Math.max(0, deadline - Date.now()));
  }

  private outcome(result: string, code: number | null, signal: NodeJS.Signals | null): End {
    if (existsSync(result)) {
      try {
        return JSON.parse(readFileSync(result, 'utf8')) as Outcome;
      } catch {
        // fall through: a half-written result is a dead child
      }
    }
    const tail = this.stderr.trim().split('\n').at(-1) ?? '';
    return { kind: 'died', message: `the runner's child process ended (${signal ?? `exit ${code}`}) without a result${tail ? `: ${tail}` : ''}` };
  }

  private update(change: () => void): void {
    change();
    for (const w of [...this.waiters]) w();
  }

  /** Resolves once `ready()` holds or the session has ended (then with the end). */
  private until(ready: () => boolean): Promise<End | undefined> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (ready() || this.ended) {
          this.waiters.delete(check);
          resolve(this.ended);
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  write(payload: string): void {
    if (!this.ended && this.child.stdin!.writable) this.child.stdin!.write(payload);
  }

  /** Waits until the normalized stdout holds at least `length` characters (or the run ended). */
  async stdoutReaches(length: number): Promise<void> {
    await this.until(() => normalize(this.stdout).length >= length);
  }

  /** Closes stdin (end of input) and waits for the end of the run. */
  async end(): Promise<End> {
    this.child.stdin!.end();
    const end = (await this.until(() => false))!;
    await this.closed;
    return end;
  }
}
