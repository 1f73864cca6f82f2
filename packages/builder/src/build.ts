// box build as a function: a Dockerfile and its context -> box bytes. Each
// stage starts from scratch, a base box or an earlier stage; COPY, ADD,
// RUN and WORKDIR make layers (cached by content); the last stage's layers
// are flattened into one image and linked with its entrypoint program.

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { denyError, readManifest, selectCapabilities, type BuildRecord, type CapabilityDescriptor, type LayerRecord, type Manifest, type VfsLimits } from '@marcotte/abi';
import { link, readModule, type LinkOptions, type LinkResult } from '@marcotte/linker';
import { defaultCacheDir, LayerCache } from './cache.ts';
import { Context } from './context.ts';
import { parseDockerfile, parseExec, type Dockerfile, type Instruction } from './dockerfile.ts';
import { at, BuildError, InputError } from './errors.ts';
import { applyToStage, type BuildSetup, type BuildState, type Step } from './instructions.ts';
import { silentProgress, type Progress } from './progress.ts';
import { findProgram, type RunIo } from './run.ts';
import { DEFAULT_PATH, startStage, type Stage } from './stage.ts';
import { DEFAULT_MAX_UNPACK, UnpackBudget } from './tar.ts';
import { expandWord, expandWords, SubstitutionError, type Lookup } from './variables.ts';

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

/** The preview1 functions the program imports: which capabilities it calls for (proc, clock). */
function wasiImports(program: Uint8Array, file: string, path: string): string[] {
  try {
    return readModule(program).imports.filter((i) => i.module === 'wasi_snapshot_preview1').map((i) => i.name);
  } catch (e) {
    throw new BuildError(`${file}: the entrypoint ${path}: ${(e as Error).message}`);
  }
}

export { parseExec };
