// A portable box carries its unmerged parts (box.parts) for dynamic mode.
// The parts are a custom section, as easy to rewrite as the manifest, so
// before a runtime wires them it checks that they are what the box was
// linked from: merged again, they must give the box's own module, section
// for section (custom sections aside).

import { hostImportNames, NEVER_HOST, sections, type BoxParts, type CapabilityDescriptor, type Manifest } from '@marcotte/abi';
import { readModule } from './binary/reader.ts';
import { writeModule } from './binary/writer.ts';
import { WasmFormatError } from './binary/errors.ts';
import { LinkError } from './errors.ts';
import { merge } from './merge.ts';

const CONTROL_PREFIX = 'box.';

/** The non-custom sections of a module, in order: each id byte, then its payload. */
function coreSections(bytes: Uint8Array): Uint8Array[] {
  return [...sections(bytes)].filter((s) => s.id !== 0).flatMap((s) => [new Uint8Array([s.id]), bytes.subarray(s.start, s.end)]);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The descriptors of the capabilities a portable box carries in its parts:
 * each part's module, functions, init and config segments as recorded, and
 * the control exports the box publishes for it (`box.<cap>.<name>`, which the
 * parts do not record). `versions` are the manifest's, when known.
 */
export function partDescriptors(box: Uint8Array, parts: BoxParts, versions: Manifest['capabilities'] = {}): CapabilityDescriptor[] {
  const controls = new Map<string, string[]>();
  for (const e of readModule(box).exports) {
    if (e.kind !== 'func' || !e.name.startsWith(CONTROL_PREFIX)) continue;
    const [cap, name] = [e.name.slice(CONTROL_PREFIX.length, e.name.lastIndexOf('.')), e.name.slice(e.name.lastIndexOf('.') + 1)];
    controls.set(cap, [...(controls.get(cap) ?? []), name]);
  }
  return parts.capabilities.map((c) => ({
    name: c.name, version: versions[c.name]?.version ?? '', provides: c.provides, support: {}, wasm: () => c.wasm,
    init: c.init, control: controls.get(c.name) ?? [], config: () => c.config,
  }));
}

/**
 * Throws LinkError unless merging `parts` reproduces `box`. What the merge
 * denies is what the box does not import, which is exactly what the
 * linker's denials left out of it; the control exports a capability
 * publishes are read from the box's exports (a wrong one fails the compare).
 */
export function checkParts(box: Uint8Array, parts: BoxParts, manifest: Manifest): void {
  const imported = hostImportNames(box);
  let merged: Uint8Array;
  try {
    const caps = partDescriptors(box, parts).map((descriptor, i) => ({
      descriptor, module: readModule(parts.capabilities[i]!.wasm), config: parts.capabilities[i]!.config,
    }));
    const { module } = merge(readModule(parts.program), caps, {
      strip: true, trace: manifest.trace !== undefined, denied: (name) => NEVER_HOST.has(name) || !imported.has(name),
    });
    merged = writeModule(module);
  } catch (e) {
    if (e instanceof LinkError || e instanceof WasmFormatError) throw mismatch(`its parts do not link: ${e.message}`);
    throw e;
  }
  const want = coreSections(box);
  const got = coreSections(merged);
  if (want.length !== got.length || want.some((s, i) => !sameBytes(s, got[i]!))) {
    throw mismatch('its parts are not what it was linked from');
  }
}

function mismatch(why: string): LinkError {
  return new LinkError(`the box is damaged: ${why} (dynamic mode refuses it; a box linked by another version of Marcotte needs relinking)`);
}
