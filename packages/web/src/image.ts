// The filesystem a box carries, read from the file itself (no run needed):
// the linker knows where it placed a capability's configuration, the vfs
// decodes it. The capability is the one with snapshots (abi controls.ts):
// its configuration is what a snapshot of it gives back, the image. Used
// by the playground page, not by the runtime bundle (the wasm reader would
// double its size).

import { capabilitiesWith, CONTROL, type ImageEntry } from '@marcotte/abi';
import { configSegments, readModule } from '@marcotte/linker';
import { decodeImage } from '@marcotte/vfs';

/** The box's baked tree, parents before children; undefined when it has no filesystem of its own. */
export function boxImage(bytes: Uint8Array): ImageEntry[] | undefined {
  const cap = capabilitiesWith(readModule(bytes).exports.map((e) => e.name), CONTROL.snapshot)[0];
  const segments = cap === undefined ? undefined : configSegments(bytes, cap);
  return segments ? decodeImage(segments) : undefined;
}
