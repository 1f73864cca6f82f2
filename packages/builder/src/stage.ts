// A build stage: its filesystem tree, its Docker settings (env, args,
// workdir, entrypoint, labels …) and its layer records, and FROM, which
// starts one from scratch, an earlier stage, a base box or an OCI image.

import { readFileSync, statSync } from 'node:fs';
import type { LayerRecord } from '@marcotte/abi';
import { baseFromBox, readBaseBox, type StageBase } from './base.ts';
import { cacheKey } from './cache.ts';
import { hostPathInContext } from './context.ts';
import type { Instruction } from './dockerfile.ts';
import { InputError, type BuildError } from './errors.ts';
import { baseFromOci } from './oci-base.ts';
import { parseOciReference, readOciImage } from './oci-layout.ts';
import type { UnpackBudget } from './tar.ts';
import { Tree } from './tree.ts';

/** PATH where the image's ENV sets none (Docker's default): RUN and the entrypoint are looked up on it. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface Stage {
  name?: string;
  tree: Tree;
  /** cache key of the last layer (the chain every step's key hangs from) */
  key: string;
  from: string;
  env: Map<string, string>;
  args: Map<string, string | undefined>;
  workdir: string;
  user?: string;
  labels: Map<string, string>;
  exposed: string[];
  ports: number[];
  volumes: string[];
  entrypoint?: string[];
  cmd?: string[];
  /** ENTRYPOINT was given in shell form: CMD is ignored */
  entrypointShell?: boolean;
  /** the Dockerfile lines of the ENTRYPOINT and CMD that set them, for messages; absent when they came with the base */
  entrypointAt?: { line: number; shell: boolean; text: string };
  cmdAt?: { line: number; shell: boolean; text: string };
  /** the CMD came with the base box (a new ENTRYPOINT drops it) */
  cmdFromBase?: boolean;
  shell: string[];
  shellSet: boolean;
  stopSignal?: string;
  layers: LayerRecord[];
  /** the base box, while the stage is nothing but it (no instruction after FROM but ARG) */
  box?: Uint8Array;
  /** the stage started from a box (whose program, unless portable, cannot be taken out) */
  fromBox?: boolean;
}

/** A stage with Docker's defaults (workdir /, SHELL /bin/sh -c, nothing else set) over `tree`. */
function newStage(name: string | undefined, tree: Tree, from: string, key: string): Stage {
  return {
    ...(name ? { name } : {}), tree, key, from, env: new Map(), args: new Map(), workdir: '/', labels: new Map(), exposed: [], ports: [], volumes: [],
    shell: ['/bin/sh', '-c'], shellSet: false, layers: [],
  };
}

export interface FromContext {
  contextDir: string;
  epoch: bigint;
  /** the build's unpack budget: an OCI base's layers count against it, as ADD's archives do */
  unpack: UnpackBudget;
  hasNet: boolean;
}

/** FROM IMAGE [AS NAME]: the new stage. */
export function startStage(ins: Instruction, words: string[], stages: Stage[], from: FromContext, fail: (m: string) => BuildError): Stage {
  for (const f of ins.flags.keys()) if (f !== 'platform') throw fail(`FROM --${f} is not supported`);
  if (words.length !== 1 && !(words.length === 3 && words[1]!.toLowerCase() === 'as')) throw fail('expected FROM IMAGE [AS NAME]');
  const image = words[0]!;
  const name = words[2]?.toLowerCase();
  if (name !== undefined && stages.some((s) => s.name === name)) throw fail(`stage name ${name} is used twice`);
  if (image === 'scratch') return newStage(name, new Tree(from.epoch), 'scratch', cacheKey('scratch', String(from.epoch)));
  const earlier = stages.find((s) => s.name === image.toLowerCase());
  if (earlier) {
    const s: Stage = { ...structuredCloneStage(earlier), from: `stage ${earlier.name}`, layers: [...earlier.layers] };
    if (name) s.name = name;
    else delete s.name;
    return s;
  }
  const oci = parseOciReference(image);
  // Kept inside the context, as COPY's sources are: a Dockerfile (or a --build-arg in FROM) must not read images elsewhere.
  let path: string | undefined;
  try {
    path = oci ? hostPathInContext(from.contextDir, oci.path) : image.endsWith('.wasm') ? hostPathInContext(from.contextDir, image) : undefined;
  } catch (e) {
    // The message names the path: name the whole reference instead.
    if (e instanceof InputError) throw fail(oci && e.message.startsWith(`${oci.path}: `) ? `FROM ${image}: ${e.message.slice(oci.path.length + 2)}` : `FROM ${e.message}`);
    throw e;
  }
  let base: StageBase;
  if (oci) {
    const kind = oci.transport === 'oci' ? 'directory' : 'file';
    if (!oci.path || !path || (kind === 'file' ? !statSync(path).isFile() : !statSync(path).isDirectory())) {
      throw fail(`FROM ${image}: ${oci.transport === 'oci' ? 'no OCI layout directory' : 'no OCI archive file'} ${oci.path ? `${oci.path} ` : ''}in the build context`);
    }
    try {
      base = baseFromOci(readOciImage(oci.transport, path, oci.tag, from.unpack), {
        label: image, budget: from.unpack, epoch: from.epoch, hasNet: from.hasNet, defaultPath: DEFAULT_PATH,
      });
    } catch (e) {
      // readBaseBox's messages already name the FROM; every other refusal of a bad image is one line naming it here.
      if (e instanceof InputError) throw fail(e.message);
      if (e instanceof Error && e.constructor === Error) throw fail(`FROM ${image}: ${e.message}`);
      throw e;
    }
  } else {
    if (!path || !statSync(path).isFile()) {
      throw fail(`FROM ${image}: not scratch, an earlier stage, or a .box.wasm file, oci-archive:FILE or oci:DIR in the build context`);
    }
    const bytes = readFileSync(path);
    base = baseFromBox(bytes, readBaseBox(bytes, image), image);
  }
  return stageFromBase(name, base, from.epoch);
}

/** A stage starting from a box's or an image's files and config. */
function stageFromBase(name: string | undefined, base: StageBase, epoch: bigint): Stage {
  const tree = new Tree(epoch, base.image);
  const s = newStage(name, tree, base.identity, cacheKey('base', base.identity, String(epoch)));
  for (const kv of base.env) {
    const eq = kv.indexOf('=');
    if (eq > 0) s.env.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  s.workdir = base.workdir;
  s.layers = [...base.layers];
  for (const [k, v] of Object.entries(base.labels)) s.labels.set(k, v);
  if (base.user !== undefined) s.user = base.user;
  s.volumes = [...base.volumes];
  if (base.stopSignal !== undefined) s.stopSignal = base.stopSignal;
  if (base.shell) {
    s.shell = [...base.shell];
    s.shellSet = true;
  }
  s.exposed = [...base.exposed];
  s.ports = [...base.ports];
  if (base.entrypoint) s.entrypoint = [...base.entrypoint];
  if (base.cmd) {
    s.cmd = [...base.cmd];
    s.cmdFromBase = true;
  }
  // A portable base box's program comes back into the image at its entrypoint, so that it can be run or kept.
  const at = base.entrypoint?.[0];
  if (base.program && at && !tree.get(at)) tree.put({ path: at, type: 'file', data: base.program, mode: 0o755, mtime: epoch });
  if (base.box) s.box = base.box;
  if (base.fromBox) s.fromBox = true;
  return s;
}

/** An earlier stage's state, copied so that the new stage's changes do not reach back. */
function structuredCloneStage(s: Stage): Stage {
  return {
    ...s, tree: s.tree.clone(), env: new Map(s.env), args: new Map(), labels: new Map(s.labels), exposed: [...s.exposed], ports: [...s.ports],
    volumes: [...s.volumes], shell: [...s.shell], layers: [...s.layers],
    entrypoint: s.entrypoint && [...s.entrypoint], cmd: s.cmd && [...s.cmd],
  };
}
