// The official suite side by side: the box in static and dynamic mode, each
// peer WASI host in conformance/peers, and what wasmtime, WAMR and wazero
// publish. `node testsuite/results.ts` (Node 24, in conformance/) runs the
// suite on all of them (a copy of ../shared/wasi-testsuite, or
// WASI_TESTSUITE) and writes testsuite/results.json; `node report.ts` then
// renders it into RESULTS.md. testsuite.test.ts checks that the committed
// file matches the box's run, the suite's tests and the peers' versions.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PEERS } from '../peers/index.ts';
import { runSuite, type SuiteResult } from '../runner/suite.ts';
import type { Status } from '../runner/run.ts';
import { PUBLISHED, SUITE_COMMIT } from './published.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
export const RESULTS_JSON = join(here, 'results.json');
export const BOX_COLUMNS = ['box static', 'box dynamic'] as const;
/** The box again, its fixtures given as host mounts (box run --dir) instead of baked into the image. */
export const MOUNT_COLUMNS = ['box mounts static', 'box mounts dynamic'] as const;

export interface Measured {
  /** the suite's commit (published.ts) */
  suite: string;
  /** runtime -> the version measured */
  versions: Record<string, string>;
  /** test (language/name) -> runtime -> status */
  tests: Record<string, Record<string, Status>>;
}

/** Where the suite is: ../shared/wasi-testsuite beside the repository, or WASI_TESTSUITE. */
export function suiteSource(): string {
  return resolve(here, '../..', process.env.WASI_TESTSUITE ?? '../shared/wasi-testsuite');
}

/** "tests/rust/testsuite/wasm32-wasip1/readlink" -> "rust/readlink". */
export function shortName(name: string): string {
  const parts = name.split('/');
  const lang = parts[parts.indexOf('testsuite') - 1] ?? parts[0];
  return `${lang}/${parts.at(-1)}`;
}

/** The versions of the peers installed here (node:wasi is Node's). */
export function peerVersions(): Record<string, string> {
  const pkg = (name: string): string => (JSON.parse(readFileSync(join(here, '../node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  return {
    'node:wasi': `Node ${process.versions.node}`,
    'browser_wasi_shim': `@bjorn3/browser_wasi_shim ${pkg('@bjorn3/browser_wasi_shim')}`,
    'wasmer': `@wasmer/wasi ${pkg('@wasmer/wasi')}`,
    'wasm-util+memfs': `@tybys/wasm-util ${pkg('@tybys/wasm-util')} + memfs ${pkg('memfs')}`,
  };
}

/** Per-test statuses: the box's two modes from `box` (and over host mounts from `mounts`), a column per peer run. */
export function measured(box: SuiteResult, peers: Record<string, SuiteResult>, mounts?: SuiteResult): Measured {
  const tests: Measured['tests'] = {};
  const put = (name: string, column: string, status: Status): void => {
    (tests[shortName(name)] ??= {})[column] = status;
  };
  for (const r of box.results) put(r.name, `box ${r.mode}`, r.status);
  for (const r of mounts?.results ?? []) put(r.name, `box mounts ${r.mode}`, r.status);
  for (const [peer, result] of Object.entries(peers)) for (const r of result.results) put(r.name, peer, r.status);
  const sorted = Object.fromEntries(Object.keys(tests).sort().map((t) => [t, tests[t]!]));
  return { suite: SUITE_COMMIT, versions: peerVersions(), tests: sorted };
}

/** The RESULTS.md section: one row per test, a column per runtime, totals last. */
export function renderSuiteTable(m: Measured): string[] {
  const peers = Object.keys(PEERS);
  const columns = [...BOX_COLUMNS, ...MOUNT_COLUMNS, ...peers];
  const published = Object.keys(PUBLISHED);
  const mark = (s: Status | undefined): string => (s === 'pass' ? 'pass' : s === undefined ? '-' : `**${s}**`);
  const lines = [
    '## The official suite (WebAssembly/wasi-testsuite, preview1)',
    '',
    `Commit ${m.suite} of the suite's prod/testsuite-base branch (../shared/wasi-testsuite). Measured here by`,
    '`pnpm exec node testsuite/results.ts` (`testsuite/results.json`): the box in static and dynamic mode (fixtures baked',
    'into its image, then again as host mounts, `box run --dir`: "box mounts") and the peer WASI',
    `hosts of \`peers/\` (${peers.map((p) => `${p}: ${m.versions[p]}`).join('; ')}), each test in a child process with`,
    'the fixture preopened as its spec says. Published, not measured: wasmtime, WAMR and wazero, from upstream\'s',
    '`expectations/<runtime>/linux.toml` at that commit ("skip" = not expected to pass). The test command runs the',
    'box columns every time (`testsuite/testsuite.test.ts`).',
    '',
    `| test | ${columns.join(' | ')} | ${published.join(' | ')} |`,
    `| --- | ${[...columns, ...published].map(() => '---').join(' | ')} |`,
  ];
  const totals = new Map<string, number>();
  for (const [test, row] of Object.entries(m.tests)) {
    const cells = columns.map((c) => mark(row[c]));
    const pub = published.map((p) => (PUBLISHED[p]!.includes(test) ? '**skip**' : 'pass'));
    columns.forEach((c) => { totals.set(c, (totals.get(c) ?? 0) + (row[c] === 'pass' ? 1 : 0)); });
    published.forEach((p, i) => { totals.set(p, (totals.get(p) ?? 0) + (pub[i] === 'pass' ? 1 : 0)); });
    lines.push(`| ${test} | ${[...cells, ...pub].join(' | ')} |`);
  }
  const n = Object.keys(m.tests).length;
  lines.push(`| **passed of ${n}** | ${[...columns, ...published].map((c) => `${totals.get(c) ?? 0}`).join(' | ')} |`, '');
  return lines;
}

/** Copies the suite (its tests write into their fixtures) and runs it on the box and every peer. */
async function measure(): Promise<Measured> {
  const copy = mkdtempSync(join(tmpdir(), 'wasi-testsuite-'));
  try {
    const fresh = (): string => {
      rmSync(join(copy, 'tests'), { recursive: true, force: true });
      cpSync(join(suiteSource(), 'tests'), join(copy, 'tests'), { recursive: true, verbatimSymlinks: true });
      return copy;
    };
    const box = await runSuite(fresh(), { mode: 'both' });
    console.log(`box: ${box.passed} passed, ${box.failed} failed`);
    const mounts = await runSuite(fresh(), { mode: 'both', hostMounts: true });
    console.log(`box over host mounts: ${mounts.passed} passed, ${mounts.failed} failed`);
    const peers: Record<string, SuiteResult> = {};
    for (const peer of Object.keys(PEERS)) {
      peers[peer] = await runSuite(fresh(), { peer });
      console.log(`${peer}: ${peers[peer]!.passed} passed, ${peers[peer]!.failed} failed`);
    }
    return measured(box, peers, mounts);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(RESULTS_JSON, `${JSON.stringify(await measure(), null, 1)}\n`);
  console.log(`wrote ${RESULTS_JSON}; now run node report.ts`);
}
