// A finished box's configuration segments, by capability: read them back
// (FROM, relink, box run -w and --commit) or put others in their place. Where
// they live is what the manifest records (configPlacement); nothing here
// knows what any capability keeps in them.

import { decodeParts, encodeParts, MANIFEST_SECTION, PARTS_SECTION, type Manifest } from '@marcotte/abi';
import { readModule } from './binary/reader.ts';
import { writeModule } from './binary/writer.ts';
import { LinkError } from './errors.ts';
import { boxConfig } from './glue.ts';
import { configPlacement } from './placement.ts';

/** `cap`'s configuration segments in `box`, as the linker placed them; undefined when the box records none for it. */
export function configSegments(box: Uint8Array, cap: string): Uint8Array[] | undefined {
  const module = readModule(box);
  const { placed } = configPlacement(module, cap);
  return placed && module.data.slice(placed.first, placed.first + placed.count).map((s) => s.bytes);
}

/** Manifest fields that describe a configuration and change with it (the vfs image's summary). */
export type ConfigSummary = Pick<Manifest, 'image'>;

/**
 * A new box whose `cap` configuration is `segments`: the data segments are
 * replaced in place and the glue answering their sizes rewritten; nothing is
 * relinked, so the code is byte-for-byte the same.
 */
export function replaceConfig(box: Uint8Array, cap: string, segments: readonly Uint8Array[], summary?: ConfigSummary): Uint8Array<ArrayBuffer> {
  const module = readModule(box);
  const { manifest, placed, sizeCode } = configPlacement(module, cap);
  if (!placed) throw new LinkError('the box has no filesystem of its own to commit to (link it with --fs)');
  if (segments.length !== placed.count) throw new LinkError(`the snapshot has ${segments.length} segments, the box's image ${placed.count}`);
  segments.forEach((bytes, k) => {
    module.data[placed.first + k] = { mode: { kind: 'passive' }, bytes };
  });
  const size = boxConfig('size', cap, 0, placed.first, segments.map((s) => s.length))!;
  module.codes[sizeCode!] = size.build([]);
  const manifestSection = module.customs.find((c) => c.name === MANIFEST_SECTION)!;
  if (summary?.image) manifest.image = summary.image;
  manifestSection.bytes = new TextEncoder().encode(JSON.stringify(manifest));
  // A portable box carries each capability's config a second time, for dynamic mode.
  const partsSection = module.customs.find((c) => c.name === PARTS_SECTION);
  if (partsSection) {
    const parts = decodeParts(partsSection.bytes);
    const part = parts.capabilities.find((c) => c.name === cap);
    if (part) part.config = [...segments];
    partsSection.bytes = encodeParts(parts);
  }
  return writeModule(module);
}
