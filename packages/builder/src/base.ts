// FROM <path to a .box.wasm>: the base box's image (its vfs data segments),
// its config (entrypoint, args, env, workdir, build record) and, when it is
// portable, its program (from box.parts). A non-portable box's program was
// merged into the box and cannot be taken out again: such a base is usable
// only when the Dockerfile names a new program (ENTRYPOINT or CMD) that is
// in the image.

import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { decodeParts, findCustomSection, PARTS_SECTION, readManifest, type ImageEntry, type Manifest } from '@marcotte/abi';
import { imageSegments } from '@marcotte/linker';
import { decodeImage } from '@marcotte/vfs';
import { InputError } from './errors.ts';

export interface BaseBox {
  /** "name.box.wasm sha256:<hex>" */
  identity: string;
  manifest: Manifest;
  image: ImageEntry[];
  /** the program, when the box is portable */
  program?: Uint8Array;
}

export function readBaseBox(bytes: Uint8Array, path: string): BaseBox {
  let manifest: Manifest;
  try {
    manifest = readManifest(bytes);
  } catch (e) {
    throw new InputError(`FROM ${path}: ${(e as Error).message}`);
  }
  let image: ImageEntry[] = [];
  let program: Uint8Array | undefined;
  try {
    const segments = imageSegments(bytes);
    if (segments) image = decodeImage(segments);
    const parts = findCustomSection(bytes, PARTS_SECTION);
    if (parts) program = decodeParts(parts).program.slice();
  } catch (e) {
    // A damaged box: its image segments or parts do not read back.
    throw new InputError(`FROM ${path}: ${(e as Error).message}`);
  }
  const identity = `${basename(path)} sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  return { identity, manifest, image, ...(program ? { program } : {}) };
}
