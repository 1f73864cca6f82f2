// Regenerates the corpus specs (X.json beside each X.wasm): each program
// runs bare under node:wasi on Linux (the reference) with the inputs below,
// the fixture directory preopened as /, and its exit code and stdout become
// the expectation. Run with Node 24 from this folder: `node generate.ts`.
// Commit the specs; the box must then reproduce them (corpus.test.ts).

import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTest } from '../runner/run.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Run-time inputs per program; every program gets the fixture as its root. */
const INPUTS: Record<string, { args?: string[]; env?: Record<string, string> }> = {
  args_env: { args: ['one', 'two words', ''], env: { LANG: 'C', ZONE: 'box' } },
};

export async function generate(): Promise<string[]> {
  const written: string[] = [];
  for (const file of readdirSync(here).filter((f) => f.endsWith('.wasm')).sort()) {
    const name = file.slice(0, -'.wasm'.length);
    const spec: Record<string, unknown> = { root: 'fixture', ...INPUTS[name] };
    const path = join(here, `${name}.json`);
    // The inputs first, so that the reference run reads them from the spec like the box will.
    writeFileSync(path, `${JSON.stringify(spec, null, 2)}\n`);
    const run = await runTest(join(here, file), { name, folder: '.', mode: 'static' }, { timeoutMs: 20_000, as: 'bare' });
    if (run.exitCode === undefined) throw new Error(`${name}: the reference run did not exit: ${run.reason}`);
    writeFileSync(path, `${JSON.stringify({ ...spec, exit_code: run.exitCode, stdout: run.stdout }, null, 2)}\n`);
    written.push(name);
  }
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(`generated ${(await generate()).join(', ')}`);
