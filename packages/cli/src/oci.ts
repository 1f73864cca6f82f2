// box export --oci: a box as an OCI image layout (image-spec v1.1), in one of
// two forms. `tar` (the default) is the form Docker's Wasm images use: an
// ordinary tar layer holding the box file, platform wasi/wasm, the entrypoint
// naming the file; every image tool takes it (umoci, skopeo to docker-archive,
// Docker's Wasm workloads, runwasi shims reading the rootfs). `wasm` is
// runwasi's Wasm-layer form: the box itself is the layer, unpacked by nobody,
// platform wasip1/wasm; tools that unpack layers cannot read it.
// Either way the image config carries what `docker run` would read.

import { createHash } from 'node:crypto';
import { OCI_MEDIA_TYPES, type ImageEntry, type Manifest } from '@marcotte/abi';
import { snapshotToTar } from '@marcotte/vfs';

export { OCI_MEDIA_TYPES };

export type OciLayerForm = 'tar' | 'wasm';

export const OCI_PLATFORM = { architecture: 'wasm', os: 'wasip1' } as const;
/** Docker's platform for Wasm images (`docker buildx build --platform wasi/wasm`). */
export const OCI_TAR_PLATFORM = { architecture: 'wasm', os: 'wasi' } as const;

export interface OciOptions {
  /** image reference, as `ctr images import` names it (default: localhost/<name>:latest) */
  name: string;
  /** file name of the box inside the image (the layer's title annotation) */
  title: string;
  /** tar: a tar layer holding the box at /<title>; wasm: the box itself as the layer */
  layer?: OciLayerForm;
}

interface Blob {
  digest: string;
  bytes: Uint8Array;
}

const encoder = new TextEncoder();

function blob(bytes: Uint8Array): Blob {
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, bytes };
}

const json = (value: unknown): Blob => blob(encoder.encode(JSON.stringify(value)));

/** The image config: the fields of the box's manifest an OCI runtime reads. */
export function imageConfig(manifest: Manifest, form: OciLayerForm = 'wasm', title = '', layerDigest?: string): Record<string, unknown> {
  const build = manifest.build;
  // EXPOSE as written ("53/udp"), else the ports the box listens on (TCP).
  const exposed = (build?.exposed ?? (manifest.ports ?? []).map(String)).map((p) => (p.includes('/') ? p : `${p}/tcp`));
  const config: Record<string, unknown> = {
    // The tar form's runtimes start the file the entrypoint names in the rootfs.
    Entrypoint: [form === 'tar' ? `/${title}` : manifest.entrypoint],
    Cmd: manifest.args,
    Env: manifest.env,
    WorkingDir: manifest.workdir ?? '/',
    ...(exposed.length ? { ExposedPorts: Object.fromEntries(exposed.map((p) => [p, {}])) } : {}),
    ...(manifest.mountPoints?.length ? { Volumes: Object.fromEntries(manifest.mountPoints.map((m) => [m, {}])) } : {}),
    ...(build?.labels && Object.keys(build.labels).length ? { Labels: build.labels } : {}),
    ...(build?.user ? { User: build.user } : {}),
    ...(build?.stopSignal ? { StopSignal: build.stopSignal } : {}),
  };
  // One diff per layer (umoci indexes them by layer): both forms store the layer
  // uncompressed, so its diff id is its digest.
  const platform = form === 'tar' ? OCI_TAR_PLATFORM : OCI_PLATFORM;
  return { ...platform, config, rootfs: { type: 'layers', diff_ids: layerDigest ? [layerDigest] : [] } };
}

/** The OCI image layout of `box` as a tar (deterministic: the same box gives the same bytes). */
export function ociLayout(box: Uint8Array, manifest: Manifest, options: OciOptions): Uint8Array {
  const form = options.layer ?? 'tar';
  // The file's mode lets runtimes that check the execute bit start it; fixed mtime keeps the bytes deterministic.
  const layer = blob(form === 'tar' ? snapshotToTar([{ path: `/${options.title}`, type: 'file', data: box, mode: 0o755 }]) : box);
  const platform = form === 'tar' ? OCI_TAR_PLATFORM : OCI_PLATFORM;
  const config = json(imageConfig(manifest, form, options.title, layer.digest));
  const image = json({
    schemaVersion: 2,
    mediaType: OCI_MEDIA_TYPES.manifest,
    config: { mediaType: OCI_MEDIA_TYPES.config, digest: config.digest, size: config.bytes.length },
    layers: [{
      mediaType: form === 'tar' ? OCI_MEDIA_TYPES.tarLayer : OCI_MEDIA_TYPES.layer, digest: layer.digest, size: layer.bytes.length,
      annotations: { 'org.opencontainers.image.title': options.title },
    }],
    annotations: {
      'dev.marcotte.box.format': String(manifest.format),
      'dev.marcotte.box.capabilities': Object.keys(manifest.capabilities).join(','),
    },
  });
  const colon = options.name.lastIndexOf(':');
  const tag = colon > options.name.lastIndexOf('/') ? options.name.slice(colon + 1) : 'latest';
  const index = json({
    schemaVersion: 2,
    mediaType: OCI_MEDIA_TYPES.index,
    manifests: [{
      mediaType: OCI_MEDIA_TYPES.manifest, digest: image.digest, size: image.bytes.length, platform,
      annotations: { 'io.containerd.image.name': options.name, 'org.opencontainers.image.ref.name': tag },
    }],
  });
  const entries: ImageEntry[] = [
    { path: '/blobs', type: 'dir' },
    { path: '/blobs/sha256', type: 'dir' },
  ];
  const seen = new Set<string>();
  for (const b of [layer, config, image]) {
    if (seen.has(b.digest)) continue;
    seen.add(b.digest);
    entries.push({ path: `/blobs/sha256/${b.digest.slice('sha256:'.length)}`, type: 'file', data: b.bytes, mode: 0o444 });
  }
  entries.push(
    { path: '/index.json', type: 'file', data: index.bytes },
    { path: '/oci-layout', type: 'file', data: encoder.encode(JSON.stringify({ imageLayoutVersion: '1.0.0' })) },
  );
  return snapshotToTar(entries);
}
