// The JS API: what the CLI does, as functions (README "JS API"). Each takes
// and returns bytes and plain data; nothing here prints or exits.

import { selectCapabilities, type ImageEntry, type Manifest, type VfsLimits } from '@marcotte/abi';
import { build as buildBox, type BuildOptions, type BuildResult } from '@marcotte/builder';
import { parseClockMode, parseRandomMode } from '@marcotte/clock';
import { link as linkParts, linkTo as linkPartsTo, prepareLinkTo as prepareParts, type LinkResult, type ModuleSink, type PreparedLink } from '@marcotte/linker';
import { runBoxIsolated, type IsolatedOptions, type RunResult } from '@marcotte/runtime';
import { readSnapshot, snapshotToTar } from '@marcotte/vfs';
import { CAPABILITIES } from './capabilities.ts';
import { inspectBox, type Inspection } from './commands/inspect.ts';

export interface LinkOptions {
  /** argv[0] inside the box (default "app.wasm") */
  entrypoint?: string;
  /** default args, replaced by run-time args */
  args?: readonly string[];
  /** baked environment, KEY=VALUE */
  env?: readonly string[];
  /** link the vfs (implied by image, workdir, mountPoints, vfsLimits) */
  fs?: boolean;
  image?: readonly ImageEntry[];
  workdir?: string;
  mountPoints?: readonly string[];
  /** link net (implied by listen) */
  net?: boolean;
  listen?: readonly number[];
  /** virtualize argv and environment (implied by env, args, sealed) */
  proc?: boolean;
  /** host | fixed:<RFC 3339> | offset:<duration> */
  clock?: string;
  /** host | seed:<u64> */
  random?: string;
  sealed?: boolean;
  deny?: readonly string[];
  strip?: boolean;
  portable?: boolean;
  trace?: boolean;
  /** how errors name the program (its file name) */
  programName?: string;
  /** the vfs's link-time limits (quota, metadata, file size, path, handles, pages) */
  vfsLimits?: VfsLimits;
  /** one memory: capability memories laid into memory 0, the program's accesses bounds-checked (DESIGN.md §2.7) */
  singleMemory?: boolean;
  /** with singleMemory: the program's memory limit in bytes */
  programMemory?: number;
}

/** box-link: a WASI program and the capabilities its options ask for, as one box. */
export function link(program: Uint8Array, options: LinkOptions = {}): LinkResult {
  return linkParts(program, linkerOptions(options));
}

/**
 * link(), the box handed to `sink` in chunks as it is written (box-link
 * writes its output file so: a large box is never held whole in memory).
 */
export function linkTo(program: Uint8Array, options: LinkOptions, sink: ModuleSink): Omit<LinkResult, 'bytes'> & { size: number } {
  return linkPartsTo(program, linkerOptions(options), sink);
}

/**
 * linkTo() in two steps, for a caller that validates the program meanwhile
 * (box-link, on a worker thread): `valid` is WebAssembly.validate's answer for
 * exactly these bytes, awaited before the box can be written (the linker's
 * prepareLinkTo says more).
 */
export function prepareLinkTo(program: Uint8Array, options: LinkOptions, valid: Promise<boolean>): Promise<PreparedLink> {
  return prepareParts(program, linkerOptions(options), valid);
}

function linkerOptions(options: LinkOptions): Parameters<typeof linkParts>[1] {
  if (options.clock !== undefined) parseClockMode(options.clock);
  if (options.random !== undefined) parseRandomMode(options.random);
  // A fixed clock and a seeded generator need nothing from the host (DESIGN.md §4).
  const deny = new Set(options.deny ?? []);
  if (options.clock?.startsWith('fixed:')) deny.add('clock');
  if (options.random?.startsWith('seed:')) deny.add('random');
  return {
    capabilities: selectCapabilities(CAPABILITIES, { options }),
    entrypoint: options.entrypoint ?? 'app.wasm', args: options.args ?? [], env: options.env ?? [],
    deny: [...deny], sealed: options.sealed ?? false, strip: options.strip ?? false,
    portable: options.portable ?? false, trace: options.trace ?? false,
    programName: options.programName, image: options.image, workdir: options.workdir,
    ...(options.mountPoints?.length ? { mountPoints: options.mountPoints } : {}),
    ...(options.listen?.length ? { listen: options.listen } : {}),
    clock: options.clock, random: options.random, vfsLimits: options.vfsLimits,
    ...(options.singleMemory ? { singleMemory: true } : {}),
    programMemory: options.programMemory,
  };
}

/** box build: a Dockerfile and its context to a box, with every capability this CLI has. */
export function build(options: Omit<BuildOptions, 'capabilities'>): Promise<BuildResult> {
  return buildBox({ ...options, capabilities: CAPABILITIES });
}

export type RunOptions = IsolatedOptions;

/**
 * box run: runs the box in a worker thread (so limits and signals can end
 * it) and returns the program's exit code, its manifest and, with
 * `snapshot: true`, the vfs's tree at the end.
 */
export function run(box: Uint8Array, options: RunOptions = {}): Promise<RunResult> {
  return runBoxIsolated(box, options);
}

/** box inspect: the manifest, the authority by part, memories and sizes. */
export function inspect(box: Uint8Array): Inspection {
  return inspectBox(box);
}

/** A run's filesystem (RunResult.snapshot) as entries, and as a tar. */
export function snapshot(bytes: Uint8Array): { entries: ImageEntry[]; tar(): Uint8Array } {
  const entries = readSnapshot(bytes);
  return { entries, tar: () => snapshotToTar(entries) };
}

export type { BuildOptions, BuildResult, Inspection, LinkResult, Manifest, RunResult };
