// The instructions after FROM, applied to the current stage: settings
// change it, WORKDIR, COPY, ADD and RUN add a layer through the one place
// the layer cache is consulted (cachedLayer).

import type { CapabilityDescriptor, LayerRecord } from '@marcotte/abi';
import type { BuildOptions } from './build.ts';
import { cacheKey, type LayerCache } from './cache.ts';
import type { Context } from './context.ts';
import { copyLayer, matchSources, parseChmod, type CopyFrom } from './copy.ts';
import type { Instruction } from './dockerfile.ts';
import { at, InputError, RunFailure, type BuildError } from './errors.ts';
import { layerDigest } from './layer.ts';
import type { Progress } from './progress.ts';
import { findProgram, runStep } from './run.ts';
import { DEFAULT_PATH, type Stage } from './stage.ts';
import type { UnpackBudget } from './tar.ts';
import { resolveFrom, type Layer } from './tree.ts';
import { expandPairs, type Lookup } from './variables.ts';

const UNSUPPORTED = new Set(['HEALTHCHECK', 'ONBUILD']);

/** What every step of one build reads: the options checked and resolved once, before the first instruction. */
export interface BuildSetup {
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
export interface BuildState {
  /** ARGs declared before the first FROM */
  globalArgs: Map<string, string | undefined>;
  /** the stages so far; instructions apply to the last */
  stages: Stage[];
  /** every layer so far came from the cache */
  allCached: boolean;
}

/** One instruction as the steps see it: its words expanded in the current stage's variables, its errors located at its line. */
export interface Step {
  ins: Instruction;
  fail: (message: string) => BuildError;
  lookup: Lookup;
  word: (text: string) => string;
  words: (text: string) => string[];
}

/** Every instruction after FROM: settings change the stage, WORKDIR, COPY, ADD and RUN add a layer. */
export async function applyToStage(b: BuildSetup, state: BuildState, s: Stage, step: Step): Promise<void> {
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

/** The shell form runs the SHELL program: without it in the image, a line that says to use the exec form instead. */
function requireShell(s: Stage, fail: (m: string) => BuildError, what: string): void {
  const sh = s.shell[0]!;
  const found = findProgram(s.tree, sh, s.env.get('PATH') ?? DEFAULT_PATH, s.workdir);
  if (!found) throw fail(`${what} in shell form needs ${sh} (a WASI shell) in the image; use the exec form, such as ${what} ["/bin/prog", "arg"]`);
}

/** RUN's environment: the stage's ARGs (set ones only) under its ENV, as Docker gives a RUN; part of the step's cache key. */
function runEnv(s: Stage): string[] {
  const env = new Map<string, string>();
  for (const [k, v] of s.args) if (v !== undefined) env.set(k, v);
  for (const [k, v] of s.env) env.set(k, v);
  return [...env].map(([k, v]) => `${k}=${v}`);
}

/** Where COPY reads from: the build context, or an earlier stage named or numbered by --from. */
function copySource(from: string | undefined, stages: readonly Stage[], context: Context, fail: (m: string) => BuildError): CopyFrom {
  if (from === undefined) return { kind: 'context', context };
  const byIndex = /^\d+$/.test(from) ? stages[Number(from)] : undefined;
  const stage = byIndex ?? stages.find((s) => s.name === from.toLowerCase());
  if (!stage) throw fail(`--from=${from}: no earlier stage has that name or index`);
  return { kind: 'stage', name: from, tree: stage.tree };
}
