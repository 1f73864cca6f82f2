// The fs conformance corpus: each program runs bare under node:wasi over an
// empty host directory (the reference: Linux) and as a box (kernel + vfs +
// proc) over an image holding an empty /work; stdout and exit code must
// match, except the checks listed in deviations.json, which must really
// differ (so a stale entry fails). Then the box over an empty host directory
// mounted as /work (the runtime's host driver) must answer as the box over
// the vfs, except the checks in host-deviations.json: a program sees one
// filesystem whatever backs a directory.

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readDeviations } from '../deviations.ts';
import { runAll, type Run, type Runs } from './harness.ts';

// Each entry says who deviates (node:wasi, the box, or the setup) and why.
const deviations = readDeviations(new URL('./deviations.json', import.meta.url));
const hostDeviations = readDeviations(new URL('./host-deviations.json', import.meta.url));
const programs = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.c'))
  .map((f) => f.slice(0, -2))
  .sort();
/**
 * Every program's three runs (bare, box, box over a host mount), made in one child process when
 * the first test asks; a program's box run is shared by both its comparisons.
 */
let allRuns: Map<string, Runs> | undefined;
const runsOf = (name: string): Runs => {
  const runs = (allRuns ??= runAll(programs)).get(name);
  if (!runs) throw new Error(`no runs for ${name}`);
  return runs;
};

interface Check {
  label: string;
  line: string;
}

/** One line per check: "label: result". */
function checks(run: Run): Check[] {
  const lines = run.stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => {
    const colon = line.indexOf(': ');
    return { label: colon < 0 ? line : line.slice(0, colon), line };
  });
}

function describeRun(run: Run): string {
  return `exit ${run.exitCode}${run.signal ? ` (killed: ${run.signal})` : ''}${run.stderr ? `, stderr: ${run.stderr.trim()}` : ''}`;
}

it('has a built program for every source and deviations only for programs that exist', () => {
  const wasm = readdirSync(new URL('.', import.meta.url)).filter((f) => f.endsWith('.wasm')).map((f) => f.slice(0, -5)).sort();
  expect(wasm).toEqual(programs);
  for (const name of [...Object.keys(deviations), ...Object.keys(hostDeviations)]) expect(programs).toContain(name);
});

/**
 * `run` must print what `reference` printed, line by line, except the
 * checks listed (each of which must really differ, so a stale entry fails).
 */
function compare(reference: Run, run: Run, listed: Record<string, unknown>, wantName: string, gotName: string): void {
  expect(reference.signal, `${wantName} ${describeRun(reference)}`).toBeNull();
  expect(run.signal, `${gotName} ${describeRun(run)}`).toBeNull();
  expect(reference.exitCode, `${wantName} ${describeRun(reference)}`).toBe(0);
  expect(run.exitCode, `${gotName} ${describeRun(run)}`).toBe(reference.exitCode);

  const expected = checks(reference);
  const actual = checks(run);
  // Labels identify checks: the same checks in the same order, each once.
  expect(actual.map((c) => c.label)).toEqual(expected.map((c) => c.label));
  expect(new Set(expected.map((c) => c.label)).size, 'check labels must be unique').toBe(expected.length);
  for (const label of Object.keys(listed)) {
    expect(expected.map((c) => c.label), `deviation "${label}" names no check`).toContain(label);
  }

  const differing: string[] = [];
  const stale: string[] = [];
  expected.forEach((want, i) => {
    const line = actual[i]!;
    const deviates = Object.hasOwn(listed, want.label);
    if (!deviates && line.line !== want.line) differing.push(`${wantName}: ${want.line}\n      ${gotName}: ${line.line}`);
    if (deviates && line.line === want.line) stale.push(`${want.label}: both answer "${line.line}"`);
  });
  expect(differing, `unlisted differences from ${wantName}`).toEqual([]);
  expect(stale, 'listed deviations that no longer occur').toEqual([]);
}

describe.each(programs)('%s', (name) => {
  it('matches node:wasi, except its listed deviations', () => {
    const { bare, box } = runsOf(name);
    compare(bare, box, deviations[name] ?? {}, 'node:wasi', 'box');
  });

  it('answers over a host mount as over the vfs, except its listed host deviations', () => {
    const { box, host } = runsOf(name);
    compare(box, host, hostDeviations[name] ?? {}, 'vfs', 'host');
  });
});
