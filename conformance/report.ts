// Writes RESULTS.md: for each preview1 function, how far the box supports it
// (from the capability descriptors' support tables) and whether the corpus
// programs that import it pass, per mode. Run with Node 24 from this
// folder: `pnpm exec node report.ts`. corpus.test.ts checks the committed file is current.

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUNCTIONS, type CapabilityDescriptor, type Support } from '@marcotte/abi';
import { clock } from '@marcotte/clock';
import { kernel } from '@marcotte/kernel';
import { net } from '@marcotte/net';
import { proc } from '@marcotte/proc';
import { vfs } from '@marcotte/vfs';
import { readDeviations, type Deviation, type Deviations } from './deviations.ts';
import { runSuite, type SuiteResult } from './runner/suite.ts';
import type { Mode, TestResult } from './runner/run.ts';
import { RESULTS_JSON, renderSuiteTable, type Measured } from './testsuite/results.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const corpus = join(here, 'corpus');
const CAPABILITIES: readonly CapabilityDescriptor[] = [kernel, vfs, net, proc, clock];

/** Each corpus program's wasi_snapshot_preview1 imports. */
export function corpusImports(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const file of readdirSync(corpus).filter((f) => f.endsWith('.wasm')).sort()) {
    const module = new WebAssembly.Module(readFileSync(join(corpus, file)));
    out[file.slice(0, -5)] = WebAssembly.Module.imports(module).filter((i) => i.module === 'wasi_snapshot_preview1').map((i) => i.name);
  }
  return out;
}

/** The support column: every capability's entry for `fn`, the weakest status first. */
function support(fn: string): string {
  const entries = CAPABILITIES.flatMap((c) => (c.support[fn] ? [[c.name, c.support[fn]] as [string, Support]] : []));
  if (!entries.length) return 'passes through to the host (no capability serves it)';
  const rank = { unsupported: 0, partial: 1, supported: 2 } as const;
  const status = entries.map(([, s]) => s.status).sort((a, b) => rank[a] - rank[b])[0]!;
  const notes = entries.filter(([, s]) => s.status !== 'supported').map(([name, s]) => `${name}: ${(s as { note: string }).note}`);
  return `${status} (${entries.map(([n]) => n).join(' + ')})${notes.length ? `: ${notes.join('; ')}` : ''}`;
}

/** How a corpus program's output compares with its spec, check by check, given its listed deviations. */
export interface CheckDifferences {
  /** the run cannot be compared check by check: it crashed, timed out, exited otherwise, or printed other checks */
  broken?: string;
  /** differing checks deviations.json does not list */
  unlisted: string[];
  /** listed checks that no longer differ */
  stale: string[];
  /** listed checks that differ, with who deviates */
  deviating: Array<{ label: string; deviation: Deviation }>;
}

const label = (line: string): string => (line.includes(': ') ? line.slice(0, line.indexOf(': ')) : line);

export function checkDifferences(r: TestResult, listed: Record<string, Deviation>): CheckDifferences {
  const spec = JSON.parse(readFileSync(join(corpus, `${r.name}.json`), 'utf8')) as { stdout: string; exit_code?: number };
  const out: CheckDifferences = { unlisted: [], stale: [], deviating: [] };
  if (r.status === 'crash' || r.status === 'timeout') return { ...out, broken: `${r.status}: ${r.reason}` };
  if (r.exitCode !== (spec.exit_code ?? 0)) return { ...out, broken: `exit code ${r.exitCode}, spec ${spec.exit_code ?? 0}` };
  const want = spec.stdout.split('\n');
  const got = (r.stdout ?? '').replace(/\r\n/g, '\n').split('\n');
  if (want.map(label).join('\n') !== got.map(label).join('\n')) return { ...out, broken: 'the checks printed are not the spec\'s (labels differ)' };
  want.forEach((line, i) => {
    const l = label(line);
    const deviation = listed[l];
    if (line !== got[i] && !deviation) out.unlisted.push(`spec: ${line}\n      box: ${got[i]}`);
    if (line === got[i] && deviation) out.stale.push(`${l}: both answer "${line}"`);
    if (line !== got[i] && deviation) out.deviating.push({ label: l, deviation });
  });
  return out;
}

function outcome(result: SuiteResult, mode: Mode, tests: string[], deviations: Deviations): string {
  if (!result.modes.includes(mode)) return 'not run';
  const rs = result.results.filter((r) => r.mode === mode && tests.includes(r.name));
  if (rs.every((r) => r.status === 'skip')) return 'skipped';
  const failed: string[] = [];
  const own: string[] = [];
  for (const r of rs) {
    const d = checkDifferences(r, deviations[r.name] ?? {});
    if (d.broken || d.unlisted.length || d.stale.length) failed.push(r.name);
    // Checks where node:wasi deviates pass: the box answers as the spec and wasmtime.
    for (const { label: l, deviation } of d.deviating) if (deviation.deviates === 'box') own.push(`${r.name}: ${l}`);
  }
  if (failed.length) return `fail: ${failed.join(', ')}`;
  return `pass (${rs.length})${own.length ? `; the box deviates at ${own.join(', ')}` : ''}`;
}

/** The box's own deviations in both corpora, grouped by reason. */
function ownDeviations(): string[] {
  const byReason = new Map<string, string[]>();
  for (const [file, url] of [['fs', new URL('./fs/deviations.json', import.meta.url)], ['corpus', new URL('./corpus/deviations.json', import.meta.url)]] as const) {
    for (const [program, checks] of Object.entries(readDeviations(url))) {
      for (const [l, d] of Object.entries(checks)) {
        if (d.deviates !== 'box') continue;
        const at = byReason.get(d.reason) ?? [];
        at.push(`${file}/${program}: ${l}`);
        byReason.set(d.reason, at);
      }
    }
  }
  const lines = [
    '## The box\'s own deviations',
    '',
    'Where the box answers otherwise than the preview1 spec and wasmtime (the reference for semantics), from',
    '`fs/deviations.json` and `corpus/deviations.json`, each with why. Every other recorded divergence there is',
    'node:wasi departing from them (the corpora were written against node:wasi), or a difference in setup.',
    '',
    '| checks | why |',
    '| --- | --- |',
  ];
  for (const [reason, checks] of byReason) lines.push(`| ${cell(checks.join(', '))} | ${cell(reason)} |`);
  return [...lines, ''];
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

export function renderReport(result: SuiteResult): string {
  const imports = corpusImports();
  const suite = JSON.parse(readFileSync(RESULTS_JSON, 'utf8')) as Measured;
  const lines = [
    '# Conformance results',
    '',
    'Generated by `pnpm exec node report.ts` (here); do not edit.',
    '',
    ...renderSuiteTable(suite),
    '## Our corpus, per preview1 function',
    '',
    `From the capability support tables (${CAPABILITIES.map((c) => c.name).join(', ')}) and a run of`,
    '`corpus/` through the runner, compared with its specs (node:wasi\'s output) check by check. A function\'s result',
    'covers every corpus program that imports it; checks listed in `corpus/deviations.json` are counted by who deviates.',
    '',
    '| function | support | corpus programs | static | dynamic |',
    '| --- | --- | --- | --- | --- |',
  ];
  const deviations = readDeviations(new URL('./corpus/deviations.json', import.meta.url));
  for (const { name } of FUNCTIONS) {
    const tests = Object.keys(imports).filter((p) => imports[p]!.includes(name));
    lines.push(`| ${name} | ${cell(support(name))} | ${tests.join(', ') || '(none)'} | ${outcome(result, 'static', tests, deviations)} | ${outcome(result, 'dynamic', tests, deviations)} |`);
  }
  const clean = result.results.filter((r) => {
    const d = checkDifferences(r, deviations[r.name] ?? {});
    return !d.broken && !d.unlisted.length && !d.stale.length;
  }).length;
  lines.push('', `Corpus, both modes: ${clean} of ${result.results.length} runs match their spec at every check but the listed deviations.`, '', ...ownDeviations());
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runSuite(corpus, { mode: 'both' });
  writeFileSync(join(here, 'RESULTS.md'), renderReport(result));
  console.log(`wrote RESULTS.md: ${result.passed} passed, ${result.failed} failed`);
}
