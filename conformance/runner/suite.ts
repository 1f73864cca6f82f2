// A whole suite in the wasi-testsuite layout: every `*.wasm` under a folder
// (recursively), each with its spec beside it, run in each requested mode
// with a few tests at a time, summarized per folder.

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Pool } from './pool.ts';
import { runTest, type Mode, type TestResult } from './run.ts';

export interface SuiteOptions {
  /** static (the default), dynamic, or both */
  mode?: Mode | 'both';
  /** write the SuiteResult as JSON here */
  json?: string;
  /** per test; default 30 s */
  timeoutMs?: number;
  /** fixtures as host directories instead of the image (run.ts RunOptions.hostMounts) */
  hostMounts?: boolean;
  /** tests run at a time; default min(4, cores) */
  concurrency?: number;
  /** run every test on this peer WASI host (conformance/peers) instead of as a box; results are labelled static */
  peer?: string;
  /**
   * serve box tests on these children (pool.ts), which the caller closes, instead of a pool of
   * the suite's own: runs of several suites then share the children's starts
   */
  children?: Pool;
}

export interface FolderSummary {
  folder: string;
  passed: number;
  /** every test that did not pass and was not skipped: failures, timeouts and crashes */
  failed: number;
  timeouts: number;
  crashes: number;
  skipped: number;
}

export interface SuiteResult {
  suite: string;
  modes: Mode[];
  /** sorted by name, then mode */
  results: TestResult[];
  folders: FolderSummary[];
  passed: number;
  failed: number;
  skipped: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** Every `.wasm` under `dir`, as paths relative to it with '/' separators, sorted. */
export function findTests(dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.wasm')) found.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return found.sort();
}

/** Runs `jobs` with at most `limit` in flight, keeping their order in the result. */
async function pool<T>(jobs: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const out = new Array<T>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return out;
}

export function summarize(results: readonly TestResult[]): FolderSummary[] {
  const folders = new Map<string, FolderSummary>();
  for (const r of results) {
    let f = folders.get(r.folder);
    if (!f) folders.set(r.folder, (f = { folder: r.folder, passed: 0, failed: 0, timeouts: 0, crashes: 0, skipped: 0 }));
    if (r.status === 'pass') f.passed++;
    else if (r.status === 'skip') f.skipped++;
    else f.failed++;
    if (r.status === 'timeout') f.timeouts++;
    if (r.status === 'crash') f.crashes++;
  }
  return [...folders.values()].sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0));
}

export async function runSuite(dir: string, options: SuiteOptions = {}): Promise<SuiteResult> {
  const suite = resolve(dir);
  const modes: Mode[] = options.mode === 'both' ? ['static', 'dynamic'] : [options.mode ?? 'static'];
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const tests = findTests(suite);
  // With both modes, each test is linked once (portable: static mode runs its
  // merged module, dynamic mode its parts) and the box is kept here between
  // the two runs. Every test runs in the first mode before any in the second,
  // so the box is there when the second run starts.
  const boxes = modes.length > 1 && !options.peer ? mkdtempSync(join(tmpdir(), 'box-conformance-boxes-')) : undefined;
  const concurrency = options.concurrency ?? Math.min(4, availableParallelism());
  // Box tests that only run and wait are served by long-lived children (pool.ts).
  const children = options.peer ? undefined : options.children ?? new Pool(concurrency);
  const jobs: Array<() => Promise<TestResult>> = [];
  for (const mode of modes) {
    tests.forEach((path, i) => {
      const name = path.slice(0, -'.wasm'.length);
      const folder = dirname(path);
      const boxCache = boxes ? join(boxes, `${i}.box.wasm`) : undefined;
      const how = options.peer ? { as: 'peer' as const, peer: options.peer } : { boxCache, pool: children };
      jobs.push(() => runTest(join(suite, path), { name, folder, mode }, { timeoutMs, ...how, ...(options.hostMounts ? { hostMounts: true } : {}) }));
    });
  }
  let results: TestResult[];
  try {
    results = await pool(jobs, concurrency);
  } finally {
    if (children !== options.children) children?.close();
    if (boxes) rmSync(boxes, { recursive: true, force: true });
  }
  // Sorted by name, then mode (in the order given), whatever order they ran in.
  results.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : modes.indexOf(a.mode) - modes.indexOf(b.mode)));
  const folders = summarize(results);
  const total = (k: 'passed' | 'failed' | 'skipped'): number => folders.reduce((n, f) => n + f[k], 0);
  const result: SuiteResult = { suite, modes, results, folders, passed: total('passed'), failed: total('failed'), skipped: total('skipped') };
  if (options.json) writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/** Per-folder lines, each failing test with its reason, and a last line `N passed, N failed`. */
export function formatSummary(result: SuiteResult): string {
  const lines: string[] = [];
  for (const f of result.folders) {
    const extra = [f.timeouts ? `${f.timeouts} timed out` : '', f.crashes ? `${f.crashes} crashed` : '', f.skipped ? `${f.skipped} skipped` : ''].filter(Boolean);
    lines.push(`${f.folder}: ${f.passed} passed, ${f.failed} failed${extra.length ? ` (${extra.join(', ')})` : ''}`);
  }
  for (const r of result.results) {
    if (r.status !== 'pass' && r.status !== 'skip') lines.push(`  ${r.status.toUpperCase()} ${r.name} [${r.mode}]: ${r.reason}`);
  }
  lines.push(`${result.passed} passed, ${result.failed} failed`);
  return lines.join('\n');
}
