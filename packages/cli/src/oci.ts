// box export --oci: a box as an OCI image layout (image-spec v1.1) that
// containerd's Wasm shims (runwasi) pull and run. The box itself is the one
// layer, unpacked by nobody: the shim hands it to its Wasm engine, and the
// image config carries what `docker run` would read (platform wasip1/wasm,
// entrypoint, args, env, working directory, ports, volumes).

import { createHash } from 'node:crypto';
import type { ImageEntry, Manifest } from '@marcotte/abi';
import { snapshotToTar } from '@marcotte/vfs';

export const OCI_MEDIA_TYPES = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  // containerd only pulls images whose config has the standard type.
  config: 'application/vnd.oci.image.config.v1+json',
  // runwasi's default Wasm layer type (wasip1 modules and wasip2 components alike).
  layer: 'application/vnd.bytecodealliance.wasm.component.layer.v0+wasm',
} as const;

export const OCI_PLATFORM = { architecture: 'wasm', os: 'wasip1' } as const;

export interface OciOptions {
  /** image reference, as `ctr images import` names it (default: localhost/<name>:latest) */
  name: string;
  /** file name of the box inside the image (the layer's title annotation) */
  title: string;
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
export function imageConfig(manifest: Manifest): Record<string, unknown> {
  const build = manifest.build;
  // EXPOSE as written ("53/udp"), else the ports the box listens on (TCP).
  const exposed = (build?.exposed ?? (manifest.ports ?? []).map(String)).map((p) => (p.includes('/') ? p : `${p}/tcp`));
  const config: Record<string, unknown> = {
    Entrypoint: [manifest.entrypoint],
    Cmd: manifest.args,
    Env: manifest.env,
    WorkingDir: manifest.workdir ?? '/',
    ...(exposed.length ? { ExposedPorts: Object.fromEntries(exposed.map((p) => [p, {}])) } : {}),
    ...(manifest.mountPoints?.length ? { Volumes: Object.fromEntries(manifest.mountPoints.map((m) => [m, {}])) } : {}),
    ...(build?.labels && Object.keys(build.labels).length ? { Labels: build.labels } : {}),
    ...(build?.user ? { User: build.user } : {}),
    ...(build?.stopSignal ? { StopSignal: build.stopSignal } : {}),
  };
  // No rootfs diff: the one layer is the box, which no snapshotter unpacks.
  return { ...OCI_PLATFORM, config, rootfs: { type: 'layers', diff_ids: [] } };
}

/** The OCI image layout of `box` as a tar (deterministic: the same box gives the same bytes). */
export function ociLayout(box: Uint8Array, manifest: Manifest, options: OciOptions): Uint8Array {
  const layer = blob(box);
  const config = json(imageConfig(manifest));
  const image = json({
    schemaVersion: 2,
    mediaType: OCI_MEDIA_TYPES.manifest,
    config: { mediaType: OCI_MEDIA_TYPES.config, digest: config.digest, size: config.bytes.length },
    layers: [{
      mediaType: OCI_MEDIA_TYPES.layer, digest: layer.digest, size: layer.bytes.length,
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
      mediaType: OCI_MEDIA_TYPES.manifest, digest: image.digest, size: image.bytes.length, platform: OCI_PLATFORM,
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
