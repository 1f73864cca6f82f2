// FROM oci-archive:PATH[:TAG] / oci:DIR[:TAG]: a Wasm OCI image as a
// stage's base. Its tar layers are unpacked in order (whiteouts applied)
// with the checks ADD makes, its Wasm layer (if any) is a module; the
// module the image starts (the config's entrypoint) decides the kind:
// - a box (our export, either form): the box is the base (readBaseBox,
//   baseFromBox), its own manifest is its config and its authority; the
//   image config's fields are not read, since a box's authority comes from
//   its module alone. Other files in the tar layers are added to its image.
// - a plain preview1 program (Docker's `--platform wasi/wasm` images): the
//   program is the entrypoint, the layers' files are the image, and the
//   config's entrypoint, cmd, env, workdir, labels, user, volumes, stop
//   signal and exposed ports are the stage's, as if written in the Dockerfile.

import { createHash } from 'node:crypto';
import { findCustomSection, MANIFEST_SECTION, type ImageEntry } from '@marcotte/abi';
import { imageFromTar } from '@marcotte/vfs';
import { baseFromBox, readBaseBox, type ImageSettings, type StageBase } from './base.ts';
import { layerDigest } from './layer.ts';
import type { OciImage, OciLayer } from './oci-layout.ts';
import { findProgram } from './run.ts';
import { checkTarPaths, gunzip, type UnpackBudget } from './tar.ts';
import { baseOf, joinPath, parentOf, resolveFrom, Tree, type Layer } from './tree.ts';

/** A tar layer as a build layer: its `.wh.` files as deletions (`.wh..wh..opq` empties its directory below the layer). */
function tarLayer(layer: Extract<OciLayer, { kind: 'tar' }>, tree: Tree, budget: UnpackBudget): Layer {
  const tar = layer.gzip ? gunzip(layer.bytes, budget) : layer.bytes;
  if (tar.length > budget.left) throw budget.exceeded();
  budget.left -= tar.length;
  if (layer.diffId && `sha256:${createHash('sha256').update(tar).digest('hex')}` !== layer.diffId) {
    throw new Error(`layer ${layer.digest} does not unpack to its diff id ${layer.diffId}`);
  }
  let read: ImageEntry[];
  try {
    checkTarPaths(tar);
    read = imageFromTar(tar);
  } catch (e) {
    throw new Error(`layer ${layer.digest}: ${(e as Error).message}`);
  }
  const entries: ImageEntry[] = [];
  const whiteouts: string[] = [];
  for (const e of read) {
    const name = baseOf(e.path);
    if (name === '.wh..wh..opq') {
      const dir = parentOf(e.path);
      for (const p of tree.nodes.keys()) if (p !== dir && parentOf(p) === dir) whiteouts.push(p);
    } else if (name.startsWith('.wh.')) {
      whiteouts.push(joinPath(parentOf(e.path), name.slice('.wh.'.length)));
    } else {
      entries.push(e);
    }
  }
  // An image has no place for an entry under a symlink or a file of a lower layer (a/passwd over a -> /etc).
  const upper = new Map(entries.map((e) => [e.path, e]));
  const gone = (p: string) => whiteouts.some((w) => p === w || p.startsWith(`${w}/`));
  for (const e of entries) {
    for (let p = parentOf(e.path); p !== '/'; p = parentOf(p)) {
      const above = upper.get(p) ?? (gone(p) ? undefined : tree.get(p));
      if (above && above.type !== 'dir') throw new Error(`layer ${layer.digest}: ${e.path.slice(1)} lies under ${p.slice(1)}, a ${above.type} in a lower layer`);
    }
  }
  return { entries, whiteouts };
}

/** What a WebAssembly binary is: a core module (preview1 programs, boxes) or a component (preview 2). */
function moduleKind(bytes: Uint8Array): 'module' | 'component' | undefined {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) return undefined;
  if (bytes[4] === 1 && bytes[5] === 0 && bytes[6] === 0 && bytes[7] === 0) return 'module';
  return bytes[6] === 1 && bytes[7] === 0 ? 'component' : undefined;
}

function isBox(bytes: Uint8Array): boolean {
  try {
    return findCustomSection(bytes, MANIFEST_SECTION) !== undefined;
  } catch (e) {
    throw new Error(`its module is malformed: ${(e as Error).message}`);
  }
}

// The image config's fields, checked: each is absent or of the type the image spec gives it.
const NUL = /\0/;
function strings(value: unknown, what: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((s) => typeof s !== 'string' || NUL.test(s))) throw new Error(`the config's ${what} is not a list of strings`);
  return value as string[];
}
function text(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || NUL.test(value)) throw new Error(`the config's ${what} is not a string`);
  return value;
}
function keys(value: unknown, what: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`the config's ${what} is not an object`);
  return Object.keys(value);
}

/** The config's `config` object (what `docker run` reads), checked. */
function settings(config: Record<string, unknown>, hasNet: boolean): ImageSettings {
  const c = (config.config ?? {}) as Record<string, unknown>;
  if (typeof c !== 'object' || Array.isArray(c)) throw new Error('the config\'s config is not an object');
  const env = strings(c.Env, 'Env') ?? [];
  for (const kv of env) if (!(kv.indexOf('=') > 0)) throw new Error(`the config's Env entry ${JSON.stringify(kv)} is not KEY=VALUE`);
  const labels: Record<string, string> = {};
  for (const k of keys(c.Labels, 'Labels')) {
    const v = (c.Labels as Record<string, unknown>)[k];
    if (typeof v !== 'string') throw new Error(`the config's label ${JSON.stringify(k)} is not a string`);
    labels[k] = v;
  }
  const volumes = keys(c.Volumes, 'Volumes').map((v) => resolveFrom('/', v));
  if (volumes.includes('/')) throw new Error('the config\'s volume / is not possible: the box keeps its own root');
  const exposed: string[] = [];
  const ports: number[] = [];
  for (const p of keys(c.ExposedPorts, 'ExposedPorts')) {
    const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/i.exec(p);
    const port = Number(m?.[1]);
    if (!m || !(port >= 1 && port <= 65535)) throw new Error(`the image exposes ${JSON.stringify(p)}, not PORT/tcp`);
    if (m[2] && m[2].toLowerCase() !== 'tcp') throw new Error(`the image exposes ${p}: only tcp ports can be listened on`);
    // The base's ports are listened on, as the Dockerfile's own EXPOSE is: that needs net.
    if (!hasNet) throw new Error(`the image exposes ${p}, which needs the net capability, which this build does not have`);
    if (!ports.includes(port)) {
      ports.push(port);
      exposed.push(`${port}/tcp`);
    }
  }
  const user = text(c.User, 'User');
  const stopSignal = text(c.StopSignal, 'StopSignal');
  const entrypoint = strings(c.Entrypoint, 'Entrypoint');
  const cmd = strings(c.Cmd, 'Cmd');
  return {
    ...(entrypoint?.length ? { entrypoint } : {}), cmd,
    env, workdir: resolveFrom('/', text(c.WorkingDir, 'WorkingDir') ?? '/'), labels,
    user, volumes, stopSignal, exposed, ports,
  };
}

export interface OciBaseOptions {
  /** how layer records and messages name the image ("oci-archive:x.tar") */
  label: string;
  budget: UnpackBudget;
  epoch: bigint;
  /** the build can link net (EXPOSE in the image's config needs it) */
  hasNet: boolean;
  /** PATH when the config's environment has none */
  defaultPath: string;
}

export function baseFromOci(image: OciImage, options: OciBaseOptions): StageBase {
  const arch = image.config.architecture;
  if (arch !== 'wasm') throw new Error(`the image is for ${String(image.config.os)}/${String(arch)}, not a Wasm image (architecture wasm)`);
  const identity = `${options.label} ${image.digest}`;
  const tree = new Tree(options.epoch);
  let wasm: Extract<OciLayer, { kind: 'wasm' }> | undefined;
  for (const layer of image.layers) {
    if (layer.kind === 'wasm') wasm = layer;
    else tree.apply(tarLayer(layer, tree, options.budget));
  }
  // The module the image starts: a Wasm layer, else the file the entrypoint (or cmd) names.
  const config = image.config.config as Record<string, unknown> | undefined;
  const argv0 = (strings(config?.Entrypoint, 'Entrypoint') ?? []).concat(strings(config?.Cmd, 'Cmd') ?? [])[0];
  let module: Uint8Array;
  let at: { path: string; real?: string };
  if (wasm) {
    module = wasm.bytes;
    at = { path: resolveFrom(text(config?.WorkingDir, 'WorkingDir') ?? '/', argv0 ?? wasm.title ?? 'app.wasm') };
  } else {
    if (argv0 === undefined) throw new Error('the image names no entrypoint or command');
    const env = new Map((strings(config?.Env, 'Env') ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    const found = findProgram(tree, argv0, env.get('PATH') ?? options.defaultPath, resolveFrom('/', text(config?.WorkingDir, 'WorkingDir') ?? '/'));
    if (!found) throw new Error(`the image's entrypoint ${argv0} is not a file in it`);
    module = tree.get(found.real)!.data ?? new Uint8Array(0);
    at = found;
  }
  const kind = moduleKind(module);
  if (kind === 'component') throw new Error(`${at.path} is a WebAssembly component (WASI preview 2): a base's program must be a preview1 module`);
  if (!kind) throw new Error(`${at.path} is not a WebAssembly module`);

  if (isBox(module)) {
    const box = baseFromBox(module, readBaseBox(module, options.label), options.label, identity);
    if (at.real) tree.remove(at.real);
    const extra = tree.flatten().filter((e) => e.path !== '/');
    if (extra.length === 0) return box;
    // Files beside the box in the image's layers join its image, in a layer of their own.
    const merged = new Tree(options.epoch, box.image);
    for (const e of extra) merged.put(e);
    const { digest, size } = layerDigest({ entries: extra, whiteouts: [] });
    const withExtra: StageBase = { ...box, image: merged.flatten(), layers: [...box.layers, { digest, instruction: `FROM ${options.label}`, line: 0, size }] };
    // No longer the box as it is: a stage over it is linked anew.
    delete withExtra.box;
    return withExtra;
  }

  // A plain program: it stays in the image at its path and is the entrypoint.
  const s = settings(image.config, options.hasNet);
  if (wasm) {
    // Its place must be free and under directories only (not through a symlink of the tar layers).
    for (let p = at.path; p !== '/'; p = parentOf(p)) {
      const e = tree.get(p);
      if (e && (p === at.path || e.type !== 'dir')) throw new Error(`the Wasm layer's place ${at.path} is taken by a ${e.type} of the tar layers`);
    }
    if (at.path === '/') throw new Error('the Wasm layer has no place in the image (its entrypoint is /)');
    tree.put({ path: at.path, type: 'file', data: module, mode: 0o755, mtime: options.epoch });
    if (s.entrypoint) s.entrypoint = [at.path, ...s.entrypoint.slice(1)];
    else if (s.cmd?.length) s.cmd = [at.path, ...s.cmd.slice(1)];
    else s.entrypoint = [at.path];
  }
  const entries = tree.flatten();
  const { digest, size } = layerDigest({ entries, whiteouts: [] });
  return { identity, image: entries, layers: [{ digest, instruction: `FROM ${options.label}`, line: 0, size }], ...s };
}
