// Links the hostile programs as boxes and runs them (and, for comparison,
// the bare programs under node:wasi), each in a child process with a
// timeout. The boxes get kernel + vfs + proc + clock (fixed clock, seeded
// random: the output must not depend on the host); `limits` sets the vfs's
// link-time limits (quota, handles, pages) through the image options.
// runCorpus runs them all in one child, some without the vfs over a host directory.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CapabilityDescriptor } from '@marcotte/abi';
import { clock } from '@marcotte/clock';
import { kernel } from '@marcotte/kernel';
import { link } from '@marcotte/linker';
import { proc } from '@marcotte/proc';
import { encodeImage, vfs, type ImageOptions } from '@marcotte/vfs';
import { inTempDir, runChild, runsInChild, type Run } from '../child-run.ts';
import type { HostileRun } from './runs.ts';

export type { Run };

const here = fileURLToPath(new URL('.', import.meta.url));
const child = join(here, 'child.ts');
export const TIMEOUT_MS = 60_000;
const spawn = (args: string[]): Run => runChild(child, args, TIMEOUT_MS);
const MODES = ['static', 'dynamic'] as const;

export const programPath = (name: string): string => join(here, `${name}.wasm`);

/** The vfs with these link-time limits baked into its image. */
function vfsWith(limits: ImageOptions): CapabilityDescriptor {
  return { ...vfs, config: (settings) => encodeImage(settings.image ?? [], { workdir: settings.workdir, ...limits }) };
}

export function linkHostile(name: string, limits: ImageOptions = {}): Uint8Array {
  return link(readFileSync(programPath(name)), {
    capabilities: [kernel, vfsWith(limits), proc, clock],
    entrypoint: name,
    args: [],
    env: ['HOSTILE=1'],
    image: [{ path: '/image.txt', type: 'file', data: new TextEncoder().encode('from the image\n') }],
    clock: 'fixed:2026-01-01T00:00:00Z',
    random: 'seed:7',
    portable: true,
  }).bytes;
}

/**
 * Each box linked once per program and limits: the link is deterministic and
 * portable, so a static and a dynamic run, and runs that differ only in their
 * run-time args, run the same bytes (each from its own temp dir).
 */
const linked = new Map<string, Uint8Array>();

function hostileBox(name: string, limits: ImageOptions): Uint8Array {
  const key = JSON.stringify([name, limits]);
  let bytes = linked.get(key);
  if (!bytes) linked.set(key, (bytes = linkHostile(name, limits)));
  return bytes;
}

export function runBoxed(name: string, args: string[] = [], limits: ImageOptions = {}, mode: 'static' | 'dynamic' = 'static'): Run {
  return inTempDir(`hostile-box-${name}-`, (dir) => {
    const box = join(dir, `${name}.box.wasm`);
    writeFileSync(box, hostileBox(name, limits));
    return spawn([mode, box, ...args]);
  });
}

/** The bare program under node:wasi over a fresh temp dir preopened as / (for comparison only). */
export function runBare(name: string, args: string[] = []): Run {
  return inTempDir(`hostile-bare-${name}-`, (dir) => {
    writeFileSync(join(dir, 'image.txt'), 'from the image\n');
    return spawn(['bare', programPath(name), dir, ...args]);
  });
}

/** The program linked without the vfs (kernel + proc + clock), for a host directory mounted as / (box run --dir: the runtime's host driver). */
const hostBox = (name: string): Uint8Array => link(readFileSync(programPath(name)), {
  capabilities: [kernel, proc, clock], entrypoint: name, args: [], env: ['HOSTILE=1'],
  clock: 'fixed:2026-01-01T00:00:00Z', random: 'seed:7',
}).bytes;

/** What runCorpus gives: each boxed run's static and dynamic run, and each host-mount run's, in the order asked. */
export interface CorpusRuns {
  boxed: Array<Record<(typeof MODES)[number], Run>>;
  host: Run[];
}

/**
 * The corpus's runs in one child process, one after another (a Node start
 * and a load of the runtime once, not once per run: ~0.2 s of CPU each on
 * the 2-core test machine), each from its own temp dir and bounded by all
 * the runs' time limits together. `boxed`: each run's box (hostileBox) in
 * static, then dynamic mode. `host`: each run's program linked without the
 * vfs (hostBox), with a fresh directory holding image.txt mounted as /, in
 * static mode. A run that ends the child (a hang, a crash) ends the ones
 * after it: those report the child's end.
 */
export function runCorpus(boxed: readonly HostileRun[], host: readonly HostileRun[]): CorpusRuns {
  return inTempDir('hostile-corpus-', (dir) => {
    const list: string[][] = [];
    boxed.forEach((run, i) => {
      for (const mode of MODES) {
        const box = join(dir, `boxed-${i}`, mode, `${run.program}.box.wasm`);
        mkdirSync(join(box, '..'), { recursive: true });
        writeFileSync(box, hostileBox(run.program, run.limits));
        list.push([mode, box, ...run.args]);
      }
    });
    host.forEach((run, i) => {
      const box = join(dir, `host-${i}`, `${run.program}.box.wasm`);
      const root = join(dir, `host-${i}`, 'root');
      mkdirSync(root, { recursive: true });
      writeFileSync(box, hostBox(run.program));
      writeFileSync(join(root, 'image.txt'), 'from the image\n');
      list.push(['host', box, root, ...run.args]);
    });
    const runs = runsInChild(child, dir, list, TIMEOUT_MS);
    return {
      boxed: boxed.map((_, i) => ({ static: runs[2 * i]!, dynamic: runs[2 * i + 1]! })),
      host: host.map((_, i) => runs[2 * boxed.length + i]!),
    };
  });
}
