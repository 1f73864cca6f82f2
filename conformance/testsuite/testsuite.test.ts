// The official WASI test suite (WebAssembly/wasi-testsuite, preview1: 72
// tests) run as boxes in static and in dynamic mode, in every test run: any
// test below 72/72 in either mode fails it, with the fixtures baked into the
// image and again with them as host mounts. The suite lives beside the
// repository (../shared/wasi-testsuite, or WASI_TESTSUITE); it is read-only
// and its tests write into their fixtures, so the run works on a copy.

import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatSummary, runSuite, type SuiteResult } from '../index.ts';
import { Pool } from '../runner/pool.ts';
import { BOX_COLUMNS, RESULTS_JSON, peerVersions, shortName, suiteSource, type Measured } from './results.ts';

const source = suiteSource();
/** AssemblyScript 12, C 14, Rust 46: the count the suite's README gives. */
const TESTS = 72;

const copy = mkdtempSync(join(tmpdir(), 'wasi-testsuite-'));
// Both runs of the suite (image, host mounts) are served by the same children, which a child's
// 144 jobs (runner/pool.ts) allow on 2 cores: a child's start and first job cost ~0.6 s of CPU.
const children = new Pool(Math.min(4, availableParallelism()));
afterAll(() => {
  children.close();
  rmSync(copy, { recursive: true, force: true });
});

let result: SuiteResult;
let seconds = 0;
beforeAll(async () => {
  if (!existsSync(join(source, 'tests'))) throw new Error(`the official suite is missing: no ${join(source, 'tests')} (set WASI_TESTSUITE)`);
  cpSync(join(source, 'tests'), join(copy, 'tests'), { recursive: true, verbatimSymlinks: true });
  const start = performance.now();
  result = await runSuite(copy, { mode: 'both', children });
  seconds = (performance.now() - start) / 1000;
}, 600_000);

it(`passes all ${TESTS} tests in static and in dynamic mode`, () => {
  for (const mode of ['static', 'dynamic'] as const) {
    const runs = result.results.filter((r) => r.mode === mode);
    expect(runs.length, `${mode}: tests found`).toBe(TESTS);
    expect(runs.filter((r) => r.status !== 'pass').map((r) => `${r.name}: ${r.reason}`), formatSummary(result)).toEqual([]);
  }
  expect(result.passed).toBe(2 * TESTS);
  console.log(`wasi-testsuite: ${result.passed} passed, ${result.failed} failed in ${seconds.toFixed(1)} s`);
});

it('has a current testsuite/results.json (regenerate: node testsuite/results.ts, then node report.ts)', () => {
  const committed = JSON.parse(readFileSync(RESULTS_JSON, 'utf8')) as Measured;
  // The same tests, and the box's columns as this run measured them.
  const run: Record<string, Record<string, string>> = {};
  for (const r of result.results) (run[shortName(r.name)] ??= {})[`box ${r.mode}`] = r.status;
  expect(Object.keys(committed.tests).sort()).toEqual(Object.keys(run).sort());
  for (const [test, row] of Object.entries(committed.tests)) {
    for (const column of BOX_COLUMNS) expect(`${test} ${column}: ${row[column]}`).toBe(`${test} ${column}: ${run[test]![column]}`);
  }
  // The peers measured are the ones installed (Node's own version is left out: it is whatever runs the tests).
  const { 'node:wasi': _node, ...installed } = peerVersions();
  const { 'node:wasi': _recorded, ...recorded } = committed.versions;
  expect(recorded).toEqual(installed);
});

// The same suite with its fixture directories given as host mounts (box run --dir over a
// writable copy: runner/host-mounts.ts) instead of baked into the image: a program sees one
// filesystem semantics whatever backs a directory.
it(`passes all ${TESTS} tests in both modes with its fixtures as host mounts`, async () => {
  const mounted = mkdtempSync(join(tmpdir(), 'wasi-testsuite-mounts-'));
  try {
    cpSync(join(source, 'tests'), join(mounted, 'tests'), { recursive: true, verbatimSymlinks: true });
    const start = performance.now();
    const run = await runSuite(mounted, { mode: 'both', hostMounts: true, children });
    for (const mode of ['static', 'dynamic'] as const) {
      const runs = run.results.filter((r) => r.mode === mode);
      expect(runs.length, `${mode}: tests found`).toBe(TESTS);
      expect(runs.filter((r) => r.status !== 'pass').map((r) => `${r.name}: ${r.reason}`), formatSummary(run)).toEqual([]);
    }
    console.log(`wasi-testsuite over host mounts: ${run.passed} passed, ${run.failed} failed in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(mounted, { recursive: true, force: true });
  }
}, 600_000);
