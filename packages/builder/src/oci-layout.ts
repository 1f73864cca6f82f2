// Reading a local OCI image (image-spec v1.1) for FROM: an image layout as
// a tar (`oci-archive:PATH[:TAG]`) or as a directory (`oci:DIR[:TAG]`), the
// transport names skopeo uses. The layout is someone else's file and is read
// as an attack surface: blobs are named by sha256 digests only (no path in a
// reference can reach anything but blobs/sha256/<hex>), each blob is hashed
// and compared with its digest and its descriptor's size, JSON is bounded in
// size, media types are checked, and everything read counts against the
// build's unpack budget. Every failure is one Error line; the caller adds
// `FROM ...:` and the Dockerfile's line.

import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import { OCI_MEDIA_TYPES } from '@marcotte/abi';
import { tarMembers } from '@marcotte/vfs';
import { gunzip, type UnpackBudget } from './tar.ts';

/** Layer media types whose blob is a WebAssembly binary itself: runwasi's, the CNCF Wasm OCI artifact's, wasm-to-oci's. */
const WASM_LAYERS = new Set<string>([OCI_MEDIA_TYPES.layer, 'application/wasm', 'application/vnd.wasm.content.layer.v1+wasm']);

/** index.json, manifests and configs are small; registries refuse manifests past 4 MiB. */
const MAX_JSON = 4 * 1024 * 1024;

/** The annotation `oci:DIR:TAG` selects by (skopeo writes it, so does box export). */
const REF_NAME = 'org.opencontainers.image.ref.name';

export type OciLayer = { kind: 'tar'; gzip: boolean; digest: string; bytes: Uint8Array; diffId?: string } | { kind: 'wasm'; digest: string; bytes: Uint8Array; title?: string };

export interface OciImage {
  /** the manifest's digest: what the image is, whatever it is called */
  digest: string;
  /** the image config (application/vnd.oci.image.config.v1+json), parsed */
  config: Record<string, unknown>;
  /** in order, bottom first */
  layers: OciLayer[];
}

/** `oci-archive:PATH[:TAG]` or `oci:DIR[:TAG]`: the transport, the path and the tag (skopeo splits at the first colon after the transport). */
export function parseOciReference(image: string): { transport: 'oci-archive' | 'oci'; path: string; tag?: string } | undefined {
  const m = /^(oci-archive|oci):(.*)$/.exec(image);
  if (!m) return undefined;
  const rest = m[2]!;
  const colon = rest.indexOf(':');
  const path = colon < 0 ? rest : rest.slice(0, colon);
  const tag = colon < 0 ? undefined : rest.slice(colon + 1);
  return { transport: m[1] as 'oci-archive' | 'oci', path, tag };
}

const DIGEST = /^sha256:([0-9a-f]{64})$/;

/** Where blobs come from: a name -> bytes lookup that never leaves blobs/sha256. */
interface Blobs {
  /** the bytes of index.json */
  index(): Uint8Array;
  /** the blob of `hex`, at most `max` bytes, or undefined when absent */
  blob(hex: string, max: number): Uint8Array | undefined;
}

/** Reads at most `max` bytes of a regular file (FIFOs, devices and growing files are refused). */
function readBounded(path: string, max: number, what: string, tooBig: () => Error): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new Error(code === 'ENOENT' ? `${what} is missing` : code === 'ELOOP' ? `${what} is a symlink` : `cannot read ${what} (${code ?? 'error'})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error(`${what} is not a regular file`);
    if (st.size > max) throw tooBig();
    const out = new Uint8Array(st.size);
    let at = 0;
    while (at < out.length) {
      const n = readSync(fd, out, at, out.length - at, at);
      if (n === 0) break;
      at += n;
    }
    if (at !== out.length) throw new Error(`${what} changed while it was read`);
    return out;
  } finally {
    closeSync(fd);
  }
}

/** An OCI layout tar: only oci-layout, index.json and blobs/sha256/<hex> are taken; any entry that climbs or links is refused. */
function archiveBlobs(path: string, budget: UnpackBudget): Blobs {
  const raw = readBounded(path, budget.left, 'the archive', () => budget.exceeded());
  // skopeo writes a plain tar; a gzip one (oci-archive.tar.gz) unpacks within the same limit.
  const tar = raw[0] === 0x1f && raw[1] === 0x8b ? gunzip(raw, budget) : raw;
  const files = new Map<string, Uint8Array>();
  for (const { type, name, data } of tarMembers(tar)) {
    if (name.startsWith('/') || name.split('/').includes('..')) throw new Error(`the archive holds ${JSON.stringify(name)}, a path out of the layout`);
    const clean = name.split('/').filter((p) => p !== '' && p !== '.').join('/');
    if (type === '5') continue;
    if (type !== '0' && type !== '\0' && type !== '7') {
      // A layout holds plain files: a link named like a blob could stand for any file.
      if (clean === 'index.json' || clean === 'oci-layout' || clean.startsWith('blobs/')) throw new Error(`the archive's ${clean} is a link, not a file`);
      continue;
    }
    if (files.has(clean)) throw new Error(`the archive holds ${clean} twice`);
    files.set(clean, data);
  }
  const layout = files.get('oci-layout');
  if (!layout) throw new Error('not an OCI image layout (no oci-layout file in the archive)');
  checkLayoutVersion(layout);
  return {
    index: () => {
      const b = files.get('index.json');
      if (!b) throw new Error('index.json is missing');
      if (b.length > MAX_JSON) throw new Error(`index.json is larger than ${MAX_JSON} bytes`);
      return b;
    },
    blob: (hex) => files.get(`blobs/sha256/${hex}`),
  };
}

/** An OCI layout directory (already checked to be in the build context): blobs are read only below it, never through a symlink that leaves it. */
function directoryBlobs(dir: string, budget: UnpackBudget): Blobs {
  const root = realpathSync(dir);
  const inside = (rel: string, what: string): string | undefined => {
    let real: string;
    try {
      real = realpathSync(join(root, rel));
    } catch {
      return undefined;
    }
    if (!real.startsWith(root + sep)) throw new Error(`${what} is a symlink out of the layout directory`);
    return real;
  };
  if (!inside('oci-layout', 'oci-layout')) throw new Error('not an OCI image layout (no oci-layout file in the directory)');
  // One allowance for every blob read from the directory, as an archive's size counts once.
  let left = budget.left;
  checkLayoutVersion(readBounded(inside('oci-layout', 'oci-layout')!, MAX_JSON, 'oci-layout', () => new Error(`oci-layout is larger than ${MAX_JSON} bytes`)));
  const read = (rel: string, max: number, what: string): Uint8Array | undefined => {
    const real = inside(rel, what);
    if (!real) return undefined;
    const bytes = readBounded(real, Math.min(max, left), what, () => (max < left ? new Error(`${what} is larger than ${max} bytes`) : budget.exceeded()));
    left -= bytes.length;
    return bytes;
  };
  return {
    index: () => {
      const b = read('index.json', MAX_JSON, 'index.json');
      if (!b) throw new Error('index.json is missing');
      return b;
    },
    blob: (hex, max) => read(join('blobs', 'sha256', hex), max, `blob sha256:${hex.slice(0, 12)}`),
  };
}

/** The oci-layout file: the one layout version there is. */
function checkLayoutVersion(bytes: Uint8Array): void {
  if (bytes.length > MAX_JSON) throw new Error(`oci-layout is larger than ${MAX_JSON} bytes`);
  const version = parseJson(bytes, 'oci-layout').imageLayoutVersion;
  if (version !== '1.0.0') throw new Error(`oci-layout: imageLayoutVersion ${JSON.stringify(version)} is not "1.0.0"`);
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, unknown>;
  platform?: { architecture?: unknown; os?: unknown };
}

function descriptor(value: unknown, where: string): Descriptor {
  if (typeof value !== 'object' || value === null) throw new Error(`${where}: not a descriptor`);
  const d = value as Record<string, unknown>;
  if (typeof d.digest !== 'string' || !DIGEST.test(d.digest)) throw new Error(`${where}: digest ${JSON.stringify(d.digest)} is not sha256:<64 hex digits>`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw new Error(`${where}: size ${JSON.stringify(d.size)} is not a byte count`);
  if (typeof d.mediaType !== 'string') throw new Error(`${where}: no media type`);
  return d as unknown as Descriptor;
}

/** A blob, checked against its descriptor: present, of the size it claims, hashing to its digest. */
function fetchBlob(blobs: Blobs, d: Descriptor, max: number, what: string): Uint8Array {
  if (d.size > max) throw new Error(`${what} ${d.digest} claims ${d.size} bytes, more than ${max}`);
  const hex = DIGEST.exec(d.digest)![1]!;
  const bytes = blobs.blob(hex, d.size);
  if (!bytes) throw new Error(`${what} ${d.digest} is missing from the layout`);
  if (bytes.length !== d.size) throw new Error(`${what} ${d.digest} is ${bytes.length} bytes, its descriptor says ${d.size}`);
  if (createHash('sha256').update(bytes).digest('hex') !== hex) throw new Error(`${what} ${d.digest} does not match its digest`);
  return bytes;
}

function parseJson(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new Error(`${what} is not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function descriptors(list: unknown, where: string): Descriptor[] {
  if (!Array.isArray(list)) throw new Error(`${where} has no list of descriptors`);
  return list.map((d, i) => descriptor(d, `${where}[${i}]`));
}

const refName = (d: Descriptor) => (typeof d.annotations?.[REF_NAME] === 'string' ? (d.annotations[REF_NAME] as string) : undefined);

/** The one image index.json names (by tag, or the only one), through one nested index (a multi-platform image) to its Wasm manifest. */
function chooseManifest(blobs: Blobs, tag: string | undefined): Descriptor {
  const index = parseJson(blobs.index(), 'index.json');
  if (index.schemaVersion !== 2) throw new Error('index.json is not an OCI image index (schemaVersion is not 2)');
  const all = descriptors(index.manifests, 'index.json manifests');
  const tags = [...new Set(all.map(refName).filter((t) => t !== undefined))];
  const named = tags.length ? ` (tags: ${tags.join(', ')})` : ' (none is tagged)';
  let chosen: Descriptor;
  if (tag !== undefined) {
    const hits = all.filter((d) => refName(d) === tag);
    if (hits.length === 0) throw new Error(`no image is tagged ${JSON.stringify(tag)} in index.json${named}`);
    if (hits.length > 1) throw new Error(`${hits.length} images are tagged ${JSON.stringify(tag)} in index.json`);
    chosen = hits[0]!;
  } else {
    if (all.length === 0) throw new Error('index.json names no image');
    if (all.length > 1) throw new Error(`index.json names ${all.length} images: choose one with :TAG${named}`);
    chosen = all[0]!;
  }
  if (chosen.mediaType === OCI_MEDIA_TYPES.index) {
    const nested = parseJson(fetchBlob(blobs, chosen, MAX_JSON, 'image index'), `image index ${chosen.digest}`);
    // A multi-platform image (docker buildx's, with attestations): the manifest for wasm.
    const wasm = descriptors(nested.manifests, `image index ${chosen.digest}`).filter((d) => d.mediaType === OCI_MEDIA_TYPES.manifest && d.platform?.architecture === 'wasm');
    if (wasm.length !== 1) throw new Error(`image index ${chosen.digest} has ${wasm.length} manifests for platform */wasm, not one`);
    chosen = wasm[0]!;
  }
  if (chosen.mediaType !== OCI_MEDIA_TYPES.manifest) throw new Error(`index.json names a ${chosen.mediaType}, not an OCI image manifest`);
  return chosen;
}

/** The image a FROM names: its manifest, config and layer blobs, every one checked. */
export function readOciImage(transport: 'oci-archive' | 'oci', hostPath: string, tag: string | undefined, budget: UnpackBudget): OciImage {
  const blobs = transport === 'oci-archive' ? archiveBlobs(hostPath, budget) : directoryBlobs(hostPath, budget);
  const chosen = chooseManifest(blobs, tag);
  const manifest = parseJson(fetchBlob(blobs, chosen, MAX_JSON, 'manifest'), `manifest ${chosen.digest}`);
  if (manifest.schemaVersion !== 2) throw new Error(`manifest ${chosen.digest}: schemaVersion is not 2`);
  if (manifest.mediaType !== undefined && manifest.mediaType !== OCI_MEDIA_TYPES.manifest) throw new Error(`manifest ${chosen.digest}: media type ${JSON.stringify(manifest.mediaType)} is not ${OCI_MEDIA_TYPES.manifest}`);
  const configDescriptor = descriptor(manifest.config, 'manifest config');
  if (configDescriptor.mediaType !== OCI_MEDIA_TYPES.config) throw new Error(`the config's media type ${configDescriptor.mediaType} is not an image config (${OCI_MEDIA_TYPES.config})`);
  const config = parseJson(fetchBlob(blobs, configDescriptor, MAX_JSON, 'config'), `config ${configDescriptor.digest}`);
  const rootfs = config.rootfs as { diff_ids?: unknown } | undefined;
  const diffIds = Array.isArray(rootfs?.diff_ids) ? rootfs.diff_ids : [];
  const layerDescriptors = descriptors(manifest.layers, 'manifest layers');
  if (diffIds.length && diffIds.length !== layerDescriptors.length) throw new Error(`the config lists ${diffIds.length} diff ids for ${layerDescriptors.length} layers`);
  let wasm = 0;
  const layers = layerDescriptors.map((d, i): OciLayer => {
    const diffId = diffIds[i];
    if (diffId !== undefined && (typeof diffId !== 'string' || !DIGEST.test(diffId))) throw new Error(`diff id ${i} ${JSON.stringify(diffId)} is not sha256:<64 hex digits>`);
    if (d.mediaType === OCI_MEDIA_TYPES.tarLayer || d.mediaType === OCI_MEDIA_TYPES.tarGzipLayer) {
      const bytes = fetchBlob(blobs, d, budget.left, 'layer');
      return { kind: 'tar', gzip: d.mediaType.endsWith('+gzip'), digest: d.digest, bytes, diffId };
    }
    if (WASM_LAYERS.has(d.mediaType)) {
      if (++wasm > 1) throw new Error('the image has more than one Wasm layer');
      const bytes = fetchBlob(blobs, d, budget.left, 'layer');
      // The layer is what the box is made of: it counts as unpacked.
      if (bytes.length > budget.left) throw budget.exceeded();
      budget.left -= bytes.length;
      const title = d.annotations?.['org.opencontainers.image.title'];
      return { kind: 'wasm', digest: d.digest, bytes, title: typeof title === 'string' ? title : undefined };
    }
    throw new Error(`layer ${d.digest} has media type ${d.mediaType}, not a tar, gzip tar or Wasm layer`);
  });
  return { digest: chosen.digest, config, layers };
}
