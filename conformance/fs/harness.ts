// Runs an fs conformance program both ways: bare under node:wasi over an
// empty host directory (the reference), and linked as a box with kernel +
// vfs + proc over an image holding an empty /work; and as a box without the
// vfs over an empty host directory mounted as /work (box run --dir), to
// compare the host driver with the vfs. Each run happens in a child process
// (child.ts) with a timeout.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernel } from '@marcotte/kernel';
import { link } from '@marcotte/linker';
import { proc } from '@marcotte/proc';
import { vfs } from '@marcotte/vfs';
import { inTempDir, runChild, type Run } from '../child-run.ts';

export type { Run };

const here = fileURLToPath(new URL('.', import.meta.url));
const child = join(here, 'child.ts');
export const TIMEOUT_MS = 20_000;
const spawn = (args: string[]): Run => runChild(child, args, TIMEOUT_MS);

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

/** The program linked with kernel + proc, an empty host directory mounted as /work (the runtime's host driver). */
export function runBoxedOnHost(name: string): Run {
  return inTempDir(`fs-conformance-host-${name}-`, (dir) => {
    const box = join(dir, `${name}.box.wasm`);
    writeFileSync(box, link(readFileSync(programPath(name)), { capabilities: [kernel, proc], entrypoint: name, args: ['/work'], env: [] }).bytes);
    const work = join(dir, 'work');
    mkdirSync(work);
    return spawn(['box', box, work]);
  });
}
