// A layer's two serializations: the canonical tar its digest is taken over
// (fixed order, whiteouts as OCI `.wh.` files, no timestamps but the files'
// own), and the exact form the build cache stores (nanosecond mtimes kept,
// so that a cached layer gives the same box as a fresh one).

import { createHash } from 'node:crypto';
import { frameWithHeader, type ImageEntry } from '@marcotte/abi';
import { snapshotToTar } from '@marcotte/vfs';
import { baseOf, joinPath, parentOf, type Layer } from './tree.ts';

/** The layer as a tar archive, in path order; a deletion is an empty `.wh.<name>` file. */
export function layerTar(layer: Layer): Uint8Array {
  const entries: ImageEntry[] = [
    ...layer.entries.filter((e) => e.path !== '/'),
    ...layer.whiteouts.map((w): ImageEntry => ({ path: joinPath(parentOf(w), `.wh.${baseOf(w)}`), type: 'file', data: new Uint8Array(0), mode: 0o644, mtime: 0n })),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return snapshotToTar(entries);
}

/** "sha256:<hex>" of the layer's tar. */
export function layerDigest(layer: Layer): { digest: string; size: number } {
  const tar = layerTar(layer);
  return { digest: `sha256:${createHash('sha256').update(tar).digest('hex')}`, size: tar.length };
}

interface StoredEntry {
  path: string;
  type: ImageEntry['type'];
  mode?: number;
  mtime?: string;
  target?: string;
  /** [offset, length] in the blob area; entries sharing a data object (hard links) share it */
  data?: [number, number];
}

/** u32 header length, the header (JSON), then the file bytes. */
export function encodeLayer(layer: Layer): Uint8Array {
  const blobs: Uint8Array[] = [];
  const at = new Map<Uint8Array, [number, number]>();
  let size = 0;
  const entries: StoredEntry[] = layer.entries.map((e) => {
    const s: StoredEntry = { path: e.path, type: e.type };
    if (e.mode !== undefined) s.mode = e.mode;
    if (e.mtime !== undefined) s.mtime = e.mtime.toString();
    if (e.target !== undefined) s.target = e.target;
    if (e.type === 'file') {
      const data = e.data ?? new Uint8Array(0);
      let place = at.get(data);
      if (!place) {
        place = [size, data.length];
        at.set(data, place);
        blobs.push(data);
        size += data.length;
      }
      s.data = place;
    }
    return s;
  });
  return frameWithHeader({ entries, whiteouts: layer.whiteouts }, blobs);
}

export function decodeLayer(bytes: Uint8Array): Layer {
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length))) as { entries: StoredEntry[]; whiteouts: string[] };
  const base = 4 + length;
  const shared = new Map<number, Uint8Array>();
  const entries = header.entries.map((s): ImageEntry => {
    const e: ImageEntry = { path: s.path, type: s.type };
    if (s.mode !== undefined) e.mode = s.mode;
    if (s.mtime !== undefined) e.mtime = BigInt(s.mtime);
    if (s.target !== undefined) e.target = s.target;
    if (s.data) {
      let data = shared.get(s.data[0]);
      if (!data || data.length !== s.data[1]) {
        data = bytes.slice(base + s.data[0], base + s.data[0] + s.data[1]);
        if (s.data[1] > 0) shared.set(s.data[0], data);
      }
      e.data = data;
    }
    return e;
  });
  return { entries, whiteouts: header.whiteouts };
}
