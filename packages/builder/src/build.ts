// box build as a function: a Dockerfile and its context -> box bytes. Each
// stage starts from scratch, a base box or an earlier stage; COPY, ADD,
// RUN and WORKDIR make layers (cached by content); the last stage's layers
// are flattened into one image and linked with its entrypoint program.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { denyError, readManifest, selectCapabilities, type BuildRecord, type CapabilityDescriptor, type LayerRecord, type Manifest, type VfsLimits } from '@marcotte/abi';
import { link, readModule, type LinkOptions, type LinkResult } from '@marcotte/linker';
import { baseFromBox, readBaseBox, type StageBase } from './base.ts';
import { cacheKey, defaultCacheDir, LayerCache } from './cache.ts';
import { Context, hostPathInContext } from './context.ts';
import { copyLayer, matchSources, parseChmod, type CopyFrom } from './copy.ts';
import { parseDockerfile, parseExec, type Dockerfile, type Instruction } from './dockerfile.ts';
import { at, BuildError, InputError, RunFailure } from './errors.ts';
import { layerDigest } from './layer.ts';
import { baseFromOci } from './oci-base.ts';
import { parseOciReference, readOciImage } from './oci-layout.ts';
import { silentProgress, type Progress } from './progress.ts';
import { findProgram, runStep, type RunIo } from './run.ts';
import { DEFAULT_MAX_UNPACK, UnpackBudget } from './tar.ts';
import { resolveFrom, Tree, type Layer } from './tree.ts';
import { expandPairs, expandWord, expandWords, SubstitutionError, type Lookup } from './variables.ts';

export interface BuildOptions {
  /** the build context: a host directory */
  context: string;
  /** the Dockerfile (default CONTEXT/Dockerfile); errors name it as given */
  dockerfile?: string;
  /** --build-arg K=V */
  buildArgs?: Readonly<Record<string, string>>;
  /** --deny CAP: capability classes the box may not have */
  deny?: readonly string[];
  /** the capability descriptors this build may link, in link order (the kernel first) */
  capabilities: readonly CapabilityDescriptor[];
  /** where layers are cached (default $XDG_CACHE_HOME/marcotte); null: no cache (--no-cache) */
  cacheDir?: string | null;
  progress?: Progress;
  /** host fds for RUN programs' stdio (default: stdin /dev/null, stdout and stderr to fd 2) */
  runIo?: RunIo;
  /** wall-clock limit of one RUN in milliseconds (default 10 minutes) */
  runTimeoutMs?: number;
  /** seconds since the epoch for directories the build creates and RUN's clock (default SOURCE_DATE_EPOCH, else 0) */
  epoch?: number;
  /** the most bytes ADD may unpack from archives in this build, all together (default DEFAULT_MAX_UNPACK, 256 MiB) */
  maxUnpack?: number;
  /** the box's vfs limits (box build --vfs-*); RUN steps keep the defaults */
  vfsLimits?: VfsLimits;
  /** link the box with one memory (box build --single-memory; linker single-memory.ts) */
  singleMemory?: boolean;
  /** with singleMemory: the program's memory limit in bytes (--program-memory) */
  programMemory?: number;
}

export interface BuildResult {
  bytes: Uint8Array<ArrayBuffer>;
  manifest: Manifest;
  layers: LayerRecord[];
  /** every layer came from the cache */
  cached: boolean;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

interface Stage {
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

const UNSUPPORTED = new Set(['HEALTHCHECK', 'ONBUILD']);

/** What every step of one build reads: the options checked and resolved once, before the first instruction. */
interface BuildSetup {
  options: BuildOptions;
  progress: Progress;
  /** the Dockerfile as errors name it */
  file: string;
  /** the build context, absolute */
  contextDir: string;
  context: Context;
  /** the Dockerfile's escape character (its `# escape=` directive) */
  escape: string;
  cache: LayerCache;
  /** directories' mtime and RUN's clock, in nanoseconds */
  epoch: bigint;
  buildArgs: Readonly<Record<string, string>>;
  byName: Map<string, CapabilityDescriptor>;
  deny: string[];
  /** a net descriptor was given and not denied: EXPOSE can link it */
  hasNet: boolean;
  /** the build's unpack budget, shared by every ADD and OCI base */
  unpack: UnpackBudget;
}

/** What the instructions change as the build goes. */
interface BuildState {
  /** ARGs declared before the first FROM */
  globalArgs: Map<string, string | undefined>;
  /** the stages so far; instructions apply to the last */
  stages: Stage[];
  /** every layer so far came from the cache */
  allCached: boolean;
}

/** One instruction as the steps see it: its words expanded in the current stage's variables, its errors located at its line. */
interface Step {
  ins: Instruction;
  fail: (message: string) => BuildError;
  lookup: Lookup;
  word: (text: string) => string;
  words: (text: string) => string[];
}

export async function build(options: BuildOptions): Promise<BuildResult> {
  const progress = options.progress ?? silentProgress;
  try {
    return await buildWith(options, progress);
  } finally {
    // A terminal's open line is closed before the caller prints the result or the error.
    progress.end();
  }
}

async function buildWith(options: BuildOptions, progress: Progress): Promise<BuildResult> {
  const { dockerfile, contextDir } = readDockerfile(options);
  const setup = setUp(options, progress, dockerfile, contextDir);
  const state: BuildState = { globalArgs: new Map(), stages: [], allCached: true };
  const total = dockerfile.instructions.length;
  for (const [index, ins] of dockerfile.instructions.entries()) {
    progress.step(index + 1, total, `${ins.keyword} ${ins.raw}`.trim());
    await applyInstruction(setup, state, ins);
  }
  const last = state.stages.at(-1);
  if (!last) throw new BuildError(`${setup.file}: no FROM instruction`);
  const unchanged = unchangedBase(setup, last);
  if (unchanged) return unchanged;
  const { bytes, manifest, warnings } = finish(setup, last);
  for (const w of warnings) progress.note(`${setup.file}: ${w}`);
  return { bytes, manifest, layers: last.layers, cached: state.allCached };
}

/** The Dockerfile, parsed, and the context directory: the two inputs that must exist before anything else is checked. */
function readDockerfile(options: BuildOptions): { dockerfile: Dockerfile; contextDir: string } {
  const contextDir = resolve(options.context);
  const dockerfilePath = options.dockerfile ?? join(options.context, 'Dockerfile');
  let text: string;
  try {
    text = readFileSync(dockerfilePath, 'utf8');
  } catch {
    throw new BuildError(`cannot read ${dockerfilePath}: no such file`);
  }
  if (!existsSync(contextDir)) throw new BuildError(`build context ${options.context}: no such directory`);
  return { dockerfile: parseDockerfile(text, options.dockerfile ?? 'Dockerfile'), contextDir };
}

/** The options checked (one line for a bad one, before any step runs) and resolved to what the steps use. */
function setUp(options: BuildOptions, progress: Progress, dockerfile: Dockerfile, contextDir: string): BuildSetup {
  const context = Context.open(contextDir);
  const cache = new LayerCache(options.cacheDir === null ? undefined : (options.cacheDir ?? defaultCacheDir()));
  const epochSeconds = options.epoch ?? (process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH) : 0);
  const epoch = BigInt(Math.trunc(epochSeconds)) * 1_000_000_000n;
  const buildArgs = options.buildArgs ?? {};
  for (const [k, v] of Object.entries(buildArgs)) {
    if (k.includes('\0') || v.includes('\0')) throw new BuildError(`--build-arg ${k}: a NUL character is not allowed`);
  }
  const byName = new Map<string, CapabilityDescriptor>(options.capabilities.map((c) => [c.name, c]));
  const deny = [...(options.deny ?? [])];
  const denyProblem = denyError(deny);
  if (denyProblem) throw new BuildError(denyProblem);
  const hasNet = byName.has('net') && !deny.includes('net');
  const maxUnpack = options.maxUnpack ?? DEFAULT_MAX_UNPACK;
  if (!(Number.isSafeInteger(maxUnpack) && maxUnpack > 0)) throw new BuildError(`maxUnpack must be a positive number of bytes, got ${maxUnpack}`);
  const unpack = new UnpackBudget(maxUnpack);
  return { options, progress, file: dockerfile.file, contextDir, context, escape: dockerfile.escape, cache, epoch, buildArgs, byName, deny, hasNet, unpack };
}

/** One instruction applied to the build; a bad value found below the instruction level becomes `file:line: message`. */
async function applyInstruction(b: BuildSetup, state: BuildState, ins: Instruction): Promise<void> {
  const step = stepFor(b, state, ins);
  try {
    if (ins.keyword === 'ARG') return declareArgs(b, state, step);
    if (ins.keyword === 'FROM') {
      state.stages.push(startStage(ins, step.words(ins.rest), state.stages, b, step.fail));
      return;
    }
    const s = state.stages.at(-1);
    if (!s) throw step.fail(`${ins.keyword} before FROM: a Dockerfile starts with FROM (or ARG)`);
    // The stage is no longer exactly its base box.
    delete s.box;
    await applyToStage(b, state, s, step);
  } catch (e) {
    if (e instanceof BuildError) throw e;
    if (e instanceof InputError || e instanceof SubstitutionError) throw step.fail(e.message);
    throw e;
  }
}

/** The instruction's helpers. Variables are looked up in the stage current when they are expanded (FROM's words: the one before it). */
function stepFor(b: BuildSetup, state: BuildState, ins: Instruction): Step {
  const lookup: Lookup = (name) => {
    const stage = state.stages.at(-1);
    return stage ? (stage.env.get(name) ?? stage.args.get(name)) : state.globalArgs.get(name);
  };
  return {
    ins, lookup, fail: (message) => at(b.file, ins.line, message),
    word: (t) => expandWord(t, lookup, b.escape), words: (t) => expandWords(t, lookup, b.escape),
  };
}

/** ARG: a global ARG before the first FROM, else the stage's (a bare name there takes the global default); --build-arg wins. */
function declareArgs(b: BuildSetup, state: BuildState, step: Step): void {
  const stage = state.stages.at(-1);
  for (const w of step.words(step.ins.rest)) {
    const eq = w.indexOf('=');
    const name = eq < 0 ? w : w.slice(0, eq);
    const dflt = eq < 0 ? (stage ? state.globalArgs.get(name) : undefined) : w.slice(eq + 1);
    const value = Object.hasOwn(b.buildArgs, name) ? b.buildArgs[name] : dflt;
    (stage ? stage.args : state.globalArgs).set(name, value);
  }
}

/** Every instruction after FROM: settings change the stage, WORKDIR, COPY, ADD and RUN add a layer. */
async function applyToStage(b: BuildSetup, state: BuildState, s: Stage, step: Step): Promise<void> {
  const { ins, fail, word } = step;
  switch (ins.keyword) {
    case 'ENV':
      for (const [k, v] of expandPairs(ins.rest, step.lookup, b.escape, true)) s.env.set(k, v);
      return;
    case 'LABEL':
      for (const [k, v] of expandPairs(ins.rest, step.lookup, b.escape, false)) s.labels.set(k, v);
      return;
    case 'MAINTAINER':
      s.labels.set('maintainer', word(ins.rest));
      return;
    case 'USER':
      s.user = word(ins.rest);
      if (!s.user) throw fail('USER needs a name');
      return;
    case 'STOPSIGNAL':
      s.stopSignal = word(ins.rest);
      return;
    case 'EXPOSE':
      return expose(b, s, step);
    case 'VOLUME':
      return addVolumes(s, step);
    case 'SHELL':
      if (!ins.exec || ins.exec.length === 0) throw fail('SHELL needs the exec form, such as SHELL ["/bin/sh", "-c"]');
      s.shell = ins.exec;
      s.shellSet = true;
      return;
    case 'ENTRYPOINT':
      s.entrypoint = ins.exec ?? [...s.shell, ins.rest];
      s.entrypointShell = !ins.exec;
      s.entrypointAt = { line: ins.line, shell: !ins.exec, text: ins.rest };
      // Docker: a new ENTRYPOINT drops the CMD a base image set.
      if (s.cmdFromBase) s.cmd = undefined;
      return;
    case 'CMD':
      s.cmd = ins.exec ?? [...s.shell, ins.rest];
      s.cmdAt = { line: ins.line, shell: !ins.exec, text: ins.rest };
      s.cmdFromBase = false;
      return;
    case 'WORKDIR':
      return workdir(b, state, s, step);
    case 'COPY':
    case 'ADD':
      return copy(b, state, s, step);
    case 'RUN':
      return run(b, state, s, step);
    default:
      throw fail(`unsupported instruction ${ins.keyword}${UNSUPPORTED.has(ins.keyword) ? ' (nothing in a box would act on it)' : ''}`);
  }
}

/** EXPOSE: tcp ports the box's net capability listens on; refused when the build cannot link net. */
function expose(b: BuildSetup, s: Stage, { ins, fail, words }: Step): void {
  if (!b.hasNet) throw fail(`EXPOSE needs the net capability, which this build does not have${b.deny.includes('net') ? ' (--deny net)' : ''}`);
  for (const p of words(ins.rest)) {
    const m = /^(\d+)(?:\/(tcp|udp))?$/i.exec(p);
    if (!m) throw fail(`EXPOSE ${p}: expected PORT or PORT/tcp (ranges are not supported)`);
    if (m[2]?.toLowerCase() === 'udp') throw fail(`EXPOSE ${p}: only tcp ports can be listened on`);
    const port = Number(m[1]);
    if (port < 1 || port > 65535) throw fail(`EXPOSE ${p}: port out of range`);
    if (!s.ports.includes(port)) {
      s.ports.push(port);
      s.exposed.push(`${port}/tcp`);
    }
  }
}

/** VOLUME: mount points for host directories (box run --dir), relative to the workdir; never the root. */
function addVolumes(s: Stage, { ins, fail, word, words }: Step): void {
  const list = ins.exec ?? words(ins.rest);
  for (const v of list) {
    const path = resolveFrom(s.workdir, ins.exec ? word(v) : v);
    if (path === '/') throw fail('VOLUME / is not possible: the box keeps its own root');
    if (!s.volumes.includes(path)) s.volumes.push(path);
  }
}

/** WORKDIR: the stage's new workdir, made in the image (a layer) when it does not exist yet. */
async function workdir(b: BuildSetup, state: BuildState, s: Stage, step: Step): Promise<void> {
  const dir = resolveFrom(s.workdir, step.word(step.ins.rest));
  s.workdir = dir;
  const real = s.tree.resolve(dir) ?? dir;
  const existing = s.tree.get(real);
  if (existing && existing.type !== 'dir') throw step.fail(`WORKDIR ${dir}: not a directory in the image`);
  if (existing) return;
  const instruction = `WORKDIR ${dir}`;
  await cachedLayer(b, state, s, step, cacheKey(s.key, instruction), instruction, () => ({ entries: s.tree.clone().ensureParents(`${real}/x`), whiteouts: [] }));
}

/** COPY and ADD: sources from the context or an earlier stage; the key covers the sources' content, so an edit misses the cache. */
async function copy(b: BuildSetup, state: BuildState, s: Stage, step: Step): Promise<void> {
  const { ins, fail, word, words } = step;
  for (const f of ins.flags.keys()) if (!['from', 'chown', 'chmod', 'link'].includes(f) || (f === 'from' && ins.keyword === 'ADD')) throw fail(`${ins.keyword} --${f} is not supported`);
  const list = ins.exec ?? words(ins.rest);
  const expanded = ins.exec ? list.map(word) : list;
  if (expanded.length < 2) throw fail(`${ins.keyword} needs at least one source and a destination`);
  const fromName = ins.flags.get('from');
  const from = copySource(fromName === undefined ? undefined : word(fromName), state.stages, b.context, fail);
  const chmodText = ins.flags.get('chmod');
  const chown = ins.flags.get('chown');
  const req = {
    add: ins.keyword === 'ADD', sources: expanded.slice(0, -1), dest: expanded.at(-1)!, workdir: s.workdir, unpack: b.unpack,
    chmod: chmodText === undefined ? undefined : parseChmod(word(chmodText)),
  };
  const matches = matchSources(req, from);
  const instruction = `${ins.keyword} ${[...ins.flags].map(([k, v]) => `--${k}=${word(v)} `).join('')}${expanded.join(' ')}`;
  const key = cacheKey(s.key, instruction, s.workdir, from.kind === 'stage' ? state.stages.find((x) => x.tree === from.tree)!.key : '', ...matches.flatMap((m) => m.keys));
  await cachedLayer(b, state, s, step, key, instruction, () => copyLayer(req, matches, s.tree), { chown: chown === undefined ? undefined : word(chown) });
}

/** RUN: a program from the image, linked and run over the stage's tree; its changes are the layer. */
async function run(b: BuildSetup, state: BuildState, s: Stage, step: Step): Promise<void> {
  const { ins, fail } = step;
  for (const f of ins.flags.keys()) throw fail(`RUN --${f} is not supported`);
  const argv = ins.exec ?? [...s.shell, ins.rest];
  if (!ins.exec) requireShell(s, fail, 'RUN');
  const env = runEnv(s);
  const instruction = `RUN ${JSON.stringify(argv)}`;
  const key = cacheKey(s.key, instruction, s.workdir, JSON.stringify(env));
  const { options, progress, file } = b;
  await cachedLayer(b, state, s, step, key, instruction, () => runStep({
    argv, env, workdir: s.workdir, tree: s.tree, capabilities: options.capabilities, epoch: b.epoch,
    io: options.runIo ?? {}, timeoutMs: options.runTimeoutMs ?? 600_000, describe: `RUN ${ins.raw}`,
    note: (text) => progress.note(`${file}:${ins.line}: ${text}`),
  }).catch((e: unknown) => {
    if (e instanceof InputError) throw fail(e.message);
    if (e instanceof RunFailure) throw at(file, ins.line, e.message, 1);
    throw e;
  }));
}

/**
 * A step's layer from the cache by its key, else made and stored (the one place the cache is consulted),
 * then applied to the stage, recorded and reported.
 */
async function cachedLayer(b: BuildSetup, state: BuildState, s: Stage, step: Step, key: string, instruction: string, make: () => Layer | Promise<Layer>, extra: Partial<LayerRecord> = {}): Promise<void> {
  const cached = b.cache.get(key);
  const layer = cached ?? (await make());
  if (!cached) b.cache.put(key, layer);
  s.tree.apply(layer);
  const { digest, size } = layerDigest(layer);
  s.layers.push({ digest, instruction, line: step.ins.line, size, ...extra });
  s.key = key;
  if (cached) b.progress.cached();
  else {
    state.allCached = false;
    b.progress.done(size);
  }
}

/**
 * Docker gives a Dockerfile that only names its base the base's own image; here, the base box byte for byte,
 * unless a build option changes what it is linked with. Undefined: the last stage must be linked.
 */
function unchangedBase(b: BuildSetup, stage: Stage): BuildResult | undefined {
  const base = stage.box;
  if (!base || b.deny.length !== 0 || b.options.vfsLimits) return undefined;
  // Read from someone's file: it must compile, as a linked box does.
  if (!WebAssembly.validate(base as Uint8Array<ArrayBuffer>)) throw new BuildError(`${b.file}: the base box ${stage.from} is not a valid WebAssembly module (it does not compile)`);
  const manifest = readManifest(base);
  // A single-memory build of a multi-memory base (or the reverse) is a new link.
  if (!Object.keys(manifest.capabilities).every((c) => b.byName.has(c)) || !b.options.singleMemory !== !manifest.singleMemory) return undefined;
  // Nothing was built: no layer came from the cache either.
  return { bytes: base.slice(), manifest, layers: manifest.build?.layers ?? stage.layers, cached: false };
}

function requireShell(s: Stage, fail: (m: string) => BuildError, what: string): void {
  const sh = s.shell[0]!;
  const found = findProgram(s.tree, sh, s.env.get('PATH') ?? DEFAULT_PATH, s.workdir);
  if (!found) throw fail(`${what} in shell form needs ${sh} (a WASI shell) in the image; use the exec form, such as ${what} ["/bin/prog", "arg"]`);
}

function runEnv(s: Stage): string[] {
  const env = new Map<string, string>();
  for (const [k, v] of s.args) if (v !== undefined) env.set(k, v);
  for (const [k, v] of s.env) env.set(k, v);
  return [...env].map(([k, v]) => `${k}=${v}`);
}

function newStage(name: string | undefined, tree: Tree, from: string, key: string): Stage {
  return {
    ...(name ? { name } : {}), tree, key, from, env: new Map(), args: new Map(), workdir: '/', labels: new Map(), exposed: [], ports: [], volumes: [],
    shell: ['/bin/sh', '-c'], shellSet: false, layers: [],
  };
}

interface FromContext {
  contextDir: string;
  epoch: bigint;
  /** the build's unpack budget: an OCI base's layers count against it, as ADD's archives do */
  unpack: UnpackBudget;
  hasNet: boolean;
}

function startStage(ins: Instruction, words: string[], stages: Stage[], from: FromContext, fail: (m: string) => BuildError): Stage {
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

function copySource(from: string | undefined, stages: readonly Stage[], context: Context, fail: (m: string) => BuildError): CopyFrom {
  if (from === undefined) return { kind: 'context', context };
  const byIndex = /^\d+$/.test(from) ? stages[Number(from)] : undefined;
  const stage = byIndex ?? stages.find((s) => s.name === from.toLowerCase());
  if (!stage) throw fail(`--from=${from}: no earlier stage has that name or index`);
  return { kind: 'stage', name: from, tree: stage.tree };
}

/** Links the last stage: its entrypoint program over its flattened image, with the capabilities the two call for. */
function finish(b: BuildSetup, s: Stage): LinkResult {
  const { argv, found, program } = entrypointProgram(s, b.file);
  // Stored once: as the box's program, not also as a file of its image.
  const tree = s.tree.clone();
  tree.remove(found.real);
  const imports = wasiImports(program, b.file, found.path);
  const image = tree.flatten();
  // The vfs for the image, net for the ports; proc and clock only when the program calls them; a denied capability not at all.
  const caps = selectCapabilities(b.options.capabilities, { options: { image, listen: s.ports }, imports, without: b.deny });
  // Without a VOLUME no host directory can appear in the box (box run --dir is refused), so it imports no path_* at all.
  const linkDeny = s.volumes.length || b.deny.includes('fs') ? [...b.deny] : [...b.deny, 'fs'];
  const { vfsLimits, singleMemory, programMemory } = b.options;
  const options: LinkOptions = {
    capabilities: caps, entrypoint: found.path, args: argv.slice(1), env: [...s.env].map(([k, v]) => `${k}=${v}`),
    image, programName: found.path, build: buildRecord(s),
    ...(s.workdir !== '/' ? { workdir: s.workdir } : {}),
    ...(s.volumes.length ? { mountPoints: s.volumes } : {}),
    ...(linkDeny.length ? { deny: linkDeny } : {}),
    vfsLimits,
    ...(singleMemory ? { singleMemory: true } : {}),
    programMemory,
  };
  // net's listening ports (LinkSettings.listen): only when a net capability is linked.
  if (s.ports.length && b.byName.has('net')) Object.assign(options, { listen: [...s.ports] });
  return link(program, options);
}

/** The program the box runs (ENTRYPOINT then CMD, looked up on PATH) and its bytes; a missing one is named at the line that chose it. */
function entrypointProgram(s: Stage, file: string): { argv: string[]; found: { path: string; real: string }; program: Uint8Array } {
  // Docker: a shell-form ENTRYPOINT ignores CMD.
  const argv = [...(s.entrypoint ?? []), ...(s.entrypointShell ? [] : (s.cmd ?? []))];
  if (argv.length === 0) throw new BuildError(`${file}: no ENTRYPOINT or CMD: a box needs a program to run`);
  const path = s.env.get('PATH') ?? DEFAULT_PATH;
  const found = findProgram(s.tree, argv[0]!, path, s.workdir);
  if (!found) {
    // Name the instruction that chose the program, so the message can carry its line, like RUN's does.
    const [what, where] = s.entrypoint ? ['ENTRYPOINT', s.entrypointAt] : ['CMD', s.cmdAt];
    if (where?.shell) {
      const example = JSON.stringify(where.text.trim().split(/\s+/)).replaceAll('","', '", "');
      throw at(file, where.line, `${what} in shell form needs ${argv[0]} (a WASI shell) in the image; use the exec form, such as ${what} ${example}`);
    }
    const hint = s.fromBox ? ' (a base box that is not --portable cannot give its program back: name a program in the image)' : '';
    const message = `the entrypoint ${argv[0]} is not a file in the image${hint}`;
    throw where ? at(file, where.line, `${what}: ${message}`) : new BuildError(`${file}: ${message}`);
  }
  const program = s.tree.get(found.real)!.data ?? new Uint8Array(0);
  if (program.length < 8 || program[0] !== 0 || program[1] !== 0x61 || program[2] !== 0x73 || program[3] !== 0x6d) {
    throw new BuildError(`${file}: the entrypoint ${found.path} is not a WebAssembly program`);
  }
  return { argv, found, program };
}

/** What manifest.build records of the stage: its origin and layers, and the Docker settings a box has no other place for. */
function buildRecord(s: Stage): BuildRecord {
  return {
    from: s.from,
    layers: s.layers,
    ...(s.labels.size ? { labels: Object.fromEntries([...s.labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) } : {}),
    user: s.user,
    ...(s.exposed.length ? { exposed: [...s.exposed] } : {}),
    ...(s.volumes.length ? { volumes: [...s.volumes] } : {}),
    stopSignal: s.stopSignal,
    ...(s.shellSet ? { shell: [...s.shell] } : {}),
  };
}

function wasiImports(program: Uint8Array, file: string, path: string): string[] {
  try {
    return readModule(program).imports.filter((i) => i.module === 'wasi_snapshot_preview1').map((i) => i.name);
  } catch (e) {
    throw new BuildError(`${file}: the entrypoint ${path}: ${(e as Error).message}`);
  }
}

export { parseExec };
