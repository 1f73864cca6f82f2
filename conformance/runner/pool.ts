// A few long-lived child processes (child.ts --serve) that run box jobs one
// after another over IPC, each job's output written by the child to the
// files the job names, as the program prints it, and its outcome sent back. Starting Node and loading the linker and the
// capabilities then happens once per child, not once per test: the official
// suite's 144 runs cost about a third of the CPU time. Used for tests whose
// spec only runs and waits (nothing written to stdin, nothing read while the
// program runs); a job past its time limit is ended with its child.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { Job, Outcome } from './child.ts';
import { childCommandLine, childEnv, type End } from './session.ts';

/**
 * A child is replaced after this many jobs, so that no test runs in a process many others have
 * worn: the official suite in both modes (2 x 72 runs). A child's start and first job (Node, the
 * linker and the capabilities loaded and compiled) cost ~0.6 s of CPU on the 2-core test
 * machine: at 24, each of testsuite.test's two suite runs (2 children at a time) started 6,
 * and the file took ~17-19 s of CPU; at 144 it starts 2 per run and takes ~12-15 s.
 */
const JOBS_PER_CHILD = 144;

interface Worker {
  child: ChildProcess;
  jobs: number;
  /** the last of what the child itself printed on stderr (its programs' output is captured, not printed) */
  stderr: string;
}

export interface PoolRun {
  end: End;
  stdout: string;
  stderr: string;
}

export class Pool {
  private idle: Worker[] = [];
  private readonly waiting: Array<(w: Worker) => void> = [];
  private live = 0;
  private readonly size: number;

  /** at most `size` children at a time */
  constructor(size: number) {
    this.size = size;
  }

  private start(): Worker {
    const [command, ...args] = childCommandLine();
    // Pipes, as a test run in its own process gets (poll_oneoff cannot wait on /dev/null: EPERM):
    // stdin at end of file at once, stdout drained (the programs' output is captured, not written there).
    const child = spawn(command!, [...args, '--serve'], { stdio: ['pipe', 'pipe', 'pipe', 'ipc'], env: childEnv() });
    child.stdin!.on('error', () => {}).end();
    child.stdout!.resume();
    const w: Worker = { child, jobs: 0, stderr: '' };
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (w.stderr = (w.stderr + d).slice(-2000)));
    return w;
  }

  private acquire(): Promise<Worker> {
    const w = this.idle.pop();
    if (w) return Promise.resolve(w);
    if (this.live < this.size) {
      this.live++;
      return Promise.resolve(this.start());
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands `w` to the next job, or, when it is gone (`undefined`), a new child in its place. */
  private release(w: Worker | undefined): void {
    const next = this.waiting.shift();
    if (w) {
      if (next) next(w);
      else this.idle.push(w);
      return;
    }
    if (next) next(this.start());
    else this.live--;
  }

  /** Runs `job` (its `output` files set) on a child; resolves with how it ended and what it printed, also when killed. */
  run(job: Job, timeoutMs: number): Promise<PoolRun> {
    const printed = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');
    return this.acquire().then((w) => new Promise<PoolRun>((resolve) => {
      w.jobs++;
      let settled = false;
      const settle = (end: End, reusable: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        w.child.off('message', onMessage);
        w.child.off('exit', onExit);
        if (reusable && w.jobs < JOBS_PER_CHILD) {
          this.release(w);
        } else {
          w.child.kill('SIGKILL');
          this.release(undefined);
        }
        resolve({ end, stdout: printed(job.output!.stdout), stderr: printed(job.output!.stderr) });
      };
      const onMessage = (outcome: Outcome): void => settle(outcome, true);
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        const tail = w.stderr.trim().split('\n').at(-1) ?? '';
        settle({ kind: 'died', message: `the runner's child process ended (${signal ?? `exit ${code}`}) without a result${tail ? `: ${tail}` : ''}` }, false);
      };
      const timer = setTimeout(() => settle({ kind: 'timeout' }, false), timeoutMs);
      w.child.on('message', onMessage);
      w.child.on('exit', onExit);
      w.child.send(job);
    }));
  }

  /** Ends every child. */
  close(): void {
    for (const w of this.idle) w.child.kill('SIGKILL');
    this.idle = [];
  }
}
