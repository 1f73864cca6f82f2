// Our corpus in the wasi-testsuite layout, run through runSuite in static
// and dynamic mode (with the same results), compared with its specs (written
// by node:wasi) check by check: every check matches except those listed in
// deviations.json, which must really differ (so a stale entry fails), each
// saying who deviates from the spec and wasmtime and why. The corpus must
// import every preview1 function, and RESULTS.md must be up to date.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '@marcotte/abi';
import { readDeviations } from '../deviations.ts';
import { runSuite, type SuiteResult } from '../index.ts';
import { checkDifferences, corpusImports, renderReport } from '../report.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const deviations = readDeviations(new URL('./deviations.json', import.meta.url));
const programs = readdirSync(here).filter((f) => f.endsWith('.wasm')).map((f) => f.slice(0, -5)).sort();

let result: SuiteResult;
beforeAll(async () => {
  result = await runSuite(here, { mode: 'both', timeoutMs: 30_000 });
}, 300_000);

it('has a built program and a spec for every source, and deviations only for programs that exist', () => {
  const sources = readdirSync(here).filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2)).sort();
  const specs = readdirSync(here).filter((f) => f.endsWith('.json') && f !== 'deviations.json').map((f) => f.slice(0, -5)).sort();
  expect(programs).toEqual(sources);
  expect(specs).toEqual(sources);
  for (const name of Object.keys(deviations)) expect(programs).toContain(name);
});

describe.each(programs)('%s', (name) => {
  it('matches its spec at every check but the listed deviations (static mode)', () => {
    const r = result.results.find((t) => t.name === name && t.mode === 'static')!;
    const d = checkDifferences(r, deviations[name] ?? {});
    expect(d.broken, r.reason).toBeUndefined();
    expect(d.unlisted, 'checks that differ from the spec and deviations.json does not list').toEqual([]);
    expect(d.stale, 'listed deviations that no longer occur').toEqual([]);
  });
});

it('gives the same results in dynamic mode as in static mode', () => {
  for (const r of result.results.filter((t) => t.mode === 'dynamic')) {
    const twin = result.results.find((t) => t.mode === 'static' && t.name === r.name)!;
    expect([r.name, r.status, r.stdout, r.exitCode]).toEqual([twin.name, twin.status, twin.stdout, twin.exitCode]);
  }
});

it('imports every preview1 function', () => {
  const imported = new Set(Object.values(corpusImports()).flat());
  expect(FUNCTIONS.map((f) => f.name).filter((f) => !imported.has(f))).toEqual([]);
});

it('has an up-to-date RESULTS.md (regenerate: node report.ts)', () => {
  expect(readFileSync(join(here, '..', 'RESULTS.md'), 'utf8')).toBe(renderReport(result));
});
