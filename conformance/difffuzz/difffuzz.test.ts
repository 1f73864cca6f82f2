// Differential fuzzing of whole boxes: seeded scripts (generate.ts) run by
// interp.wasm as a box (kernel + vfs + proc) and bare under node:wasi over a
// host directory with the same initial tree (run.ts, in a child process with
// a timeout). Each script's first differing line must be explained by a rule
// of compare.ts naming an entry of conformance/fs/deviations.json; anything
// else fails. DIFFFUZZ_SCRIPTS=N runs more (node run.ts FIRST N OUT.json and
// compare.ts do the same by hand).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readDeviations } from '../deviations.ts';
import { RULES, divergence } from './compare.ts';
import type { Outcome } from './run.ts';

const SCRIPTS = Number(process.env.DIFFFUZZ_SCRIPTS ?? 200);
const FIRST_SEED = 1;

const deviations = readDeviations(new URL('../fs/deviations.json', import.meta.url));

it('names only deviations that conformance/fs/deviations.json documents', () => {
  for (const { deviation: [program, label] } of RULES) expect(deviations[program]?.[label], `${program}: ${label}`).toBeTypeOf('object');
});

it(`${SCRIPTS} generated scripts: the box and node:wasi agree up to a documented deviation`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'difffuzz-'));
  try {
    const out = join(dir, 'outcomes.json');
    // Liftoff only: each of the scripts' runs (a box and node:wasi) is a fresh module run for
    // milliseconds, and V8's TurboFan re-compiles of their hot functions cost more than they save
    // (~5 s of CPU instead of ~8 s on the 2-core test machine, the same outcomes).
    const run = spawnSync(process.execPath, ['--no-warnings', '--liftoff-only', new URL('./run.ts', import.meta.url).pathname, String(FIRST_SEED), String(SCRIPTS), out], {
      encoding: 'utf8', timeout: 300_000,
    });
    expect(run.signal, 'killed: a script hung').toBeNull();
    expect(run.status, run.stderr).toBe(0);
    const outcomes = JSON.parse(readFileSync(out, 'utf8')) as Outcome[];
    expect(outcomes).toHaveLength(SCRIPTS);
    const unexplained = outcomes.map(divergence).filter((d) => d && !d.explained)
      .map((d) => `seed ${d!.seed} line ${d!.line}: node:wasi "${d!.node}", box "${d!.box}"`);
    expect(unexplained).toEqual([]);
    // the comparison is not vacuous: many scripts run to their end in agreement
    expect(outcomes.filter((o) => !divergence(o)).length).toBeGreaterThan(SCRIPTS / 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
