// The JS API's link functions (api.ts re-exports them). Their own module so
// that box-link loads the linker and the capabilities alone: through api.ts it
// also loaded the builder (node:crypto, node:zlib), the runtime and the vfs's
// snapshot reader, ~20 ms of its start-up, for none of which it has a use.

import { selectCapabilities, type ImageEntry, type VfsLimits } from '@marcotte/abi';
import { parseClockMode, parseRandomMode } from '@marcotte/clock';
import { link as linkParts, linkTo as linkPartsTo, type LinkResult, type ModuleSink } from '@marcotte/linker';
import { CAPABILITIES } from './capabilities.ts';

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
