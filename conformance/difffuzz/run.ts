// Runs generated scripts through interp.wasm both ways, in this process:
// bare under node:wasi with a fresh host temp dir holding the initial tree
// preopened as /work (the reference: Linux), and as a box (kernel + vfs +
// proc) whose image holds the same tree under /work. The script is stdin.
//
//   node run.ts FIRST_SEED COUNT [OUT.json]   (Node 24; difffuzz.test.ts spawns it)

import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import type { ImageEntry } from '@marcotte/abi';
import { kernel } from '@marcotte/kernel';
import { link } from '@marcotte/linker';
import { proc } from '@marcotte/proc';
import { runBox } from '@marcotte/runtime';
import { vfs } from '@marcotte/vfs';
import { generate, type Script } from './generate.ts';

const interp = readFileSync(new URL('./interp.wasm', import.meta.url));
const module = await WebAssembly.compile(interp);

export interface Outcome {
  seed: number;
  script: string[];
  node: string[];
  box: string[];
  nodeExit: number | string;
  boxExit: number | string;
}

const split = (text: string) => {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
};

async function runNode(s: Script): Promise<{ out: string[]; exit: number | string }> {
  const dir = mkdtempSync(join(tmpdir(), 'difffuzz-'));
  try {
    const root = join(dir, 'root');
    mkdirSync(root);
    for (const e of s.tree) {
      const at = join(root, e.path);
      if (e.type === 'dir') mkdirSync(at, { recursive: true });
      else if (e.type === 'file') writeFileSync(at, e.data ?? '');
      else symlinkSync(e.target!, at);
    }
    writeFileSync(join(dir, 'script'), `${s.lines.join('\n')}\n`);
    const stdin = openSync(join(dir, 'script'), 'r');
    const stdout = openSync(join(dir, 'out'), 'w');
    let exit: number | string;
    try {
      const wasi = new WASI({ version: 'preview1', args: ['interp', '/work'], env: {}, preopens: { '/work': root }, stdin, stdout, returnOnExit: true });
      const instance = await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports);
      exit = wasi.start(instance);
    } catch (e) {
      exit = `${(e as Error).name}: ${(e as Error).message}`;
    } finally {
      closeSync(stdin);
      closeSync(stdout);
    }
    return { out: split(readFileSync(join(dir, 'out'), 'utf8')), exit };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runBoxed(s: Script): Promise<{ out: string[]; exit: number | string }> {
  const image: ImageEntry[] = [{ path: '/work', type: 'dir' }];
  for (const e of s.tree) {
    const path = `/work/${e.path}`;
    if (e.type === 'dir') image.push({ path, type: 'dir' });
    else if (e.type === 'file') image.push({ path, type: 'file', data: new TextEncoder().encode(e.data ?? '') });
    else image.push({ path, type: 'symlink', target: e.target! });
  }
  const bytes = link(interp, { capabilities: [kernel, vfs, proc], entrypoint: 'interp', args: ['/work'], env: [], image }).bytes;
  let out = '';
  let exit: number | string;
  try {
    exit = (await runBox(bytes, { input: new TextEncoder().encode(`${s.lines.join('\n')}\n`), onOutput: (_, b) => (out += new TextDecoder().decode(b)) })).exitCode;
  } catch (e) {
    exit = `${(e as Error).name}: ${(e as Error).message}`;
  }
  return { out: split(out), exit };
}

export async function runSeed(seed: number): Promise<Outcome> {
  const s = generate(seed);
  const [n, b] = [await runNode(s), await runBoxed(s)];
  return { seed, script: s.lines, node: n.out, box: b.out, nodeExit: n.exit, boxExit: b.exit };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [first, count, out] = process.argv.slice(2).map((a, i) => (i < 2 ? Number(a) : a)) as [number, number, string | undefined];
  const outcomes: Outcome[] = [];
  for (let seed = first; seed < first + count; seed++) outcomes.push(await runSeed(seed));
  const json = JSON.stringify(outcomes);
  if (out) writeFileSync(out, json);
  else process.stdout.write(json);
}
