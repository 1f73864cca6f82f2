// The filesystem a box carries, read from the file itself (no run needed):
// the linker knows where it placed the vfs image, the vfs decodes it. Used
// by the playground page, not by the runtime bundle (the wasm reader would
// double its size).

import type { ImageEntry } from '@marcotte/abi';
import { configSegments } from '@marcotte/linker';
import { decodeImage } from '@marcotte/vfs';

/** The box's baked tree, parents before children; undefined when it has no filesystem of its own. */
export function boxImage(bytes: Uint8Array): ImageEntry[] | undefined {
  const segments = configSegments(bytes, 'vfs');
  return segments ? decodeImage(segments) : undefined;
}
