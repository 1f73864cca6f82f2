// A portable box made single-memory from its own parts (box.parts), for
// `box export --component`: the program and the capability modules it was
// linked with, with their config segments (the vfs image among them), linked
// again with the linker's singleMemory. The parts are a custom section, as
// easy to forge as the manifest, so they are first checked to be what the box
// was linked from (the linker's checkParts, as dynamic mode does), and the
// new box may import nothing the old one did not.

import { decodeParts, findCustomSection, hostImportNames, PARTS_SECTION, type Manifest } from '@marcotte/abi';
import { checkParts, link, partDescriptors, recordedSettings } from '@marcotte/linker';

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
  const { bytes } = link(parts.program, {
    ...recordedSettings(manifest),
    // the parts' own modules and config segments (the image among them), the box's control exports
    capabilities: partDescriptors(box, parts, manifest.capabilities),
    entrypoint: manifest.entrypoint, args: manifest.args,
    singleMemory: true,
  });
  const before = hostImportNames(box);
  const widened = [...hostImportNames(bytes)].filter((name) => !before.has(name));
  if (widened.length) throw new Error(`linked into one memory it would import ${widened.join(', ')}, which the box does not`);
  return bytes;
}
