// Runs an fs conformance program both ways: bare under node:wasi over an
// empty host directory (the reference), and linked as a box with kernel +
// vfs + proc over an image holding an empty /work; and as a box without the
// vfs over an empty host directory mounted as /work (box run --dir), to
// compare the host driver with the vfs. Each run happens in a child process
// (child.ts) with a timeout; runAll does the three runs of every program named in one.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernel } from '@marcotte/kernel';
import { link } from '@marcotte/linker';
import { proc } from '@marcotte/proc';
import { vfs } from '@marcotte/vfs';
import { inTempDir, runChild, runsInChild, type Run } from '../child-run.ts';
import type { RunArgs } from './child.ts';

export type { Run };

const here = fileURLToPath(new URL('.', import.meta.url));
const childScript = join(here, 'child.ts');
export const TIMEOUT_MS = 20_000;
const spawn = (args: string[]): Run => runChild(childScript, args, TIMEOUT_MS);

export const programPath = (name: string): string => join(here, `${name}.wasm`);

/** The reference: the bare program under node:wasi, a fresh empty temp dir preopened as /work. */
export function runBare(name: string): Run {
  return inTempDir(`fs-conformance-${name}-`, (dir) => spawn(['bare', programPath(name), dir]));
}

/** The program linked with kernel + vfs + proc over an image holding an empty /work. */
export function linkBox(name: string): Uint8Array {
  return link(readFileSync(programPath(name)), {
    capabilities: [kernel, vfs, proc],
    entrypoint: name,
    args: ['/work'],
    env: [],
    image: [{ path: '/work', type: 'dir' }],
  }).bytes;
}

export function runBoxed(name: string): Run {
  return inTempDir(`fs-conformance-box-${name}-`, (dir) => {
    const box = join(dir, `${name}.box.wasm`);
    writeFileSync(box, linkBox(name));
    return spawn(['box', box]);
  });
}

/** The program linked with kernel + proc, for an empty host directory mounted as /work (the runtime's host driver). */
const linkHostBox = (name: string): Uint8Array =>
  link(readFileSync(programPath(name)), { capabilities: [kernel, proc], entrypoint: name, args: ['/work'], env: [] }).bytes;

export function runBoxedOnHost(name: string): Run {
  return inTempDir(`fs-conformance-host-${name}-`, (dir) => {
    const box = join(dir, `${name}.box.wasm`);
    writeFileSync(box, linkHostBox(name));
    const work = join(dir, 'work');
    mkdirSync(work);
    return spawn(['box', box, work]);
  });
}

export interface Runs {
  /** runBare's run */
  bare: Run;
  /** runBoxed's */
  box: Run;
  /** runBoxedOnHost's */
  host: Run;
}

/**
 * The three runs above for each program named, each over its own fresh
 * directory as there, one after another in one child process (a Node start
 * and a load of the runtime once for the whole corpus: ~0.2 s of CPU per
 * program on the 2-core test machine), bounded by all the runs' time limits
 * together. A run that ends the child (a hang, a crash) ends the ones after
 * it: those report the child's end.
 */
export function runAll(names: readonly string[]): Map<string, Runs> {
  return inTempDir('fs-conformance-all-', (dir) => {
    const list: RunArgs[] = names.flatMap((name): RunArgs[] => {
      const box = join(dir, `${name}.box.wasm`);
      const hostBox = join(dir, `${name}.host.box.wasm`);
      writeFileSync(box, linkBox(name));
      writeFileSync(hostBox, linkHostBox(name));
      const bareDir = join(dir, name, 'bare');
      const hostDir = join(dir, name, 'host');
      for (const d of [bareDir, hostDir]) mkdirSync(d, { recursive: true });
      return [['bare', programPath(name), bareDir], ['box', box], ['box', hostBox, hostDir]];
    });
    const runs = runsInChild(childScript, dir, list, TIMEOUT_MS);
    return new Map(names.map((name, i) => [name, { bare: runs[3 * i]!, box: runs[3 * i + 1]!, host: runs[3 * i + 2]! }]));
  });
}
