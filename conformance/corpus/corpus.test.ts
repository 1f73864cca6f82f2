// Our corpus in the wasi-testsuite layout, run through runSuite in static
// mode (and dynamic mode, with the same results): every test passes except those in skip.json, which must still fail
// exactly where skip.json says (so a stale entry fails). The corpus must
// import every preview1 function, and RESULTS.md must be up to date.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '@marcotte/abi';
import { runSuite, type SuiteResult, type TestResult } from '../index.ts';
import { corpusImports, renderReport } from '../report.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const skips = JSON.parse(readFileSync(join(here, 'skip.json'), 'utf8')) as Record<string, { first_difference: string; reason: string }>;
delete skips.$comment;
const programs = readdirSync(here).filter((f) => f.endsWith('.wasm')).map((f) => f.slice(0, -5)).sort();

/** The label of the first line where the test's stdout departs from its spec's. */
function firstDifference(result: TestResult): string | undefined {
  const spec = JSON.parse(readFileSync(join(here, `${result.name}.json`), 'utf8')) as { stdout: string };
  const want = spec.stdout.split('\n');
  const got = (result.stdout ?? '').split('\n');
  const i = want.findIndex((line, k) => line !== got[k]);
  return i < 0 ? undefined : want[i]!.split(': ')[0];
}

let result: SuiteResult;
beforeAll(async () => {
  result = await runSuite(here, { mode: 'both', timeoutMs: 30_000 });
}, 300_000);

it('has a built program and a spec for every source, and skips only programs that exist', () => {
  const sources = readdirSync(here).filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2)).sort();
  const specs = readdirSync(here).filter((f) => f.endsWith('.json') && f !== 'skip.json').map((f) => f.slice(0, -5)).sort();
  expect(programs).toEqual(sources);
  expect(specs).toEqual(sources);
  for (const name of Object.keys(skips)) expect(programs).toContain(name);
});

describe.each(programs)('%s', (name) => {
  it(Object.hasOwn(skips, name) ? 'still fails where skip.json says' : 'passes in static mode', () => {
    const r = result.results.find((t) => t.name === name && t.mode === 'static')!;
    if (!Object.hasOwn(skips, name)) {
      expect(r.status, r.reason).toBe('pass');
      return;
    }
    expect(r.status, 'a skipped test that passes: remove it from skip.json').toBe('fail');
    expect(firstDifference(r), r.reason).toBe(skips[name]!.first_difference);
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
