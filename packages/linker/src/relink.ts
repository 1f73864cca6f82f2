// Reading a finished box back: its baked filesystem image, and the same box
// around another program (box run --entrypoint, a Dockerfile's RUN).

import { readManifest, type CapabilityDescriptor } from '@marcotte/abi';
import { readModule } from './binary/reader.ts';
import { LinkError } from './errors.ts';
import { commitImage, link, type LinkResult } from './link.ts';
import { imagePlacement } from './placement.ts';

/**
 * The vfs image segments baked into `box` (index, file bytes), as the linker
 * placed them; undefined when the box has no filesystem of its own.
 */
export function imageSegments(box: Uint8Array): Uint8Array[] | undefined {
  const module = readModule(box);
  const { placed } = imagePlacement(module);
  return placed && module.data.slice(placed.first, placed.first + placed.count).map((s) => s.bytes);
}

export interface RelinkOptions {
  /** the capabilities this linker knows, by name: the box's own are picked from them */
  capabilities: readonly CapabilityDescriptor[];
  /** argv[0] of the new program: its path inside the box */
  entrypoint: string;
  /** default args of the new box (default: none, as docker run --entrypoint drops CMD) */
  args?: readonly string[];
  programName?: string;
}

/**
 * `program` linked as `box` was: the same capabilities, environment, working
 * directory, mount points, clock, random and denials, over the same image
 * (copied segment for segment, so limits and timestamps are kept exactly).
 */
export function relink(box: Uint8Array, program: Uint8Array, options: RelinkOptions): LinkResult {
  const manifest = readManifest(box);
  const capabilities = Object.keys(manifest.capabilities).map((name) => {
    const descriptor = options.capabilities.find((c) => c.name === name);
    if (!descriptor) throw new LinkError(`the box was linked with capability ${name}, which this linker does not have`);
    return descriptor;
  });
  const linked = link(program, {
    capabilities, entrypoint: options.entrypoint, args: options.args ?? [], env: manifest.env,
    ...(manifest.workdir !== undefined ? { workdir: manifest.workdir } : {}),
    ...(manifest.mountPoints ? { mountPoints: manifest.mountPoints } : {}),
    ...(manifest.ports ? { listen: manifest.ports } : {}),
    ...(manifest.clock !== undefined ? { clock: manifest.clock } : {}),
    ...(manifest.random !== undefined ? { random: manifest.random } : {}),
    ...(manifest.denied ? { deny: manifest.denied } : {}),
    sealed: manifest.sealed ?? false, portable: manifest.portable ?? false, trace: manifest.trace !== undefined,
    // A single-memory box stays one: the same program limit (the regions above it follow from the parts).
    ...(manifest.singleMemory?.regions.app ? { singleMemory: true, programMemory: manifest.singleMemory.regions.app.pages * 65536 } : {}),
    ...(options.programName !== undefined ? { programName: options.programName } : {}),
  });
  const segments = imageSegments(box);
  if (!segments) return linked;
  const bytes = commitImage(linked.bytes, segments, manifest.image);
  return { bytes, manifest: readManifest(bytes), warnings: linked.warnings };
}
