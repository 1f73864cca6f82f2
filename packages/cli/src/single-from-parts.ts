// A portable box made single-memory from its own parts (box.parts), for
// `box export --component`: the program and the capability modules it was
// linked with, with their config segments (the vfs image among them), linked
// again with the linker's singleMemory. The parts are a custom section, as
// easy to forge as the manifest, so they are first checked to be what the box
// was linked from (the linker's checkParts, as dynamic mode does), and the
// new box may import nothing the old one did not.

import { decodeParts, findCustomSection, hostImportNames, PARTS_SECTION, type CapabilityDescriptor, type Manifest } from '@marcotte/abi';
import { checkParts, link, readModule } from '@marcotte/linker';

const CONTROL_PREFIX = 'box.';

/** The capabilities' control exports the box publishes (`box.<cap>.<name>`), which its parts do not record. */
function controls(box: Uint8Array): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const e of readModule(box).exports) {
    if (e.kind !== 'func' || !e.name.startsWith(CONTROL_PREFIX)) continue;
    const cap = e.name.slice(CONTROL_PREFIX.length, e.name.lastIndexOf('.'));
    found.set(cap, [...(found.get(cap) ?? []), e.name.slice(e.name.lastIndexOf('.') + 1)]);
  }
  return found;
}

/**
 * The box linked again into one memory from its parts; undefined when it
 * carries none. Throws the linker's LinkError when the parts are not the box's
 * or cannot be laid into one memory, and a plain Error when the result would
 * import a host function the box does not.
 */
export function singleMemoryFromParts(box: Uint8Array, manifest: Manifest): Uint8Array | undefined {
  const section = findCustomSection(box, PARTS_SECTION);
  if (!section) return undefined;
  const parts = decodeParts(section);
  checkParts(box, parts, manifest);
  const published = controls(box);
  const capabilities: CapabilityDescriptor[] = parts.capabilities.map((c) => ({
    name: c.name,
    version: manifest.capabilities[c.name]?.version ?? '',
    provides: c.provides,
    support: {},
    wasm: () => c.wasm,
    ...(c.init ? { init: c.init } : {}),
    control: published.get(c.name) ?? [],
    // the segments the box was linked with, image and settings included
    config: () => c.config,
  }));
  const { bytes } = link(parts.program, {
    capabilities, entrypoint: manifest.entrypoint, args: manifest.args, env: manifest.env,
    ...(manifest.workdir !== undefined ? { workdir: manifest.workdir } : {}),
    ...(manifest.mountPoints ? { mountPoints: manifest.mountPoints } : {}),
    ...(manifest.ports ? { listen: manifest.ports } : {}),
    ...(manifest.clock !== undefined ? { clock: manifest.clock } : {}),
    ...(manifest.random !== undefined ? { random: manifest.random } : {}),
    ...(manifest.denied ? { deny: manifest.denied } : {}),
    sealed: manifest.sealed ?? false,
    singleMemory: true,
  });
  const before = hostImportNames(box);
  const widened = [...hostImportNames(bytes)].filter((name) => !before.has(name));
  if (widened.length) throw new Error(`linked into one memory it would import ${widened.join(', ')}, which the box does not`);
  return bytes;
}
