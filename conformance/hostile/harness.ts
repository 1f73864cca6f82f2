// Links the hostile programs as boxes and runs them (and, for comparison,
// the bare programs under node:wasi), each in a child process with a
// timeout. The boxes get kernel + vfs + proc + clock (fixed clock, seeded
// random: the output must not depend on the host); `limits` sets the vfs's
// link-time limits (quota, handles, pages) through the image options.
// runOnHostMount runs one without the vfs over a host directory instead.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CapabilityDescriptor } from '@marcotte/abi';
import { clock } from '@marcotte/clock';
import { kernel } from '@marcotte/kernel';
import { link } from '@marcotte/linker';
import { proc } from '@marcotte/proc';
import { encodeImage, vfs, type ImageOptions } from '@marcotte/vfs';
import { inTempDir, runChild, type Run } from '../child-run.ts';

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

/**
 * runBoxed's two runs, static and dynamic mode, each from its own temp dir,
 * one after another in one child process (a Node start and a load of the
 * runtime once, not twice), bounded by both runs' time limits together. A
 * run that ends the child (a hang, a crash) ends the one after it.
 */
export function runBoxedBoth(name: string, args: string[] = [], limits: ImageOptions = {}): Record<(typeof MODES)[number], Run> {
  return inTempDir(`hostile-box-${name}-`, (dir) => {
    const list = MODES.map((mode) => {
      const box = join(dir, mode, `${name}.box.wasm`);
      mkdirSync(join(dir, mode));
      writeFileSync(box, hostileBox(name, limits));
      return [mode, box, ...args];
    });
    const out = join(dir, 'out');
    mkdirSync(out);
    writeFileSync(join(dir, 'runs.json'), JSON.stringify(list));
    const r = runChild(child, ['runs', out, join(dir, 'runs.json')], list.length * TIMEOUT_MS);
    const codes = r.exitCode === 0 && r.signal === null ? (JSON.parse(r.stdout) as number[]) : [];
    const runs = MODES.map((_, i): Run => codes[i] === undefined
      ? { ...r, stdout: '' }
      : { exitCode: codes[i]!, signal: null, stdout: readFileSync(join(out, `${i}.out`), 'utf8'), stderr: readFileSync(join(out, `${i}.err`), 'utf8') });
    return { static: runs[0]!, dynamic: runs[1]! };
  });
}

/** The bare program under node:wasi over a fresh temp dir preopened as / (for comparison only). */
export function runBare(name: string, args: string[] = []): Run {
  return inTempDir(`hostile-bare-${name}-`, (dir) => {
    writeFileSync(join(dir, 'image.txt'), 'from the image\n');
    return spawn(['bare', programPath(name), dir, ...args]);
  });
}

/**
 * The program linked without the vfs (kernel + proc + clock), with a fresh
 * temp dir holding image.txt mounted as / (box run --dir: the runtime's host
 * driver), in static mode.
 */
export function runOnHostMount(name: string, args: string[] = []): Run {
  return inTempDir(`hostile-host-${name}-`, (dir) => {
    const box = join(dir, `${name}.box.wasm`);
    writeFileSync(box, link(readFileSync(programPath(name)), {
      capabilities: [kernel, proc, clock], entrypoint: name, args: [], env: ['HOSTILE=1'],
      clock: 'fixed:2026-01-01T00:00:00Z', random: 'seed:7',
    }).bytes);
    const root = join(dir, 'root');
    mkdirSync(root);
    writeFileSync(join(root, 'image.txt'), 'from the image\n');
    return spawn(['host', box, root, ...args]);
  });
}
