// Runs an fs conformance program both ways: bare under node:wasi over an
// empty host directory (the reference), and linked as a box with kernel +
// vfs + proc over an image holding an empty /work. Each run happens in a
// child process (child.ts) with a timeout.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernel } from '@marcotte/kernel';
import { link } from '@marcotte/linker';
import { proc } from '@marcotte/proc';
import { vfs } from '@marcotte/vfs';

export interface Run {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** set when the run was killed (timeout) */
  signal: NodeJS.Signals | null;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const child = join(here, 'child.ts');
export const TIMEOUT_MS = 20_000;

function spawn(args: string[]): Run {
  const r = spawnSync(process.execPath, ['--no-warnings', child, ...args], { encoding: 'utf8', timeout: TIMEOUT_MS });
  return { exitCode: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

export const programPath = (name: string): string => join(here, `${name}.wasm`);

/** The reference: the bare program under node:wasi, a fresh empty temp dir preopened as /work. */
export function runBare(name: string): Run {
  const dir = mkdtempSync(join(tmpdir(), `fs-conformance-${name}-`));
  try {
    return spawn(['bare', programPath(name), dir]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
  const dir = mkdtempSync(join(tmpdir(), `fs-conformance-box-${name}-`));
  try {
    const box = join(dir, `${name}.box.wasm`);
    writeFileSync(box, linkBox(name));
    return spawn(['box', box]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
