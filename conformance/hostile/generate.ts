// Writes <program>.json: the stdout lines of every run in runs.ts, as the box
// prints them in static mode. Review the diff by hand before committing: the
// test then holds the box to it (both modes), line by line.
//   node generate.ts        (Node 24, in conformance/hostile)

import { writeFileSync } from 'node:fs';
import { runBoxed } from './harness.ts';
import { RUNS, type Expectations } from './runs.ts';

const files = new Map<string, Expectations>();
for (const run of RUNS) {
  const r = runBoxed(run.program, run.args, run.limits);
  if (r.exitCode !== 0) throw new Error(`${run.program} (${run.label}): exit ${r.exitCode} ${r.signal ?? ''} ${r.stderr}`);
  const lines = r.stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const expectations = files.get(run.program) ?? {};
  expectations[run.label] = lines;
  files.set(run.program, expectations);
}
for (const [program, expectations] of files) {
  writeFileSync(new URL(`./${program}.json`, import.meta.url), `${JSON.stringify(expectations, null, 1)}\n`);
  console.log(`${program}.json: ${Object.values(expectations).reduce((n, l) => n + l.length, 0)} lines`);
}
