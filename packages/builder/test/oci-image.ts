// OCI images made by hand for FROM oci-archive:/oci: tests: an image layout
// (oci-layout, index.json, blobs/sha256) as a tar or a directory, with every
// field reachable so that tests can forge what an attacker would.

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageEntry } from '@marcotte/abi';
import { snapshotToTar } from '@marcotte/vfs';

export const TAR = 'application/vnd.oci.image.layer.v1.tar';
export const TAR_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const WASM_LAYER = 'application/vnd.bytecodealliance.wasm.component.layer.v0+wasm';

const encoder = new TextEncoder();
export const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export interface LayerSpec {
  mediaType: string;
  bytes: Uint8Array;
  /** the uncompressed tar's digest, when it differs from the blob's (gzip) */
  diffId?: string;
}

export interface ImageSpec {
  layers: LayerSpec[];
  /** the config's `config` object (Entrypoint, Cmd, Env, …) */
  config: Record<string, unknown>;
  architecture?: string;
  os?: string;
  tag?: string;
  /** changes the manifest before it is stored (its digest is then taken over the changed bytes) */
  editManifest?: (manifest: Record<string, any>) => void;
}

export interface Layout {
  /** path (relative to the layout root) -> bytes */
  files: Map<string, Uint8Array>;
  manifestDigest: string;
  configDigest: string;
  layerDigests: string[];
}

const blobPath = (digest: string) => `blobs/sha256/${digest.slice('sha256:'.length)}`;

/** One image's blobs, and its descriptor for index.json. */
export function imageBlobs(spec: ImageSpec, files = new Map<string, Uint8Array>()): { descriptor: Record<string, unknown>; layout: Layout } {
  const put = (bytes: Uint8Array) => {
    const digest = sha256(bytes);
    files.set(blobPath(digest), bytes);
    return digest;
  };
  const layerDigests = spec.layers.map((l) => put(l.bytes));
  const config = encoder.encode(JSON.stringify({
    architecture: spec.architecture ?? 'wasm', os: spec.os ?? 'wasi', config: spec.config,
    rootfs: { type: 'layers', diff_ids: spec.layers.map((l, i) => l.diffId ?? layerDigests[i]) },
  }));
  const configDigest = put(config);
  const value: Record<string, any> = {
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: spec.layers.map((l, i) => ({ mediaType: l.mediaType, digest: layerDigests[i], size: l.bytes.length })),
  };
  spec.editManifest?.(value);
  const manifest = encoder.encode(JSON.stringify(value));
  const manifestDigest = put(manifest);
  const descriptor = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: manifest.length,
    platform: { architecture: spec.architecture ?? 'wasm', os: spec.os ?? 'wasi' },
    annotations: spec.tag ? { 'org.opencontainers.image.ref.name': spec.tag } : undefined,
  };
  return { descriptor, layout: { files, manifestDigest, configDigest, layerDigests } };
}

/** A layout holding the images (index.json lists them in order). */
export function layout(...specs: ImageSpec[]): Layout {
  const files = new Map<string, Uint8Array>();
  const made = specs.map((s) => imageBlobs(s, files));
  files.set('oci-layout', encoder.encode('{"imageLayoutVersion":"1.0.0"}'));
  files.set('index.json', encoder.encode(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: made.map((m) => m.descriptor) })));
  return { ...made[0]!.layout, files };
}

/** Reads a JSON file of the layout, changes it, and writes it back (under its old name: its digest no longer matches). */
export function editJson(l: Layout, path: string, edit: (value: Record<string, any>) => void): void {
  const value = JSON.parse(new TextDecoder().decode(l.files.get(path)));
  edit(value);
  l.files.set(path, encoder.encode(JSON.stringify(value)));
}

/** The layout as an oci-archive tar. */
export function archive(l: Layout): Uint8Array {
  const entries: ImageEntry[] = [...l.files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, data]) => ({ path: `/${path}`, type: 'file', data, mode: 0o644 }));
  return snapshotToTar(entries);
}

/** The layout as an oci: directory under `dir`. */
export function writeLayout(l: Layout, dir: string): void {
  for (const [path, data] of l.files) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), data);
  }
}

/** A tar layer of files (path -> content; a symlink as { symlink }). */
export function tarOf(files: Record<string, string | Uint8Array | { symlink: string }>): Uint8Array {
  const entries: ImageEntry[] = Object.entries(files).map(([path, v]) => (typeof v === 'object' && 'symlink' in v
    ? { path, type: 'symlink', target: v.symlink }
    : path.endsWith('/') ? { path: path.slice(0, -1), type: 'dir', mode: 0o755 } : { path, type: 'file', data: typeof v === 'string' ? encoder.encode(v) : v, mode: 0o755 }));
  return snapshotToTar(entries);
}
