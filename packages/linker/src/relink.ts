// The same box around another program (box run --entrypoint, a Dockerfile's RUN).

import { configPlacementOf, readManifest, type CapabilityDescriptor, type Manifest } from '@marcotte/abi';
import { configSegments, replaceConfig } from './config.ts';
import { LinkError } from './errors.ts';
import { link, type LinkOptions, type LinkResult } from './link.ts';

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
 * The link settings a box's manifest records: its environment, working
 * directory, mount points, ports, clock, random, denials and sealing. What
 * linking it again with another program or another layout starts from.
 */
export function recordedSettings(manifest: Manifest): Omit<LinkOptions, 'capabilities' | 'entrypoint' | 'args'> {
  return {
    env: manifest.env, workdir: manifest.workdir, mountPoints: manifest.mountPoints, listen: manifest.ports,
    clock: manifest.clock, random: manifest.random, deny: manifest.denied, sealed: manifest.sealed ?? false,
  };
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
  // A single-memory box stays one: the same program limit (the regions above it follow from the parts).
  const programRegion = manifest.singleMemory?.regions.app;
  const linked = link(program, {
    ...recordedSettings(manifest), capabilities, entrypoint: options.entrypoint, args: options.args ?? [],
    portable: manifest.portable ?? false, trace: manifest.trace !== undefined,
    singleMemory: programRegion !== undefined, programMemory: programRegion ? programRegion.pages * 65536 : undefined,
    programName: options.programName,
  });
  // Each capability's configuration the box records (its image) is copied as it is.
  let bytes = linked.bytes;
  for (const cap of capabilities.filter((c) => configPlacementOf(manifest, c.name))) {
    const segments = configSegments(box, cap.name);
    if (segments) bytes = replaceConfig(bytes, cap.name, segments, manifest.image ? { image: manifest.image } : undefined);
  }
  return bytes === linked.bytes ? linked : { bytes, manifest: readManifest(bytes), warnings: linked.warnings };
}
