// Runs one test of a wasi-testsuite-layout suite and classifies it: pass,
// fail (wrong exit code or output, or a bad spec), timeout, or crash (the
// program trapped, or the box could not be linked or started).

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from './child.ts';
import type { Pool } from './pool.ts';
import { Session, type End } from './session.ts';
import { hostMountJob } from './host-mounts.ts';
import { normalize, readSpec, type TestSpec } from './spec.ts';

export type Mode = 'static' | 'dynamic';
export type Status = 'pass' | 'fail' | 'timeout' | 'crash' | 'skip';

export interface TestResult {
  /** the test's path relative to the suite, without `.wasm` */
  name: string;
  /** its folder relative to the suite ('.' at the top) */
  folder: string;
  mode: Mode;
  status: Status;
  /** one line: why it did not pass (absent on pass) */
  reason?: string;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
}

/** Where `actual` stops starting with `expected`, as one line; undefined when it does. */
export function prefixMismatch(what: string, expected: string, actual: string): string | undefined {
  const want = normalize(expected);
  const got = normalize(actual);
  if (got.startsWith(want)) return undefined;
  let at = 0;
  while (at < want.length && want[at] === got[at]) at++;
  const show = (s: string): string => JSON.stringify(s.slice(at, at + 40));
  return `${what} differs at offset ${at}: expected ${show(want)}, got ${show(got)}`;
}

function describeEnd(end: End, timeoutMs: number): Pick<TestResult, 'status' | 'reason'> | undefined {
  switch (end.kind) {
    case 'timeout':
      return { status: 'timeout', reason: `still running after ${timeoutMs} ms: killed` };
    case 'trap':
      return { status: 'crash', reason: `trap: ${end.message.split('\n')[0]}` };
    case 'error':
    case 'died':
      return { status: 'crash', reason: `runner error: ${end.message.split('\n')[0]}` };
    case 'exit':
      return undefined;
  }
}

/** The child's job for `spec`: the image, and in the dirs form writable copies preopened under their names. */
function job(wasm: string, spec: TestSpec, scratch: string, mode: Job['mode'], hostMounts = false): Job {
  const run = spec.steps[0]!;
  const base = { mode, program: wasm, args: run.type === 'run' ? run.args : [], env: run.type === 'run' ? run.env : {}, result: join(scratch, 'result.json') };
  const copy = (host: string, name: string): string => {
    const to = join(scratch, 'fixtures', name === '/' ? 'root' : name);
    cpSync(host, to, { recursive: true, verbatimSymlinks: true });
    return to;
  };
  if (hostMounts && mode === 'box') return hostMountJob(base, spec, copy);
  switch (spec.fixtures.kind) {
    case 'none':
      return { ...base, image: [], preopens: [] };
    case 'root':
      // The box bakes the fixture into its in-memory image: writes never reach the original.
      return mode === 'box'
        ? { ...base, image: [['/', spec.fixtures.dir.host]], preopens: [] }
        : { ...base, image: [], preopens: [['/', copy(spec.fixtures.dir.host, '/')]] };
    case 'dirs': {
      // wasi-libc resolves `name/x` only through a preopen named `name`: the box mounts a
      // writable copy of each dir there (the image holds the same contents under /name).
      const dirs = spec.fixtures.dirs;
      return mode === 'box'
        ? { ...base, image: dirs.map((d) => [`/${d.name}`, d.host]), preopens: dirs.map((d) => [`/${d.name}`, copy(d.host, d.name)]) }
        : { ...base, image: [], preopens: dirs.map((d) => [d.name, copy(d.host, d.name)]) };
    }
  }
}

/** Drives the steps in order; returns the end of the run and the first failed expectation, if any. */
async function drive(session: Session, spec: TestSpec): Promise<{ end: End; failure?: string }> {
  let expected = '';
  let failure: string | undefined;
  let waited: number | undefined;
  for (const step of spec.steps.slice(1)) {
    if (failure) break;
    if (step.type === 'write') session.write(step.payload);
    if (step.type === 'read') {
      // Reads accumulate: after each, stdout so far must start with every payload read so far.
      expected += normalize(step.payload);
      await session.stdoutReaches(expected.length);
      failure = prefixMismatch('stdout', expected, session.stdout);
    }
    if (step.type === 'wait') waited = step.exitCode;
    if (step.type === 'wait') break;
  }
  const end = await session.end();
  if (failure || end.kind !== 'exit') return failure ? { end, failure } : { end };
  failure = judgeEnd(spec, end.code, waited, session.stdout, session.stderr);
  return failure ? { end, failure } : { end };
}

/** After a normal exit: the exit code the wait step expects, then the stdout and stderr prefixes. */
function judgeEnd(spec: TestSpec, code: number, waited: number | undefined, stdout: string, stderr: string): string | undefined {
  if (waited !== undefined && code !== waited) return `exit code ${code}, expected ${waited}`;
  return (spec.stdout !== undefined ? prefixMismatch('stdout', spec.stdout, stdout) : undefined)
    ?? (spec.stderr !== undefined ? prefixMismatch('stderr', spec.stderr, stderr) : undefined);
}

/** A spec that only runs and waits: its test can be served by a pool child (nothing to write or read meanwhile). */
const runsAndWaits = (spec: TestSpec): boolean => spec.steps.every((st) => st.type === 'run' || st.type === 'wait');

/** Runs `run` on a pool child: its end, the first failed expectation, and the output. */
async function served(pool: Pool, run: Job, spec: TestSpec, scratch: string, timeoutMs: number): Promise<{ end: End; failure?: string; stdout: string; stderr: string }> {
  const { end, stdout, stderr } = await pool.run({ ...run, output: { stdout: join(scratch, 'stdout'), stderr: join(scratch, 'stderr') } }, timeoutMs);
  const wait = spec.steps.find((st) => st.type === 'wait');
  const failure = end.kind === 'exit' ? judgeEnd(spec, end.code, wait?.type === 'wait' ? wait.exitCode : undefined, stdout, stderr) : undefined;
  return failure ? { end, failure, stdout, stderr } : { end, stdout, stderr };
}

export interface RunOptions {
  timeoutMs: number;
  /** 'box' (the default) links the program as a box; 'bare' runs it under node:wasi (the reference) */
  as?: Job['mode'];
  /** give the fixtures as host directories (box run --dir) instead of baking them into the image: host-mounts.ts */
  hostMounts?: boolean;
  /** keep the linked box here for the test's run in the other mode (Job.boxCache) */
  boxCache?: string;
  /** with `as: 'peer'`: the peer WASI host (conformance/peers) */
  peer?: string;
  /** serve box tests whose spec only runs and waits on these long-lived children */
  pool?: Pool;
}

/** Runs the test `wasm` (its spec beside it) once. Never throws for a test's sake. */
export async function runTest(wasm: string, identity: Pick<TestResult, 'name' | 'folder' | 'mode'>, options: RunOptions): Promise<TestResult> {
  const parsed = readSpec(wasm);
  if (!parsed.ok) return { ...identity, status: 'fail', reason: parsed.reason };
  const scratch = mkdtempSync(join(tmpdir(), 'box-conformance-'));
  try {
    const run = {
      ...job(wasm, parsed.spec, scratch, options.as ?? 'box', options.hostMounts), runMode: identity.mode,
      boxCache: options.boxCache, peer: options.peer,
    };
    let ran: { end: End; failure?: string; stdout: string; stderr: string };
    if (options.pool && run.mode === 'box' && runsAndWaits(parsed.spec)) {
      ran = await served(options.pool, run, parsed.spec, scratch, options.timeoutMs);
    } else {
      const session = new Session(run, join(scratch, 'job.json'), Date.now() + options.timeoutMs);
      ran = { ...(await drive(session, parsed.spec)), get stdout() { return session.stdout; }, get stderr() { return session.stderr; } };
    }
    const { end, failure } = ran;
    const output = { stdout: ran.stdout, stderr: ran.stderr, ...(end.kind === 'exit' ? { exitCode: end.code } : {}) };
    // A trap or timeout says more than whatever output expectation it broke first.
    const abnormal = describeEnd(end, options.timeoutMs);
    if (abnormal) return { ...identity, ...abnormal, ...output };
    return failure ? { ...identity, status: 'fail', reason: failure, ...output } : { ...identity, status: 'pass', ...output };
  } catch (e) {
    return { ...identity, status: 'crash', reason: `runner error: ${(e as Error).message.split('\n')[0]}` };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
