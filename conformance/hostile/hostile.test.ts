// The hostile corpus (runs.ts): programs that call every preview1 function
// with hostile arguments and exhaust fds, the vfs quota and memory. Each run
// must exit 0 (no trap: the box never traps because of a capability), print
// "check GROUP: ok" after every group (capability state intact: a normal
// call sequence still works) and print exactly its expected lines
// (<program>.json), in static and in dynamic mode. The runs that need no vfs
// limits also run over a host mount (the runtime's host driver): same rules,
// same lines except those HOST_LINES lists.

import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCorpus, type CorpusRuns, type Run } from './harness.ts';
import { RUNS, type Expectations } from './runs.ts';

const here = new URL('.', import.meta.url);
const expected = (program: string): Expectations => JSON.parse(readFileSync(new URL(`${program}.json`, here), 'utf8')) as Expectations;

function lines(run: Run): string[] {
  const out = run.stdout.split('\n');
  if (out.at(-1) === '') out.pop();
  return out;
}

const describeRun = (r: Run) => `exit ${r.exitCode}${r.signal ? ` (killed: ${r.signal})` : ''}${r.stderr ? `, stderr: ${r.stderr.trim()}` : ''}`;

it('has a built program and an expectation file for every source, and a run for every program', () => {
  const files = readdirSync(here);
  const sources = files.filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2)).sort();
  expect(files.filter((f) => f.endsWith('.wasm')).map((f) => f.slice(0, -5)).sort()).toEqual(sources);
  expect([...new Set(RUNS.map((r) => r.program))].sort()).toEqual(sources);
  for (const program of sources) {
    expect(Object.keys(expected(program)).sort()).toEqual(RUNS.filter((r) => r.program === program).map((r) => r.label).sort());
  }
});

it('covers every preview1 function but proc_exit', () => {
  // proc_exit ends the program: the exit code of every run checks it.
  const source = readdirSync(here).filter((f) => f.endsWith('.c')).map((f) => readFileSync(new URL(f, here), 'utf8')).join('\n');
  const imported = [...readFileSync(new URL('hostile.h', here), 'utf8').matchAll(/^IMPORT\((\w+)\)/gm)].map((m) => m[1]!);
  expect(imported).toHaveLength(45);
  for (const name of imported) expect(source, name).toMatch(new RegExp(`raw_${name}\\(`));
});

// Runs with vfs limits test the vfs; exhausting the app's own memory involves no directory.
const HOST_RUNS = RUNS.filter((r) => Object.keys(r.limits).length === 0 && r.args[0] !== 'appmem');
/** Every run below, made together in one child process by the first test that asks. */
let corpus: CorpusRuns | undefined;
const runs = (): CorpusRuns => (corpus ??= runCorpus(RUNS, HOST_RUNS));

describe.each(RUNS.map((r, i) => [`${r.program} (${r.label})`, r, i] as const))('%s', (_, run, i) => {
  it.each(['static', 'dynamic'] as const)('answers an errno for every call and keeps working (%s mode)', (mode) => {
    const r = runs().boxed[i]![mode];
    expect(r.signal, describeRun(r)).toBeNull();
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(r.stderr).toBe('');
    const got = lines(r);
    expect(got.filter((l) => l.startsWith('check ') && !l.endsWith(': ok'))).toEqual([]);
    expect(got.at(-1)).toBe('failures: 0');
    expect(got).toEqual(expected(run.program)[run.label]);
  });
});

/**
 * Where a host mount answers otherwise than the vfs, per program: the line
 * the vfs prints, and the host's. The vfs caps a file at 1 GiB (its own
 * limit; a host file may be larger), and a short fd_prestat_dir_name buffer
 * is ENAMETOOLONG there (wasmtime), ENOBUFS in the vfs
 * (packages/runtime/README.md, Host directories).
 */
const HOST_LINES: Record<string, Record<string, string>> = {
  fd_hostile: {
    'fd_allocate 4 GiB -> EFBIG': 'fd_allocate 4 GiB -> ok',
    'fd_filestat_set_size 4 GiB -> EFBIG': 'fd_filestat_set_size 4 GiB -> ok',
    'fd_prestat_dir_name len=0 -> ENOBUFS': 'fd_prestat_dir_name len=0 -> ENAMETOOLONG',
  },
};

describe.each(HOST_RUNS.map((r, i) => [`${r.program} (${r.label})`, r, i] as const))('%s over a host mount', (_, run, i) => {
  it('answers an errno for every call, keeps working, and prints what the vfs prints', () => {
    const r = runs().host[i]!;
    expect(r.signal, describeRun(r)).toBeNull();
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(r.stderr).toBe('');
    const got = lines(r);
    expect(got.filter((l) => l.startsWith('check ') && !l.endsWith(': ok'))).toEqual([]);
    expect(got.at(-1)).toBe('failures: 0');
    const host = HOST_LINES[run.program] ?? {};
    expect(got).toEqual(expected(run.program)[run.label]!.map((line) => host[line] ?? line));
  });
});
