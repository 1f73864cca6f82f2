// What a stage starts from when FROM names an image, whatever its kind:
// its image, config and layer records (StageBase). Here, a `.box.wasm`:
// its image (its vfs data segments), its config (entrypoint, args, env,
// workdir, build record) and, when it is portable, its program (from
// box.parts). A non-portable box's program was merged into the box and
// cannot be taken out again: such a base is usable only when the Dockerfile
// names a new program (ENTRYPOINT or CMD) that is in the image.

import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { decodeParts, findCustomSection, PARTS_SECTION, readManifest, type ImageEntry, type LayerRecord, type Manifest } from '@marcotte/abi';
import { configSegments } from '@marcotte/linker';
import { decodeImage } from '@marcotte/vfs';
import { InputError } from './errors.ts';
import { layerDigest } from './layer.ts';

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
    const segments = configSegments(bytes, 'vfs');
    if (segments) image = decodeImage(segments);
    const parts = findCustomSection(bytes, PARTS_SECTION);
    if (parts) program = decodeParts(parts).program.slice();
  } catch (e) {
    // A damaged box: its image segments or parts do not read back.
    throw new InputError(`FROM ${path}: ${(e as Error).message}`);
  }
  const identity = `${basename(path)} sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  return { identity, manifest, image, program };
}

/** What an image config says of how to run it (OCI's `config`, a box's manifest and build record). */
export interface ImageSettings {
  entrypoint?: string[];
  cmd?: string[];
  env: string[];
  workdir: string;
  labels: Record<string, string>;
  user?: string;
  volumes: string[];
  stopSignal?: string;
  /** as written ("8080/tcp") */
  exposed: string[];
  /** the TCP ports the box listens on */
  ports: number[];
}

/** A stage's starting point: what FROM takes from a box or an OCI image. */
export interface StageBase extends ImageSettings {
  /** the build record's `from` */
  identity: string;
  image: ImageEntry[];
  /** the base's layer records, bottom first */
  layers: LayerRecord[];
  shell?: string[];
  /** a portable box's program, put back into the image at the entrypoint */
  program?: Uint8Array;
  /** the base box itself: a last stage that changes nothing builds exactly this box (as Docker gives a FROM-only Dockerfile the base's image) */
  box?: Uint8Array;
  /** the base is a box (its program, unless portable, was merged and is not in the image) */
  fromBox?: boolean;
}

/** A box as a stage's base: its manifest and build record are its config. `label` names it in layer records. */
export function baseFromBox(bytes: Uint8Array, base: BaseBox, label: string, identity = base.identity): StageBase {
  const m = base.manifest;
  const b = m.build;
  let layers: LayerRecord[] = [];
  if (b) layers = [...b.layers];
  else if (base.image.length) {
    const { digest, size } = layerDigest({ entries: base.image, whiteouts: [] });
    layers = [{ digest, instruction: `FROM ${label}`, line: 0, size }];
  }
  return {
    identity, image: base.image, layers,
    // A program name that is not a path (box-link's default) cannot be looked up in the image.
    ...(m.entrypoint.startsWith('/') ? { entrypoint: [m.entrypoint], cmd: [...m.args] } : {}),
    env: [...m.env], workdir: m.workdir ?? '/', labels: { ...(b?.labels ?? {}) },
    user: b?.user,
    volumes: [...(b?.volumes ?? [])],
    stopSignal: b?.stopSignal,
    shell: b?.shell && [...b.shell],
    exposed: [...(b?.exposed ?? [])], ports: [...(m.ports ?? [])],
    program: base.program,
    box: bytes, fromBox: true,
  };
}
