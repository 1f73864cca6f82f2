// The fs conformance corpus: each program runs bare under node:wasi over an
// empty host directory (the reference: Linux) and as a box (kernel + vfs +
// proc) over an image holding an empty /work; stdout and exit code must
// match, except the checks listed in deviations.json, which must really
// differ (so a stale entry fails).

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readDeviations } from '../deviations.ts';
import { runBare, runBoxed, type Run } from './harness.ts';

// Each entry says who deviates from the spec and wasmtime (node:wasi, the box, or the setup) and why.
const deviations = readDeviations(new URL('./deviations.json', import.meta.url));
const programs = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.c'))
  .map((f) => f.slice(0, -2))
  .sort();

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
  for (const name of Object.keys(deviations)) expect(programs).toContain(name);
});

describe.each(programs)('%s', (name) => {
  it('matches node:wasi, except its listed deviations', () => {
    const bare = runBare(name);
    const boxed = runBoxed(name);
    expect(bare.signal, `reference ${describeRun(bare)}`).toBeNull();
    expect(boxed.signal, `box ${describeRun(boxed)}`).toBeNull();
    expect(bare.exitCode, `reference ${describeRun(bare)}`).toBe(0);
    expect(boxed.exitCode, `box ${describeRun(boxed)}`).toBe(bare.exitCode);

    const expected = checks(bare);
    const actual = checks(boxed);
    const listed = deviations[name] ?? {};
    // Labels identify checks: the same checks in the same order, each once.
    expect(actual.map((c) => c.label)).toEqual(expected.map((c) => c.label));
    expect(new Set(expected.map((c) => c.label)).size, 'check labels must be unique').toBe(expected.length);
    for (const label of Object.keys(listed)) {
      expect(expected.map((c) => c.label), `deviation "${label}" names no check of ${name}`).toContain(label);
    }

    const differing: string[] = [];
    const stale: string[] = [];
    expected.forEach((want, i) => {
      const got = actual[i]!;
      const deviates = Object.hasOwn(listed, want.label);
      if (!deviates && got.line !== want.line) differing.push(`node:wasi: ${want.line}\n      box: ${got.line}`);
      if (deviates && got.line === want.line) stale.push(`${want.label}: both answer "${got.line}"`);
    });
    expect(differing, 'unlisted differences from node:wasi').toEqual([]);
    expect(stale, 'listed deviations that no longer occur').toEqual([]);
  });
});
